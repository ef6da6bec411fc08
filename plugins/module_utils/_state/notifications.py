# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``notifications`` section of the document: its keys and the WSUS fields behind them, its in-section
defaults, the plan (writes, changes, diff) and the reader (server_info). Pure functions, no I/O.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

WSUS keeps the section in three places: the EmailNotificationConfigurationRow (every key but the recipient
lists and the password), two recipient lists (NewSync for ``new_updates``, Summary for ``status_report``)
and the write-only SMTP password (HasSmtpUserPassword / SetSmtpUserPassword). The status report's time of
day is stored as seconds after midnight UTC, like the schedule's (``schedule.py``): a declared local time is
converted with today's offset, and a daylight saving change moves it (``dst_note``).
"""

from __future__ import annotations

import copy
import datetime

from .errors import DocumentError
from .fields import Key
from .schedule import (
    SECONDS_PER_DAY,
    ScheduleError,
    checked_zone,
    parse_hhmm,
    plan_time_of_day,
    utc_seconds_to_local,
)
from .passwords import plan_password
from .plan import show
from .secrets import mask_secrets

SECTION = "notifications"
SUBSECTIONS = ("new_updates", "status_report", "smtp")
DEFAULT_SMTP_PORT = 25
# The recipient list of each subsection and its ExecuteSPGet/SetEmailNotificationRecipients notification type
# (the client's EMAIL_NEW_SYNC, EMAIL_SUMMARY): the one map of the lists, read and written in this order.
RECIPIENT_LISTS = {"new_updates": "NewSync", "status_report": "Summary"}
TIME_FIELD = "statusNotificationTimeOfDay"
FREQUENCIES = {"daily": "Daily", "weekly": "Weekly"}
WRITE_ORDER = ("configuration", "new_updates recipients", "status_report recipients", "smtp password")
SEND_TEST_EMAIL = ("never", "on_change", "always")


class NotificationsError(DocumentError):
    """The declared notifications cannot be applied to this server (the message names the path)."""


def _get_frequency(row):
    return (row.get_str("StatusNotification") or "").lower()


def _put_frequency(row, value):
    return row.set("StatusNotification", FREQUENCIES[value])


def _get_seconds(row):
    return row.get_int(TIME_FIELD)


def _path(section, name):
    return "%s.%s" % (section, name) if section else name


# The row's keys (section "" is the top of ``notifications``). get/put as in fields.Key; status_report.time
# is read and written in seconds (UTC), converted by the planner and the reader with the declared zone.
ROW_KEYS = (
    Key("", "language", "str", "EmailLanguage", caseless=True),
    Key("new_updates", "enabled", "bool", "EmailNeedToSendNewSyncNotification"),
    Key("status_report", "enabled", "bool", "EmailNeedToSendStatusNotification"),
    Key("status_report", "frequency", "str", "StatusNotification", get=_get_frequency, put=_put_frequency),
    Key("status_report", "time", "str", TIME_FIELD, get=_get_seconds),
    Key("smtp", "host", "str", "SmtpHostName", caseless=True),
    Key("smtp", "port", "int", "SmtpPort"),
    Key("smtp", "sender_name", "str", "SmtpUserDisplayName"),
    Key("smtp", "sender_address", "str", "SmtpUserMailAddress", caseless=True),
    Key("smtp", "authentication", "bool", "SmtpServerRequireAuthentication"),
    Key("smtp", "user", "str", "SmtpUserName", caseless=True),
)
# Keys that are no row field, with the reason (kind: the argument spec's type).
NOT_ROW_KEYS = {
    ("new_updates", "recipients"): ("list", "the NewSync list of ExecuteSPGet/SetEmailNotificationRecipients"),
    ("status_report", "recipients"): ("list", "the Summary list of ExecuteSPGet/SetEmailNotificationRecipients"),
    ("status_report", "timezone"): ("str", "the zone status_report.time is declared in; the row holds UTC"),
    ("smtp", "password"): ("str", "written with SetSmtpUserPassword; the server only tells whether one is set"),
    ("smtp", "update_password"): ("str", "when to send smtp.password: a setting of the task, not of the server"),
}
BY_PATH = {(key.section, key.name): key for key in ROW_KEYS}


def document_paths():
    """Every key of the section as a path relative to ``notifications``: "language", "smtp", "smtp.host"..."""
    paths = set(SUBSECTIONS)
    for section, name in list(BY_PATH) + list(NOT_ROW_KEYS):
        paths.add(_path(section, name))
    return paths


def key_kinds():
    """path (relative to ``notifications``) -> bool, int, str or list."""
    kinds = {_path(key.section, key.name): key.kind for key in ROW_KEYS}
    kinds.update({_path(section, name): kind for (section, name), (kind, dummy) in NOT_ROW_KEYS.items()})
    return kinds


# --------------------------------------------------------------------------- the declared section


def _without_none(value):
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    return copy.deepcopy(value)


def normalize(raw):
    """The declared section with ``None`` values dropped (a module's unset options) and the in-section
    defaults: ``status_report.timezone`` UTC when ``time`` is declared, ``smtp.port`` 25 when ``host`` is,
    ``smtp.update_password`` on_create when ``password`` is (set here only: the planner reads it)."""
    section = _without_none(raw or {})
    for name in SUBSECTIONS:
        if section.get(name) == {}:
            del section[name]
    report = section.get("status_report") or {}
    if "time" in report:
        report.setdefault("timezone", "UTC")
    smtp = section.get("smtp") or {}
    if smtp.get("host"):
        smtp.setdefault("port", DEFAULT_SMTP_PORT)
    if "password" in smtp:
        smtp.setdefault("update_password", "on_create")
    return section


def lists_to_read(desired, send_test_email="never"):
    """The subsections whose recipient list the task needs: declared, to be checked (``enabled: true``
    declared), or for the test e-mail (both)."""
    if send_test_email != "never":
        return list(RECIPIENT_LISTS)
    return [
        name
        for name in RECIPIENT_LISTS
        if "recipients" in desired.get(name, {}) or desired.get(name, {}).get("enabled") is True
    ]


# --------------------------------------------------------------------------- the plan


class NotificationPlan:
    """What a run writes: the row (or None), the lists per subsection, the password; the lines and diff."""

    def __init__(self):
        self.row = None
        self.recipients = {}  # subsection -> the list to write
        self.set_password = False
        self.password = None  # in memory only; never in changes, diff or warnings
        self.changes = []
        self.before = {}
        self.after = {}
        self.dst_note = None
        self.result_row = None  # the row as it is after the writes (the test e-mail's settings)
        self.result_lists = {}  # subsection -> the list after the writes, for the lists the task knows

    @property
    def writes(self):
        """The writes to make, in WRITE_ORDER."""
        wanted = {"configuration": self.row is not None, "smtp password": self.set_password}
        wanted.update(("%s recipients" % name, name in self.recipients) for name in RECIPIENT_LISTS)
        return [step for step in WRITE_ORDER if wanted[step]]

    @property
    def changed(self):
        return bool(self.writes)

    def diff(self):
        return {"before": {SECTION: mask_secrets(self.before)}, "after": {SECTION: mask_secrets(self.after)}}


def plan_notifications(desired, row, lists=None, has_password=None, user_name=None, now=None):
    """Plan the declared section (``normalize``d) against the server's row, its recipient ``lists``
    (subsection -> list, those of ``lists_to_read``) and whether it has an SMTP password (when
    ``smtp.password`` is declared). Raises NotificationsError before any write when the result would be
    something WSUS cannot use."""
    plan = NotificationPlan()
    lists = dict(lists or {})
    new = row.copy()
    if "language" in desired:
        _compare(plan, new, BY_PATH[("", "language")], desired["language"], plan.before, plan.after)
    for name in SUBSECTIONS:
        if name in desired:
            plan.before[name], plan.after[name] = {}, {}
            for key_name, wanted in desired[name].items():
                _plan_key(plan, new, (name, desired[name]), key_name, wanted, lists, now)
    if "password" in desired.get("smtp", {}):
        _plan_password(plan, desired["smtp"], row, has_password)
    plan.result_lists = dict(lists)
    plan.result_lists.update(plan.recipients)
    _check_result(desired, new, plan.result_lists)
    if new.changed_fields:
        # Who saved it and when, as the console does.
        new.set("LastModifiedTime", now or datetime.datetime.now(datetime.timezone.utc))
        new.set("LastModifiedBy", user_name or "ops.wsus")
        plan.row = new
    plan.result_row = new
    return plan


def _plan_key(plan, row, subsection, name, wanted, lists, now):
    """Plan one declared key of ``subsection`` (its name, its declared dict) but the password (planned last)."""
    section, declared = subsection
    before, after = plan.before[section], plan.after[section]
    if name == "recipients":
        _plan_recipients(plan, section, wanted, lists.get(section) or [], before, after)
    elif (section, name) == ("status_report", "time"):
        _plan_time(plan, row, wanted, declared.get("timezone", "UTC"), now)
    elif (section, name) not in NOT_ROW_KEYS:
        _compare(plan, row, BY_PATH[(section, name)], wanted, before, after)
    elif name == "timezone" and "time" not in declared:
        _zone(wanted)
        before[name] = after[name] = wanted  # shown; it converts nothing without a time


def _compare(plan, row, key, wanted, before, after):
    current = key.get(row)
    before[key.name], after[key.name] = current, wanted
    if not key.same(current, wanted):
        plan.changes.append("%s.%s: %s -> %s" % (SECTION, _path(key.section, key.name), show(current), show(wanted)))
        key.put(row, wanted if wanted != "" else None)


def _plan_recipients(plan, section, wanted, current, before, after):
    before["recipients"], after["recipients"] = list(current), list(wanted)
    have = {address.casefold() for address in current}
    want = {address.casefold() for address in wanted}
    if have == want:
        return
    added = [address for address in wanted if address.casefold() not in have]
    removed = [address for address in current if address.casefold() not in want]
    words = ["+" + address for address in added] + ["-" + address for address in removed]
    plan.changes.append("%s.%s.recipients: %s" % (SECTION, section, ", ".join(words)))
    plan.recipients[section] = list(wanted)


def _zone(timezone):
    checked_zone(timezone, "%s.status_report.timezone" % SECTION, NotificationsError)


def _plan_time(plan, row, text, timezone, now):
    path = "%s.status_report" % SECTION
    _zone(timezone)
    try:
        parse_hhmm(text)
    except ScheduleError as error:
        raise NotificationsError("%s.time: %s" % (path, error)) from None
    current = row.get_int(TIME_FIELD)
    if current is None or not 0 <= current < SECONDS_PER_DAY:
        raise NotificationsError(
            "%s.time: the server's statusNotificationTimeOfDay is %s, not seconds of a day (0-86399): ops.wsus "
            "does not know what unit this server stores and does not guess; leave status_report.time out of "
            "the document to manage the rest" % (path, current)
        )
    time = plan_time_of_day(text, timezone, current, now, "%s.time" % path)
    before, after = plan.before["status_report"], plan.after["status_report"]
    before["time"], after["time"] = time.before, text
    before["time_utc"], after["time_utc"] = time.before_utc, time.after_utc
    before["timezone"] = after["timezone"] = timezone
    plan.dst_note = time.dst_note
    if plan.dst_note:
        after["dst_note"] = plan.dst_note
    if time.differs:
        plan.changes.append(
            "%s.time: %s -> %s (%s; stored as %s UTC)" % (path, before["time"], text, timezone, after["time_utc"])
        )
        row.set(TIME_FIELD, time.wanted)


def _plan_password(plan, smtp, row, has_password):
    """The same rule as proxy.password (passwords.py): also sent when smtp.user changes, so that the new user
    does not log on with the old user's password. ``row``: the server's, as read."""
    sides = (plan.before["smtp"], plan.after["smtp"])
    line = plan_password("%s.smtp.password" % SECTION, smtp, BY_PATH[("smtp", "user")], row, has_password, *sides)
    if line:
        plan.set_password = True
        plan.password = smtp["password"]
        plan.changes.append(line)


def _check_result(desired, row, lists):
    """The planner's rules on the settings as they will be (declared, else the server's)."""
    for name in RECIPIENT_LISTS:
        declared = desired.get(name, {})
        if not ("enabled" in declared or "recipients" in declared) or name not in lists:
            continue
        enabled = BY_PATH[(name, "enabled")].get(row)
        if enabled and not lists[name]:
            raise NotificationsError(
                "%s.%s.recipients: no address while %s.%s.enabled is true (%s): WSUS would have no one to "
                "send to; declare at least one address, or enabled: false"
                % (SECTION, name, SECTION, name, "declared" if "enabled" in declared else "the server's value")
            )
    smtp = desired.get("smtp", {})
    if ("authentication" in smtp or "user" in smtp) and BY_PATH[("smtp", "authentication")].get(row):
        if not BY_PATH[("smtp", "user")].get(row):
            raise NotificationsError(
                "%s.smtp.user: the SMTP server requires authentication (smtp.authentication is true) and no user "
                "is set: declare smtp.user, or authentication: false" % SECTION
            )


# --------------------------------------------------------------------------- the reader


def read_notifications(row, lists, timezone="UTC", now=None):
    """The server's section in the document's shape (server_info), so that applying it plans no change.
    ``lists``: subsection -> the recipient list. The password is never read (WSUS does not give it); a time
    of day that is no seconds of a day is left out (its unit would be a guess)."""
    document: dict = {}
    language = (row.get_str("EmailLanguage") or "").lower()
    if language:
        document["language"] = language
    for name in RECIPIENT_LISTS:
        document[name] = {"enabled": BY_PATH[(name, "enabled")].get(row)}
    report = document["status_report"]
    if _get_frequency(row) in FREQUENCIES:
        report["frequency"] = _get_frequency(row)
    seconds = row.get_int(TIME_FIELD)
    if seconds is not None and 0 <= seconds < SECONDS_PER_DAY:
        report["time"] = utc_seconds_to_local(seconds, timezone, now)
        report["timezone"] = timezone
    for name in RECIPIENT_LISTS:
        document[name]["recipients"] = list(lists.get(name) or [])
    smtp: dict = {}
    for key in ROW_KEYS:
        if key.section == "smtp":
            value = key.get(row)
            if value not in (None, "") and not (key.name == "port" and not 0 < value < 65536):
                smtp[key.name] = value
    document["smtp"] = smtp
    return document
