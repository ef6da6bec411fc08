"""ops.wsus.notifications and the role's notifications through ansible-playbook against the emulator, with a
real SMTP server on loopback (wsus_emulator.testing.smtp_sink): converge then no-op, check mode predicts and
writes nothing, the new-updates mail after a synchronization, the test e-mail, server_info's round trip, and
the SMTP password nowhere in the output (issue 15's acceptance)."""

from __future__ import annotations

import sys

import pytest

from support.documents import notifications_section
from support.fixtures import module_emulator
from support.operations import WRITES
from support.playbook import connection_defaults, play, run_playbook
from support.secrets import leaks
from wsus_emulator.testing import smtp_sink

SMTP_USER = "CONTOSO\\wsus-mail"
SMTP_PASSWORD = "Smtp-S3cret-Pa55"
RECIPIENTS = ["wsus-admins@example.com", "ops@example.com"]
ROLE_TASK = "ops.wsus.wsus_sync : Apply the e-mail notifications"
EMAIL_READS = [
    "ExecuteSPGetEmailNotificationConfiguration",
    "ExecuteSPGetEmailNotificationRecipients",
    "ExecuteSPGetEmailNotificationRecipients",
    "HasSmtpUserPassword",
]

mail_emulator = module_emulator("--sync-seconds", "0.5")


@pytest.fixture
def emu(mail_emulator):
    mail_emulator.reset()
    yield mail_emulator
    mail_emulator.reset()


@pytest.fixture
def sink():
    with smtp_sink(auth={"user": SMTP_USER, "password": SMTP_PASSWORD}) as server:
        yield server


def section(port, **changes):
    """Sync notifications to two recipients through an authenticated SMTP server on loopback."""
    document = notifications_section(SMTP_PASSWORD, host="127.0.0.1", port=port)
    document["status_report"] = {"enabled": False, "recipients": ["wsus-admins@example.com"]}
    document.update(changes)
    return document


def apply(server, collections_path, document, args=("--diff",), name="notifications", **task_options):
    task = {"name": name, "ops.wsus.notifications": dict(document, **task_options), "register": "out"}
    return run_playbook([play([task], connection_defaults(server))], collections_path, extra_args=list(args))


def role(server, collections_path, wsus_sync, args=(), **role_vars):
    host_vars = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "wsus_server": "127.0.0.1",
        "wsus_port": server.ports[0],
        "wsus_username": "WSUS\\admin",
        "wsus_password": "Passw0rd!",
        "wsus_auth": "ntlm",
        "wsus_timeout": 10,
        "wsus_sync_poll_interval": 1,
        "wsus_sync": wsus_sync,
    }
    host_vars.update(role_vars)
    plays = [{"name": "role", "hosts": "wsus01", "gather_facts": False, "roles": [{"role": "ops.wsus.wsus_sync"}]}]
    run = run_playbook(plays, collections_path, inventory={"all": {"hosts": {"wsus01": host_vars}}}, extra_args=args)
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run


@pytest.mark.smoke
def test_the_role_converges_after_check_mode_predicted_it_then_no_ops(emu, sink, collections_path):
    document = {"notifications": section(sink.port)}
    predicted = role(emu, collections_path, document, args=("--check", "--diff"), wsus_sync_run="on_change")
    check = predicted.result(ROLE_TASK)
    assert check["changed"] is True and check["applied"] == []
    assert not WRITES & set(emu.operations()), emu.operations()
    emu.clear_requests()

    applied = role(emu, collections_path, document, args=("--diff",), wsus_sync_run="on_change")
    result = applied.result(ROLE_TASK)
    assert result["changed"] is True
    assert result["changes"] == check["changes"], "check mode predicted other changes than the run made"
    assert result["applied"] == ["configuration", "new_updates recipients", "status_report recipients", "smtp password"]
    assert "notifications.new_updates.recipients: +wsus-admins@example.com, +ops@example.com" in result["changes"]
    # a notifications change is no reason to synchronize (wsus_sync_run: on_change looks at the options only)
    assert "StartSubscriptionManually" not in emu.operations()
    assert applied.result("ops.wsus.wsus_sync : Synchronize the server").get("skipped") is True
    email = emu.state()["email"]
    assert email["configuration"]["SmtpPort"] == sink.port
    assert email["configuration"]["SmtpServerRequireAuthentication"] is True
    assert email["smtp_password_set"] is True
    assert leaks(predicted.stdout + applied.stdout + predicted.stderr + applied.stderr, (SMTP_PASSWORD,)) == []
    emu.clear_requests()

    again = role(emu, collections_path, document, wsus_sync_run="on_change")
    assert again.result(ROLE_TASK)["changed"] is False
    operations = emu.operations()
    assert not WRITES & set(operations), operations
    assert sorted(op for op in operations if "Email" in op or "Smtp" in op) == sorted(EMAIL_READS)
    # the password the role stored is the declared one: the server logs on with it (the sink accepts no other),
    # and this task does not write it again (update_password: on_create)
    emu.clear_requests()
    assert apply(emu, collections_path, section(sink.port), send_test_email="always").rc == 0
    assert "SetSmtpUserPassword" not in emu.operations()
    [message] = sink.wait_for(1)
    assert (message.auth_user, message.auth_password) == (SMTP_USER, SMTP_PASSWORD)


def test_a_sync_with_new_updates_mails_the_two_recipients_once(emu, sink, collections_path):
    assert apply(emu, collections_path, section(sink.port)).rc == 0
    emu.control("POST", "settings", {"new_updates_per_sync": 2})
    run = role(emu, collections_path, {}, wsus_sync_run="always")
    assert run.result("ops.wsus.wsus_sync : Synchronize the server")["result"] == "succeeded"
    [message] = sink.wait_for(1)
    assert sorted(message.rcpt_tos) == sorted(RECIPIENTS)
    assert message.subject.startswith("WSUS: New Update(s) Alert From")
    assert message.from_header == "WSUS Contoso <wsus@example.com>"
    assert (message.auth_user, message.auth_password) == (SMTP_USER, SMTP_PASSWORD)
    assert len(sink.messages) == 1


def test_send_test_email_on_change_then_always_delivers_one_message_each(emu, sink, collections_path):
    first = apply(emu, collections_path, section(sink.port), send_test_email="on_change")
    assert first.rc == 0, first.stdout[-3000:]
    result = first.result("notifications")
    assert result["test_email"] == {"sent": True, "recipients": RECIPIENTS, "error": None}
    [message] = sink.wait_for(1)
    assert message.subject.startswith("WSUS: Test e-mail from")
    assert sorted(message.rcpt_tos) == sorted(RECIPIENTS)
    assert (message.auth_user, message.auth_password) == (SMTP_USER, SMTP_PASSWORD)
    assert emu.operations().count("SendTestEmail") == 1

    unchanged = apply(emu, collections_path, section(sink.port), send_test_email="on_change").result("notifications")
    assert unchanged["changed"] is False and unchanged["test_email"]["sent"] is False
    always = apply(emu, collections_path, section(sink.port), send_test_email="always").result("notifications")
    assert always["changed"] is False and always["test_email"]["sent"] is True
    assert len(sink.wait_for(2)) == 2 and emu.operations().count("SendTestEmail") == 2


def test_a_refused_test_email_fails_the_task_with_the_servers_answer(emu, collections_path):
    with smtp_sink(auth={"user": SMTP_USER, "password": "another-password"}) as strict:
        run = apply(emu, collections_path, section(strict.port), send_test_email="always", name="refused")
        assert strict.messages == []
    result = run.result("refused")
    assert run.rc != 0 and result["failed"] is True
    assert "notifications applied (configuration, new_updates recipients" in result["msg"]
    assert "the test e-mail failed: " in result["msg"]
    assert result["test_email"]["sent"] is False and result["test_email"]["error"]
    assert leaks(run.stdout + run.stderr, (SMTP_PASSWORD,)) == []


def test_check_mode_sends_no_test_email_and_writes_nothing(emu, sink, collections_path):
    run = apply(emu, collections_path, section(sink.port), args=("--check", "--diff"), send_test_email="always")
    result = run.result("notifications")
    assert result["changed"] is True and result["test_email"]["sent"] is False
    assert not WRITES & set(emu.operations())
    assert sink.messages == []


def test_server_info_exports_a_section_that_applies_as_no_change(emu, sink, collections_path):
    document = notifications_section(SMTP_PASSWORD, host="127.0.0.1", port=sink.port)
    assert apply(emu, collections_path, document).rc == 0
    info = run_playbook(
        [
            play(
                [
                    {
                        "name": "info",
                        "ops.wsus.server_info": {"gather": ["notifications"], "timezone": "Europe/Berlin"},
                        "register": "info",
                    }
                ],
                connection_defaults(emu),
            )
        ],
        collections_path,
    ).result("info")
    exported = info["notifications"]
    assert "password" not in exported["smtp"] and exported["smtp"]["user"] == SMTP_USER
    assert exported["status_report"]["time"] == "07:00" and exported["new_updates"]["recipients"] == RECIPIENTS
    emu.clear_requests()
    again = apply(emu, collections_path, exported).result("notifications")
    assert again["changed"] is False and again["changes"] == []
    assert not WRITES & set(emu.operations())


def test_a_hostile_address_is_refused_before_the_server_is_contacted(emu, collections_path):
    document = section(2525, new_updates={"enabled": True, "recipients": ["Ops <ops@example.com>"]})
    run = apply(emu, collections_path, document, name="hostile")
    result = run.result("hostile")
    assert result["failed"] is True
    assert "wsus_sync.notifications.new_updates.recipients[0]" in result["msg"]
    assert emu.operations() == []
    assert SMTP_PASSWORD not in run.stdout + run.stderr
