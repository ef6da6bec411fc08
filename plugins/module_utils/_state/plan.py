# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired document vs the server's rows -> the writes to make, the diff and readable changes.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Pure functions, no I/O: they work on
copies of the rows the server sent and never call it.
"""

from __future__ import annotations

from .errors import DocumentError
from .fields import BY_SECTION, KEYED_SECTIONS, NOT_ROW_FIELDS, SCHEDULE
from .resolve import describe
from .schedule import checked_zone, plan_time_of_day
from .passwords import plan_password
from .secrets import mask_secrets


class PlanError(DocumentError):
    """The declared document cannot be applied to this server (a rule WSUS would reject)."""


class Plan:
    """What a run changes. ``changed`` is true when any write is needed."""

    def __init__(self):
        self.config_row = None  # the configuration row to write, or None
        self.enable_languages = []
        self.disable_languages = []
        self.subscription_row = None  # the subscription row to write, or None
        self.category_ids = None  # new product selection (GUIDs) when it changes
        self.classification_ids = None  # new classification selection when it changes
        self.set_proxy_password = False
        self.proxy_password = None  # held in memory only; never in changes, diff or warnings
        self.changes = []
        self.before = {}
        self.after = {}
        self.warnings = []
        self.dst_note = None  # when the next daylight saving change moves schedule.time (not a change)
        self.parts = {}  # the section plans merged into this one (set by _sync_options.plan_all)

    @property
    def configuration_changed(self):
        return self.config_row is not None

    @property
    def subscription_changed(self):
        return self.subscription_row is not None

    @property
    def changed(self):
        return self.configuration_changed or self.subscription_changed or self.set_proxy_password

    def diff(self):
        return {"before": mask_secrets(self.before), "after": mask_secrets(self.after)}


# --------------------------------------------------------------------------- configuration


def show(value):
    """A value in a change line: "" and null spelled out, a list as [a, b] (notifications use it too)."""
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(item) for item in value)
    return '""' if value == "" else ("null" if value is None else str(value))


def plan_configuration(desired, config, languages=None, has_proxy_password=None):
    """Plan the configuration sections (update_source, proxy, storage, languages) into ``Plan``."""
    plan = Plan()
    row = config.copy()
    for section in KEYED_SECTIONS:
        if section in desired:
            _plan_keyed_section(plan, section, desired[section], row)
    if "proxy" in desired and "password" in desired["proxy"]:
        _plan_proxy_password(plan, desired["proxy"], config, has_proxy_password)
    if "languages" in desired:
        _plan_languages(plan, desired["languages"], row, languages or [])
    if row.changed_fields or plan.enable_languages or plan.disable_languages:
        _check_save_rules(row, languages or [], plan)
        plan.config_row = row
    return plan


def _plan_keyed_section(plan, section, wanted_section, row):
    before: dict = {}
    after: dict = {}
    for name, wanted in wanted_section.items():
        if (section, name) in NOT_ROW_FIELDS:
            continue  # planned on its own
        key = BY_SECTION[section][name]
        current = key.get(row)
        before[name], after[name] = current, wanted
        if not key.same(current, wanted):
            plan.changes.append("%s.%s: %s -> %s" % (section, name, show(current), show(wanted)))
            key.put(row, wanted)
    plan.before[section], plan.after[section] = before, after


def _plan_proxy_password(plan, proxy, config, has_password):
    sides = (plan.before["proxy"], plan.after["proxy"])
    line = plan_password("proxy.password", proxy, BY_SECTION["proxy"]["username"], config, has_password, *sides)
    if line:
        plan.set_proxy_password = True
        plan.proxy_password = proxy["password"]
        plan.changes.append(line)


def _plan_languages(plan, wanted, row, languages):
    all_now = bool(row.get_bool("ServerSupportsAllLanguages"))
    enabled = sorted(language.short for language in languages if language.enabled)
    current = "all" if all_now else enabled
    plan.before["languages"], plan.after["languages"] = current, wanted
    if current == wanted:
        return
    if wanted == "all":
        row.set("ServerSupportsAllLanguages", True)
        plan.changes.append("languages: %s -> all" % (", ".join(enabled) or "none"))
        return
    by_code = {language.short: language for language in languages}
    unknown = [code for code in wanted if code not in by_code]
    if unknown:
        raise PlanError(
            "languages: the server does not offer %s; it offers: %s" % (", ".join(unknown), ", ".join(sorted(by_code)))
        )
    now = set(by_code) if all_now else set(enabled)
    row.set("ServerSupportsAllLanguages", False)
    plan.enable_languages = _language_keys([by_code[code] for code in wanted if code not in now or all_now])
    plan.disable_languages = _language_keys(
        [by_code[code] for code in sorted(by_code) if code not in wanted and (code in now or all_now)]
    )
    added = sorted(set(wanted) - now)
    removed = sorted(now - set(wanted))
    plan.changes.append(
        "languages: %s"
        % ", ".join(
            ["+" + code for code in added] + ["-" + code for code in removed] or ["all -> " + ", ".join(wanted)]
        )
    )
    if all_now and not added and not removed:
        plan.changes[-1] = "languages: all -> %s" % ", ".join(wanted)


def _language_keys(languages):
    """What listTrue/listFalse carry for ``languages`` (``Language.key``: the LanguageId of the spec row
    layout, the short code of the live one). An unknown layout has no key: refuse rather than guess."""
    unusable = [language for language in languages if language.key is None]
    if unusable:
        raise PlanError(
            "languages: the server's language rows (layout %s) give no LanguageId or code that "
            "ops.wsus can send for %s; nothing was written"
            % (unusable[0].layout or "unknown", ", ".join(language.short for language in unusable))
        )
    return [language.key for language in languages]


def _text(row, field):
    return row.get_str(field) or ""


SAVE_RULES = (
    (
        lambda row, langs: row.get_bool("UseProxy") and not _text(row, "ProxyName"),
        "proxy.server: an enabled proxy needs a server name, and neither the document nor the server has one",
    ),
    (
        lambda row, langs: (
            row.get_bool("UseProxy") and not row.get_bool("AnonymousProxyAccess") and not _text(row, "ProxyUserName")
        ),
        "proxy.username: proxy credentials need a user name, and neither the document nor the server has one",
    ),
    (
        lambda row, langs: not row.get_bool("SyncToMU") and not _text(row, "UpstreamServerName"),
        "update_source.server: synchronizing from an upstream server needs its name, and neither the document "
        "nor the server has one",
    ),
    (
        lambda row, langs: row.get_bool("ReplicaMode") and row.get_bool("SyncToMU"),
        "update_source.replica: a replica synchronizes from an upstream server, not from Microsoft Update",
    ),
    (
        lambda row, langs: row.get_bool("HostOnMu") and not row.get_bool("ServerSupportsAllLanguages"),
        "storage.local: update files hosted on Microsoft Update need languages: all",
    ),
)


def _check_save_rules(row, languages, plan):
    """The rules WSUS enforces on Save(), checked before any write (docs/document.md)."""
    problems = [message for rule, message in SAVE_RULES if rule(row, languages)]
    if problems:
        raise PlanError("; ".join(problems))


# --------------------------------------------------------------------------- subscription


def plan_subscription(
    desired,
    subscription,
    selected_products=None,
    selected_classifications=None,
    wanted_products=None,
    wanted_classifications=None,
    product_catalog=(),
    classification_catalog=(),
    now=None,
):
    """Plan schedule, products and classifications into a ``Plan``.

    ``selected_*`` are the server's current GUID lists; ``wanted_*`` the resolved declared ones.
    """
    plan = Plan()
    row = subscription.copy()
    if "schedule" in desired:
        _plan_schedule(plan, desired["schedule"], row, now)
    for section, selected, wanted, catalog in (
        ("products", selected_products, wanted_products, product_catalog),
        ("classifications", selected_classifications, wanted_classifications, classification_catalog),
    ):
        if section in desired:
            _plan_selection(plan, section, selected or [], wanted or [], catalog)
    if row.changed_fields or plan.category_ids is not None or plan.classification_ids is not None:
        plan.subscription_row = row
    return plan


def _plan_schedule(plan, schedule, row, now):
    before: dict = {}
    after: dict = {}
    timezone = schedule.get("timezone", "UTC")
    if "automatic" in schedule:
        _compare(plan, row, SCHEDULE["automatic"], schedule["automatic"], before, after)
    if "time" in schedule:
        _plan_schedule_time(plan, schedule["time"], timezone, row, now, before, after)
    if "per_day" in schedule:
        _compare(plan, row, SCHEDULE["per_day"], schedule["per_day"], before, after)
    automatic = schedule.get("automatic", row.get_bool(SCHEDULE["automatic"].field))
    if not automatic and ("time" in schedule or "per_day" in schedule):
        plan.warnings.append(
            "schedule.time and schedule.per_day have no effect while automatic synchronization "
            "is off (schedule.automatic: false)"
        )
    plan.before["schedule"], plan.after["schedule"] = before, after


def _plan_schedule_time(plan, text, timezone, row, now, before, after):
    checked_zone(timezone, "schedule.timezone")
    time = plan_time_of_day(text, timezone, SCHEDULE["time"].get(row), now, "schedule.time")
    before["time"], after["time"] = time.before, text
    before["timezone"] = after["timezone"] = timezone
    # The same note as notifications.status_report.time: a note, not a change, so that a run with nothing
    # to write stays unchanged; it is in the diff and in the result's dst_note.
    plan.dst_note = time.dst_note
    if plan.dst_note:
        after["dst_note"] = plan.dst_note
    if time.differs:
        plan.changes.append("schedule.time: %s -> %s (%s)" % (before["time"], text, timezone))
        SCHEDULE["time"].put(row, time.wanted)


def _compare(plan, row, key, wanted, before, after):
    current = key.get(row)
    before[key.name], after[key.name] = current, wanted
    if current != wanted:
        plan.changes.append("%s.%s: %s -> %s" % (key.section, key.name, show(current), show(wanted)))
        key.put(row, wanted)


def _plan_selection(plan, section, selected, wanted, catalog):
    current, target = {guid.lower() for guid in selected}, {guid.lower() for guid in wanted}
    plan.before[section] = describe(current, catalog)
    plan.after[section] = describe(target, catalog)
    if current == target:
        return
    added, removed = describe(target - current, catalog), describe(current - target, catalog)
    plan.changes.append(
        "%s: %s" % (section, ", ".join(["+" + title for title in added] + ["-" + title for title in removed]))
    )
    if section == "products":
        plan.category_ids = sorted(target)
    else:
        plan.classification_ids = sorted(target)


def merge(*plans):
    """One plan from the configuration plan and the subscription plan."""
    merged = Plan()
    for plan in plans:
        for name in ("config_row", "subscription_row", "category_ids", "classification_ids"):
            if getattr(plan, name) is not None:
                setattr(merged, name, getattr(plan, name))
        merged.enable_languages += plan.enable_languages
        merged.disable_languages += plan.disable_languages
        merged.set_proxy_password = merged.set_proxy_password or plan.set_proxy_password
        merged.proxy_password = merged.proxy_password or plan.proxy_password
        merged.changes += plan.changes
        merged.warnings += plan.warnings
        merged.dst_note = merged.dst_note or plan.dst_note
        merged.before.update(plan.before)
        merged.after.update(plan.after)
    return merged
