"""The notifications section: the pure planner and reader (_state/notifications.py) and the I/O layer
(_notifications.py) against an in-memory server that counts its calls (no sockets)."""

from __future__ import annotations

import base64
import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils import _notifications as io
from ansible_collections.ops.wsus.plugins.module_utils._state import notifications as state
from ansible_collections.ops.wsus.plugins.module_utils._state.secrets import MASK
from ansible_collections.ops.wsus.plugins.module_utils._writes import ApplyError
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import join_recipients, split_recipients
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusSoapFault
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import EMAIL_CONFIGURATION_FIELD_ORDER

from state_fixtures import email_row
from support.documents import notifications_section
from support.soap_faults import invalid_operation

NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.timezone.utc)  # winter in Europe/Berlin (UTC+1)
SECRET = "Smtp-S3cret-Value"


class FakeMailServer:
    """The e-mail operations of WsusClient, in memory; ``calls`` records every one with its arguments."""

    def __init__(self, row=None, lists=None, password=None, fail=None):
        self.row = row or email_row()
        self.lists = {"NewSync": "", "Summary": ""}
        self.lists.update(lists or {})
        self.password = password
        self.fail = dict(fail or {})
        self.calls = []
        self.sent = []

    def _record(self, name, *args):
        self.calls.append((name,) + args)
        if name in self.fail:
            raise self.fail[name]

    def names(self):
        return [call[0] for call in self.calls]

    def get_email_configuration(self):
        self._record("get_email_configuration")
        return self.row.copy()

    def set_email_configuration(self, row):
        self._record("set_email_configuration", row)
        self.row = row.copy()

    def get_email_recipients(self, kind):
        self._record("get_email_recipients", kind)
        return split_recipients(self.lists[kind])

    def set_email_recipients(self, kind, addresses):
        self._record("set_email_recipients", kind, list(addresses))
        self.lists[kind] = join_recipients(addresses)

    def has_smtp_password(self):
        self._record("has_smtp_password")
        return self.password is not None

    def set_smtp_password(self, password):
        self._record("set_smtp_password")  # the value is kept, never recorded
        self.password = password

    def send_test_email(self, *args):
        self._record("send_test_email", *args)
        self.sent.append(args)


WRITES = {"set_email_configuration", "set_email_recipients", "set_smtp_password", "send_test_email"}

DOCUMENT = notifications_section(SECRET)


def ensure(server, document, **kwargs):
    kwargs.setdefault("now", NOW)
    return io.ensure_notifications(server, document, user_name="WSUS\\admin", **kwargs)


# ------------------------------------------------------------------ normalize and the table


def test_normalize_drops_unset_options_and_applies_the_in_section_defaults():
    raw = {
        "language": None,
        "new_updates": None,
        "status_report": {"enabled": None, "time": "07:00", "timezone": None, "recipients": None},
        "smtp": {"host": "smtp.example.com", "port": None, "password": "x", "update_password": None},
    }
    assert state.normalize(raw) == {
        "status_report": {"time": "07:00", "timezone": "UTC"},
        "smtp": {"host": "smtp.example.com", "port": 25, "password": "x", "update_password": "on_create"},
    }


def test_every_key_of_the_section_is_a_row_field_or_listed_with_its_reason():
    row_keys = set(state.BY_PATH)
    assert not row_keys & set(state.NOT_ROW_KEYS)
    assert all(reason for kind, reason in state.NOT_ROW_KEYS.values())
    assert {field for key in state.ROW_KEYS for field in key.fields} <= set(EMAIL_CONFIGURATION_FIELD_ORDER)


# ------------------------------------------------------------------ the plan


def test_a_fresh_server_plans_every_declared_key_and_writes_in_order():
    server = FakeMailServer()
    changed, result = ensure(server, DOCUMENT)
    assert changed is True
    assert result["applied"] == ["configuration", "new_updates recipients", "status_report recipients", "smtp password"]
    assert "notifications.smtp.port: 25 -> 587" in result["changes"]
    assert "notifications.new_updates.recipients: +wsus-admins@example.com, +ops@example.com" in result["changes"]
    assert "notifications.status_report.frequency: weekly -> daily" in result["changes"]
    # 07:00 in Berlin in December is 06:00 UTC, stored as 21600 seconds
    assert "notifications.status_report.time: 01:00 -> 07:00 (Europe/Berlin; stored as 06:00 UTC)" in result["changes"]
    assert server.row.get_int("statusNotificationTimeOfDay") == 21600
    assert server.row.get_str("StatusNotification") == "Daily"
    assert server.row.get_str("SmtpUserName") == "CONTOSO\\wsus-mail"
    assert server.row.get_str("LastModifiedBy") == "WSUS\\admin"
    assert server.row.get_str("LastModifiedTime") == "2026-12-02T12:00:00"
    assert server.lists == {"NewSync": "wsus-admins@example.com, ops@example.com", "Summary": "wsus-admins@example.com"}
    assert server.password == SECRET
    assert not any(SECRET in line for line in result["changes"])
    assert SECRET not in repr(result)


def test_the_second_run_only_reads_each_once():
    server = FakeMailServer()
    ensure(server, DOCUMENT)
    server.calls.clear()
    changed, result = ensure(server, DOCUMENT)
    assert changed is False and result["changes"] == [] and result["applied"] == []
    assert server.names() == [
        "get_email_configuration",
        "get_email_recipients",
        "get_email_recipients",
        "has_smtp_password",
    ]
    assert [call[1] for call in server.calls[1:3]] == ["NewSync", "Summary"]


def test_check_mode_predicts_what_the_run_does_and_writes_nothing():
    server = FakeMailServer()
    predicted_changed, predicted = ensure(server, DOCUMENT, check_mode=True)
    assert not WRITES & set(server.names())
    real_changed, real = ensure(server, DOCUMENT)
    assert predicted_changed is real_changed is True
    assert predicted["changes"] == real["changes"] and predicted["diff"] == real["diff"]
    assert predicted["applied"] == [] and real["applied"]


def test_only_the_declared_keys_are_read_and_written():
    server = FakeMailServer(row=email_row(SmtpHostName="old.example.com", SmtpUserDisplayName="Keep Me"))
    changed, result = ensure(server, {"smtp": {"port": 2525}})
    assert server.names() == ["get_email_configuration", "set_email_configuration"]
    assert result["changes"] == ["notifications.smtp.port: 25 -> 2525"]
    assert server.row.get_str("SmtpHostName") == "old.example.com"
    assert server.row.get_str("SmtpUserDisplayName") == "Keep Me"
    assert result["diff"] == {
        "before": {"notifications": {"smtp": {"port": 25}}},
        "after": {"notifications": {"smtp": {"port": 2525}}},
    }


def test_recipients_are_an_exact_set_compared_case_insensitively():
    server = FakeMailServer(lists={"NewSync": "A@Example.com; b@example.com"})
    changed, result = ensure(server, {"new_updates": {"recipients": ["a@example.com", "B@EXAMPLE.com"]}})
    assert changed is False and result["changes"] == []
    changed, result = ensure(server, {"new_updates": {"recipients": ["a@example.com"]}})
    assert result["changes"] == ["notifications.new_updates.recipients: -b@example.com"]
    assert server.lists["NewSync"] == "a@example.com"


def test_an_empty_list_clears_it():
    server = FakeMailServer(lists={"Summary": "a@example.com"})
    changed, result = ensure(server, {"status_report": {"recipients": []}})
    assert changed and server.lists["Summary"] == ""
    assert ("set_email_recipients", "Summary", []) in server.calls


def test_password_on_create_is_sent_only_when_the_server_has_none():
    server = FakeMailServer(password="old")
    document = {"smtp": {"user": "u", "authentication": True, "password": SECRET}}
    server.row = email_row(SmtpUserName="u", SmtpServerRequireAuthentication=True)
    changed, result = ensure(server, document)
    assert changed is False and server.password == "old"
    assert result["diff"]["after"]["notifications"]["smtp"]["password"] == MASK
    changed, result = ensure(server, dict(document, smtp=dict(document["smtp"], update_password="always")))
    assert changed is True and server.password == SECRET
    assert result["changes"] == ["notifications.smtp.password: set (update_password: always)"]


def test_password_on_create_is_sent_when_the_user_changes():
    # The new user must not log on with the old user's password (as proxy.password).
    server = FakeMailServer(password="old", row=email_row(SmtpUserName="old", SmtpServerRequireAuthentication=True))
    document = {"smtp": {"user": "new", "password": SECRET}}
    changed, result = ensure(server, document)
    assert changed is True and server.password == SECRET
    assert result["changes"] == [
        "notifications.smtp.user: old -> new",
        "notifications.smtp.password: set (the user name changes)",
    ]
    assert server.names().count("set_smtp_password") == 1
    changed, result = ensure(server, {"smtp": {"user": "NEW", "password": "other"}})  # same user, other case
    assert changed is False and server.password == SECRET


def test_the_time_is_compared_at_minute_precision_and_shown_with_its_utc_value():
    server = FakeMailServer(row=email_row(statusNotificationTimeOfDay=21630))  # 06:00:30 UTC
    changed, result = ensure(server, {"status_report": {"time": "07:00", "timezone": "Europe/Berlin"}})
    assert changed is False
    after = result["diff"]["after"]["notifications"]["status_report"]
    assert after["time"] == "07:00" and after["time_utc"] == "06:00"


def test_a_dst_change_within_a_year_is_noted_with_its_day_and_the_new_local_time():
    server = FakeMailServer()
    changed, result = ensure(server, {"status_report": {"time": "07:00", "timezone": "Europe/Berlin"}})
    assert "on 2027-03-28 Europe/Berlin changes its UTC offset" in result["dst_note"]
    assert "will then mean 08:00 local time instead of 07:00" in result["dst_note"]
    assert result["diff"]["after"]["notifications"]["status_report"]["dst_note"] == result["dst_note"]
    changed, result = ensure(server, {"status_report": {"time": "07:00", "timezone": "Asia/Tokyo"}})
    assert result["dst_note"] is None


@pytest.mark.parametrize("seconds", [-1, 86400, 25200000])
def test_a_stored_time_that_is_no_seconds_of_a_day_is_refused_not_guessed(seconds):
    server = FakeMailServer(row=email_row(statusNotificationTimeOfDay=seconds))
    with pytest.raises(state.NotificationsError, match=r"^notifications\.status_report\.time: .*%s" % seconds):
        ensure(server, {"status_report": {"time": "07:00"}})
    assert not WRITES & set(server.names())
    # the rest of the section is still managed
    assert ensure(server, {"status_report": {"enabled": False}})[0] is False


@pytest.mark.parametrize(
    "document, server_kwargs, path",
    [
        ({"new_updates": {"enabled": True, "recipients": []}}, {}, "notifications.new_updates.recipients"),
        ({"new_updates": {"enabled": True}}, {}, "notifications.new_updates.recipients"),
        (
            {"status_report": {"recipients": []}},
            {"row": email_row(EmailNeedToSendStatusNotification=True)},
            "notifications.status_report.recipients",
        ),
        ({"smtp": {"authentication": True}}, {}, "notifications.smtp.user"),
        ({"smtp": {"user": ""}}, {"row": email_row(SmtpServerRequireAuthentication=True)}, "notifications.smtp.user"),
        ({"status_report": {"time": "07:00", "timezone": "Mars/Olympus"}}, {}, "notifications.status_report.timezone"),
        ({"status_report": {"timezone": "Mars/Olympus"}}, {}, "notifications.status_report.timezone"),
        ({"status_report": {"time": "25:00"}}, {}, "notifications.status_report.time"),
    ],
)
def test_what_wsus_could_not_use_is_refused_before_any_write(document, server_kwargs, path):
    server = FakeMailServer(**server_kwargs)
    with pytest.raises(state.NotificationsError) as error:
        ensure(server, document)
    assert str(error.value).startswith(path + ":"), str(error.value)
    assert not WRITES & set(server.names())


def test_enabled_true_reads_the_list_to_check_it_and_a_list_that_is_there_passes():
    server = FakeMailServer(lists={"NewSync": "a@example.com"})
    changed, result = ensure(server, {"new_updates": {"enabled": True}})
    assert changed and ("get_email_recipients", "NewSync") in server.calls
    assert ("get_email_recipients", "Summary") not in server.calls


# ------------------------------------------------------------------ writes that fail


def test_a_failed_write_says_what_was_and_was_not_applied():
    fault = invalid_operation("ExecuteSPSetEmailNotificationRecipients", "the database is busy")
    server = FakeMailServer(fail={"set_email_recipients": fault})
    with pytest.raises(ApplyError) as error:
        ensure(server, DOCUMENT)
    message = str(error.value)
    assert "Applied: configuration." in message
    assert "Not applied: new_updates recipients, status_report recipients, smtp password." in message
    assert SECRET not in message
    assert "set_smtp_password" not in server.names()


def test_a_failed_mail_write_gets_no_synchronization_advice():
    # The "wait for the synchronization or stop it" advice is the sync options'; a mail write gets a rerun.
    fault = invalid_operation("ExecuteSPSetEmailNotificationConfiguration", "a synchronization is running")
    server = FakeMailServer(fail={"set_email_configuration": fault})
    with pytest.raises(ApplyError) as error:
        ensure(server, {"language": "de"})
    message = str(error.value)
    assert message.endswith("Applied: nothing. Not applied: configuration. Running the task again applies the rest.")
    assert "ops.wsus.sync" not in message


def test_a_fault_while_setting_the_password_never_shows_it():
    fault = invalid_operation("SetSmtpUserPassword", "access denied")
    server = FakeMailServer(fail={"set_smtp_password": fault})
    with pytest.raises(ApplyError) as error:
        ensure(server, DOCUMENT)
    text = str(error.value)
    assert "Not applied: smtp password." in text
    for form in (
        SECRET,
        base64.b64encode(SECRET.encode("utf-16-le")).decode(),
        base64.b64encode(SECRET.encode()).decode(),
    ):
        assert form not in text


# ------------------------------------------------------------------ the test e-mail


def test_send_test_email_on_change_sends_once_with_the_settings_as_written():
    server = FakeMailServer()
    changed, result = ensure(server, DOCUMENT, send_test_email="on_change")
    assert server.names().count("send_test_email") == 1
    assert server.sent == [
        (
            "en",
            "CONTOSO\\wsus-mail",
            "wsus@example.com",
            "smtp.example.com",
            587,
            ["wsus-admins@example.com", "ops@example.com"],
        )
    ]
    assert result["test_email"] == {
        "sent": True,
        "recipients": ["wsus-admins@example.com", "ops@example.com"],
        "error": None,
    }
    # nothing changes the second time: on_change sends nothing, always does
    changed, result = ensure(server, DOCUMENT, send_test_email="on_change")
    assert changed is False and result["test_email"]["sent"] is False and len(server.sent) == 1
    changed, result = ensure(server, DOCUMENT, send_test_email="always")
    assert changed is False and result["test_email"]["sent"] is True and len(server.sent) == 2


def test_send_test_email_is_never_sent_in_check_mode():
    server = FakeMailServer()
    changed, result = ensure(server, DOCUMENT, send_test_email="always", check_mode=True)
    assert server.sent == [] and result["test_email"]["sent"] is False
    assert result["test_email"]["recipients"] == ["wsus-admins@example.com", "ops@example.com"]


def test_send_test_email_with_no_recipient_anywhere_fails_before_any_write():
    server = FakeMailServer()
    with pytest.raises(state.NotificationsError, match="^send_test_email: always, .*no one"):
        ensure(server, {"smtp": {"port": 2525}}, send_test_email="always")
    assert not WRITES & set(server.names())


def test_a_test_email_refused_by_the_server_fails_with_its_text_and_what_was_applied():
    fault = WsusSoapFault(
        "WSUS rejected SendTestEmail",
        "SendTestEmail",
        "soap:Server",
        "... ---> System.Net.Mail.SmtpException: Mailbox unavailable",
        "System.Net.Mail.SmtpException",
        "Mailbox unavailable",
    )
    server = FakeMailServer(fail={"send_test_email": fault})
    with pytest.raises(io.TestEmailError) as error:
        ensure(server, DOCUMENT, send_test_email="on_change")
    assert str(error.value).startswith("notifications applied (configuration, new_updates recipients")
    assert str(error.value).endswith("the test e-mail failed: Mailbox unavailable")
    assert error.value.result["changed"] is True
    assert error.value.result["test_email"]["error"] == "Mailbox unavailable"
    assert "diff" not in error.value.result


# ------------------------------------------------------------------ the reader (server_info)


def test_read_then_apply_is_no_change():
    server = FakeMailServer()
    ensure(server, DOCUMENT)
    exported = io.read_section(server, "Europe/Berlin", NOW)
    assert "password" not in exported["smtp"]
    assert exported["status_report"]["time"] == "07:00" and exported["status_report"]["timezone"] == "Europe/Berlin"
    assert exported["new_updates"]["recipients"] == ["wsus-admins@example.com", "ops@example.com"]
    server.calls.clear()
    changed, result = ensure(server, exported)
    assert changed is False and result["changes"] == []
    assert not WRITES & set(server.names())


def test_a_fresh_server_reads_as_a_section_that_is_no_change():
    server = FakeMailServer()
    exported = io.read_section(server)
    assert exported == {
        "language": "en",
        "new_updates": {"enabled": False, "recipients": []},
        "status_report": {
            "enabled": False,
            "frequency": "weekly",
            "time": "00:00",
            "timezone": "UTC",
            "recipients": [],
        },
        "smtp": {"port": 25, "authentication": False},
    }
    assert ensure(server, exported)[0] is False


def test_the_reader_leaves_out_a_time_it_cannot_read():
    server = FakeMailServer(row=email_row(statusNotificationTimeOfDay=90000))
    assert "time" not in io.read_section(server)["status_report"]
