# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply and read the e-mail notifications of a server: reads what the declared section needs (each call at
most once), plans with ``_state/notifications.py``, writes in a fixed order, and sends the test e-mail when
asked. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

import functools

from ._state import notifications as state
from ._state.notifications import NotificationsError
from ._writes import run_writes
from ._wsusar.errors import WsusError, WsusSoapFault


class TestEmailError(WsusError):
    """The settings were applied (or left as they were) and SendTestEmail failed; ``result`` holds the task's
    result so far."""

    __test__ = False  # not a pytest test class

    def __init__(self, message, result):
        super().__init__(message, "SendTestEmail")
        self.result = result


def read_server(client, desired, send_test_email="never"):
    """(row, lists, has_password): each read once, and only those the declared section needs."""
    row = client.get_email_configuration()
    lists = {
        name: client.get_email_recipients(state.RECIPIENT_LISTS[name])
        for name in state.lists_to_read(desired, send_test_email)
    }
    has_password = client.has_smtp_password() if "password" in desired.get("smtp", {}) else None
    return row, lists, has_password


def ensure_notifications(client, raw, check_mode=False, send_test_email="never", user_name=None, now=None):
    """Make the server's e-mail notifications match the declared section: ``(changed, result)``.

    ``result``: ``changes``, ``diff``, ``applied`` (the writes made), ``dst_note`` and ``test_email``
    (``{sent, recipients, error}``, or None when no test e-mail was asked for)."""
    if send_test_email not in state.SEND_TEST_EMAIL:
        raise NotificationsError(
            "send_test_email: %r is not one of %s" % (send_test_email, ", ".join(state.SEND_TEST_EMAIL))
        )
    desired = state.normalize(raw)
    row, lists, has_password = read_server(client, desired, send_test_email)
    plan = state.plan_notifications(desired, row, lists, has_password, user_name, now)
    sending = send_test_email == "always" or (send_test_email == "on_change" and plan.changed)
    recipients = _test_recipients(plan) if send_test_email != "never" else []
    if sending and not recipients:
        raise NotificationsError(
            "send_test_email: %s, and neither notifications.new_updates.recipients nor "
            "notifications.status_report.recipients has an address (on the server or declared): there is no one "
            "to send the test e-mail to (nothing was written)" % send_test_email
        )
    applied = [] if check_mode else apply_plan(client, plan)
    result = {
        "changes": plan.changes,
        "diff": plan.diff(),
        "applied": applied,
        "dst_note": plan.dst_note,
        "test_email": None,
    }
    changed = plan.changed if check_mode else bool(applied)
    if send_test_email != "never":
        result["test_email"] = {"sent": False, "recipients": recipients, "error": None}
        if sending and not check_mode:
            _send_test_email(client, plan, result, changed)
    return changed, result


def _test_recipients(plan):
    """Every address of both lists as they are after the writes, each once (the first spelling)."""
    seen, addresses = set(), []
    for name in state.RECIPIENT_LISTS:
        for address in plan.result_lists.get(name) or []:
            if address.casefold() not in seen:
                seen.add(address.casefold())
                addresses.append(address)
    return addresses


def apply_plan(client, plan):
    """Write ``plan`` in ``state.WRITE_ORDER``; the writes made. On a failure ``ApplyError`` says what was and
    wasn't applied (a write whose answer was lost: "not known whether applied")."""
    writes = {
        "configuration": lambda: client.set_email_configuration(plan.row),
        "smtp password": lambda: client.set_smtp_password(plan.password),
    }
    for name, kind in state.RECIPIENT_LISTS.items():
        if name in plan.recipients:  # partial, not a closure: a closure would see the loop's last list
            writes["%s recipients" % name] = functools.partial(client.set_email_recipients, kind, plan.recipients[name])
    return run_writes([(step, writes[step]) for step in plan.writes])


def _send_test_email(client, plan, result, changed):
    """SendTestEmail with the server's settings after the writes (the row as written, else as read)."""
    row = plan.result_row
    test = result["test_email"]
    try:
        client.send_test_email(
            row.get_str("EmailLanguage") or "",
            row.get_str("SmtpUserName") or "",
            row.get_str("SmtpUserMailAddress") or "",
            row.get_str("SmtpHostName") or "",
            row.get_int("SmtpPort") or 0,
            test["recipients"],
        )
    except WsusSoapFault as fault:
        text = fault.exception_message or fault.faultstring or fault.message
        test["error"] = text
        failed = dict(result, changed=changed)
        failed.pop("diff")  # the module adds it only in diff mode
        raise TestEmailError(
            "notifications %s; the test e-mail failed: %s"
            % ("applied (%s)" % ", ".join(result["applied"]) if result["applied"] else "unchanged", text),
            failed,
        ) from None
    test["sent"] = True


def read_section(client, timezone="UTC", now=None):
    """The server's notifications in the document's shape (server_info): three reads."""
    row = client.get_email_configuration()
    lists = {name: client.get_email_recipients(kind) for name, kind in state.RECIPIENT_LISTS.items()}
    return state.read_notifications(row, lists, timezone, now)
