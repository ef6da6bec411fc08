"""E-mail notifications (issue 15): the configuration row, recipient lists and SMTP password operations, real
delivery of the test e-mail and of the new-updates e-mail to an SMTP server on loopback, the mail log, roles,
persistence, and the answers against the live WSDL."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time

import pytest

from emuproc import Emulator
from wsus_emulator.testing import free_port, smtp_sink
import wsusclient
from wsusclient import TNS, body_errors, children, live_schema, run_sync, scalar, xml_escape

SMTP_PASSWORD = "Sm7p-s3cret!pw"
ROW_ORDER = [
    "statusNotificationTimeOfDay",
    "EmailNeedToSendNewSyncNotification",
    "EmailNeedToSendStatusNotification",
    "StatusNotification",
    "SmtpServerRequireAuthentication",
    "SmtpHostName",
    "SmtpPort",
    "SmtpUserName",
    "SmtpUserDisplayName",
    "SmtpUserMailAddress",
    "EmailLanguage",
    "LastModifiedTime",
    "LastModifiedBy",
]
SUBJECT_TEST = "WSUS: Test e-mail from %s"  # the server's name (its start line's "names")
SUBJECT_NEW = "WSUS: New Update(s) Alert From %s"


# ------------------------------------------------------------------------------------------------ helpers
def get_row(client):
    result = client.ok("ExecuteSPGetEmailNotificationConfiguration").result(
        "ExecuteSPGetEmailNotificationConfiguration"
    )
    return children(result)


def row_xml(values, tag="setting"):
    """An EmailNotificationConfigurationRow from (name, value) pairs in the order given (None: omitted)."""
    parts = []
    for name, value in values:
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else xml_escape(str(value))
        parts.append("<%s>%s</%s>" % (name, text, name))
    return "<%s>%s</%s>" % (tag, "".join(parts), tag)


def set_row(client, **changes):
    """Read the row, change ``changes``, write it back (the client's read-modify-write)."""
    return client.call(
        "ExecuteSPSetEmailNotificationConfiguration", wsusclient.row_xml(get_row(client), changes, "setting")
    )


def set_recipients(client, text, kind):
    inner = "" if text is None else "<recipients>%s</recipients>" % xml_escape(text)
    return client.call(
        "ExecuteSPSetEmailNotificationRecipients", inner + "<notificationType>%s</notificationType>" % kind
    )


def get_recipients(client, kind):
    """The stored list: its text, or None when the result element is absent (a nil string)."""
    result = client.ok("ExecuteSPGetEmailNotificationRecipients", "<value>%s</value>" % kind).result(
        "ExecuteSPGetEmailNotificationRecipients"
    )
    return None if result is None else (result.text or "")


def set_password(client, password):
    data = base64.b64encode(password.encode("utf-16-le")).decode("ascii")
    return client.call("SetSmtpUserPassword", "<passwordBytes>%s</passwordBytes>" % data)


def send_test(
    client,
    port,
    recipients="wsus-admins@example.com",
    sender="wsus@example.com",
    host="127.0.0.1",
    user="CONTOSO\\wsus-mail",
):
    return client.call("SendTestEmail", send_test_xml(port, recipients, sender, host, user))


def send_test_xml(
    port, recipients="wsus-admins@example.com", sender="wsus@example.com", host="127.0.0.1", user="CONTOSO\\wsus-mail"
):
    return "".join(
        "<%s>%s</%s>" % (name, xml_escape(value), name)
        for name, value in (
            ("emailLanguage", "en"),
            ("smtpUserName", user),
            ("senderEmailAddress", sender),
            ("smtpHostName", host),
            ("smtpPort", str(port)),
            ("recipients", recipients),
        )
        if value is not None
    )


def expect_ok(response, operation):
    assert response.status == 200, "%s: %s" % (operation, response.text[:2000])


def configure(client, port, authentication=False, new_sync=True, display="WSUS Contoso"):
    expect_ok(
        set_row(
            client,
            EmailNeedToSendNewSyncNotification=new_sync,
            SmtpServerRequireAuthentication=authentication,
            SmtpHostName="127.0.0.1",
            SmtpPort=port,
            SmtpUserName="CONTOSO\\wsus-mail",
            SmtpUserDisplayName=display,
            SmtpUserMailAddress="wsus@example.com",
        ),
        "set row",
    )


def wait_mail_log(emu, count, limit=10.0):
    deadline = time.time() + limit
    while len(emu.mail_log()) < count:
        assert time.time() < deadline, "mail log: %r" % emu.mail_log()
        time.sleep(0.05)
    return emu.mail_log()


@pytest.fixture
def fast(emu):
    emu.control("POST", "settings", {"sync_seconds": 0.2})  # a reset restores the command line's
    return emu


# ------------------------------------------------------------------------------------------------ the row
def test_fresh_row_in_wsdl_order_with_defaults(admin):
    fields = get_row(admin)
    assert [field[0] for field in fields] == ROW_ORDER
    assert dict(fields) == {
        "statusNotificationTimeOfDay": "0",
        "EmailNeedToSendNewSyncNotification": "false",
        "EmailNeedToSendStatusNotification": "false",
        "StatusNotification": "Weekly",
        "SmtpServerRequireAuthentication": "false",
        "SmtpHostName": "",
        "SmtpPort": "25",
        "SmtpUserName": "",
        "SmtpUserDisplayName": "",
        "SmtpUserMailAddress": "",
        "EmailLanguage": "en",
        "LastModifiedTime": "1753-01-01T00:00:00",
        "LastModifiedBy": "",
    }


def test_row_round_trip_stores_every_field_as_sent(admin):
    values = [
        ("statusNotificationTimeOfDay", 21600),
        ("EmailNeedToSendNewSyncNotification", True),
        ("EmailNeedToSendStatusNotification", True),
        ("StatusNotification", "Daily"),
        ("SmtpServerRequireAuthentication", True),
        ("SmtpHostName", "smtp.example.com"),
        ("SmtpPort", 587),
        ("SmtpUserName", "CONTOSO\\wsus-mail"),
        ("SmtpUserDisplayName", "WSUS & Contoso"),
        ("SmtpUserMailAddress", "wsus@example.com"),
        ("EmailLanguage", "de"),
        ("LastModifiedTime", "2026-12-01T07:08:09.123"),
        ("LastModifiedBy", "WSUS\\admin"),
    ]
    admin.ok("ExecuteSPSetEmailNotificationConfiguration", row_xml(values))
    expected = [(name, ("true" if v else "false") if isinstance(v, bool) else str(v)) for name, v in values]
    assert get_row(admin) == expected


def test_an_omitted_string_reads_back_omitted_and_an_empty_one_empty(admin):
    values = list(get_row(admin))
    values = [(name, None if name == "SmtpUserDisplayName" else text) for name, text in values]
    values = [(name, "" if name == "EmailLanguage" else text) for name, text in values]
    admin.ok("ExecuteSPSetEmailNotificationConfiguration", row_xml(values))
    names = [field[0] for field in get_row(admin)]
    assert "SmtpUserDisplayName" not in names
    assert dict(get_row(admin))["EmailLanguage"] == ""


@pytest.mark.parametrize(
    "changes, fault_type, words",
    [
        ({"StatusNotification": "daily"}, "System.InvalidOperationException", "Instance validation error: 'daily'"),
        ({"StatusNotification": "Monthly"}, "System.InvalidOperationException", "EmailStatusNotificationFrequency"),
        ({"SmtpPort": 0}, "System.ArgumentOutOfRangeException", "SmtpPort"),
        ({"SmtpPort": 65536}, "System.ArgumentOutOfRangeException", "SmtpPort"),
        ({"statusNotificationTimeOfDay": 86400}, "System.ArgumentOutOfRangeException", "statusNotificationTimeOfDay"),
        ({"statusNotificationTimeOfDay": -1}, "System.ArgumentOutOfRangeException", "statusNotificationTimeOfDay"),
        ({"SmtpPort": "x"}, "System.FormatException", "Int32"),
    ],
)
def test_bad_row_values_are_refused_and_change_nothing(admin, changes, fault_type, words):
    before = get_row(admin)
    response = set_row(admin, **changes)
    assert response.fault["type"] == fault_type, response.text
    assert words in response.fault["message"]
    assert get_row(admin) == before


def test_bad_enum_is_a_client_fault_like_xmlserializer(admin):
    response = set_row(admin, StatusNotification="daily")
    assert response.fault["code"] == "soap:Client"
    assert "Server was unable to read request" in response.fault["string"]


def test_a_missing_setting_is_argument_null(admin):
    response = admin.call("ExecuteSPSetEmailNotificationConfiguration")
    assert response.fault["type"] == "System.ArgumentNullException"
    assert "setting" in response.fault["message"]


def test_a_row_missing_a_required_field_is_refused(admin):
    values = [(name, text) for name, text in get_row(admin) if name != "SmtpPort"]
    response = admin.call("ExecuteSPSetEmailNotificationConfiguration", row_xml(values))
    assert response.fault["code"] == "soap:Client"
    assert "SmtpPort" in response.fault["message"]


# ------------------------------------------------------------------------------------------------ recipients
def test_recipient_lists_are_stored_and_returned_as_written(admin):
    assert [get_recipients(admin, kind) for kind in ("NewSync", "Summary", "Test")] == ["", "", ""]
    written = "wsus-admins@example.com;  ops@example.com ,x@example.org"
    expect_ok(set_recipients(admin, written, "NewSync"), "set")
    expect_ok(set_recipients(admin, "boss@example.com", "Summary"), "set")
    assert get_recipients(admin, "NewSync") == written
    assert get_recipients(admin, "Summary") == "boss@example.com"
    assert get_recipients(admin, "Test") == ""
    expect_ok(set_recipients(admin, "", "NewSync"), "clear")
    assert get_recipients(admin, "NewSync") == ""


def test_an_absent_recipients_string_reads_back_nil(admin):
    expect_ok(set_recipients(admin, None, "Summary"), "set")
    assert get_recipients(admin, "Summary") is None
    response = admin.ok("ExecuteSPGetEmailNotificationRecipients", "<value>Summary</value>")
    assert "ExecuteSPGetEmailNotificationRecipientsResult" not in response.text


def test_xsi_nil_recipients_read_as_empty_like_xmlserializer(admin):
    expect_ok(set_recipients(admin, "a@example.com", "NewSync"), "set")
    response = admin.call(
        "ExecuteSPSetEmailNotificationRecipients",
        '<recipients xsi:nil="true" /><notificationType>NewSync</notificationType>',
    )
    expect_ok(response, "nil")
    assert get_recipients(admin, "NewSync") == ""


def test_a_recipient_list_of_2560_characters_is_refused(admin):
    longest = ("a" * 2547) + "@example.com"  # 2559 characters: accepted
    assert len(longest) == 2559
    expect_ok(set_recipients(admin, longest, "NewSync"), "2559")
    response = set_recipients(admin, longest + "m", "NewSync")
    assert response.fault["type"] == "System.ArgumentOutOfRangeException"
    assert "2560" in response.fault["message"]
    assert get_recipients(admin, "NewSync") == longest


@pytest.mark.parametrize("kind", ["newsync", "", "Other"])
def test_bad_notification_type_is_a_client_fault(admin, kind):
    response = admin.call("ExecuteSPGetEmailNotificationRecipients", "<value>%s</value>" % kind)
    assert response.fault["code"] == "soap:Client"
    assert "is not a valid value for EmailNotificationType" in response.fault["message"]


# ------------------------------------------------------------------------------------------------ password
def test_smtp_password_is_write_only_and_never_shown(admin, emu):
    assert scalar(admin, "HasSmtpUserPassword") == "false"
    expect_ok(set_password(admin, SMTP_PASSWORD), "set")
    assert scalar(admin, "HasSmtpUserPassword") == "true"
    assert scalar(admin, "HasProxyPassword") == "false"  # a separate secret
    shown = json.dumps(
        [emu.requests(), emu.state(), emu.mail_log(), emu.control("GET", "email"), emu.control("GET", "settings")]
    )
    assert SMTP_PASSWORD not in shown
    assert emu.control("GET", "email")["smtp_password_set"] is True
    admin.ok("SetSmtpUserPassword", '<passwordBytes xsi:nil="true" />')
    assert scalar(admin, "HasSmtpUserPassword") == "false"
    expect_ok(set_password(admin, SMTP_PASSWORD), "again")
    admin.ok("SetSmtpUserPassword")
    assert scalar(admin, "HasSmtpUserPassword") == "false"


def test_smtp_password_bytes_must_be_utf16(admin):
    response = admin.call(
        "SetSmtpUserPassword", "<passwordBytes>%s</passwordBytes>" % base64.b64encode(b"abc").decode()
    )
    assert response.fault["type"] == "System.ArgumentException"
    assert scalar(admin, "HasSmtpUserPassword") == "false"


# ------------------------------------------------------------------------------------------------ test e-mail
def test_send_test_email_delivers_one_message_without_auth(admin, emu):
    with smtp_sink() as sink:
        configure(admin, sink.port)
        expect_ok(send_test(admin, sink.port, "wsus-admins@example.com; ops@example.com", "sender@example.com"), "send")
        [message] = sink.wait_for(1)
    assert message.rcpt_tos == ["wsus-admins@example.com", "ops@example.com"]
    assert message.mail_from == "sender@example.com"
    assert message.from_header == "WSUS Contoso <sender@example.com>"
    assert message.subject == SUBJECT_TEST % emu.info["names"][0]
    assert message.auth_user is None
    [entry] = emu.mail_log()
    assert entry["kind"] == "test" and entry["ok"] is True and entry["error"] is None
    assert entry["to"] == ["wsus-admins@example.com", "ops@example.com"]
    assert entry["subject"] == SUBJECT_TEST % emu.info["names"][0]
    assert entry["authenticated"] is False


def test_send_test_email_logs_on_with_the_stored_password(admin, emu):
    with smtp_sink(auth={"user": "CONTOSO\\wsus-mail", "password": SMTP_PASSWORD}) as sink:
        configure(admin, sink.port, authentication=True)
        expect_ok(set_password(admin, SMTP_PASSWORD), "password")
        expect_ok(send_test(admin, sink.port), "send")
        [message] = sink.wait_for(1)
    assert message.auth_user == "CONTOSO\\wsus-mail"
    assert message.auth_password == SMTP_PASSWORD
    assert message.rcpt_tos == ["wsus-admins@example.com"]
    assert emu.mail_log()[0]["authenticated"] is True
    assert SMTP_PASSWORD not in json.dumps([emu.mail_log(), emu.requests(), emu.state()])


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_non_ascii_password_logs_on_as_utf8_with_plain_or_login(admin, mechanism):
    password = "pässwörd-€"
    other = ["LOGIN"] if mechanism == "PLAIN" else ["PLAIN"]
    with smtp_sink(auth={"user": "CONTOSO\\wsus-mail", "password": password}, exclude_mechanisms=other) as sink:
        configure(admin, sink.port, authentication=True)
        expect_ok(set_password(admin, password), "password")
        expect_ok(send_test(admin, sink.port), "send")
        [message] = sink.wait_for(1)
    assert message.auth_password == password
    assert [attempt["mechanism"] for attempt in sink.auth_attempts] == [mechanism]


def test_send_test_email_with_a_wrong_password_is_an_smtp_fault_without_the_password(admin, emu):
    with smtp_sink(auth={"user": "CONTOSO\\wsus-mail", "password": SMTP_PASSWORD}) as sink:
        configure(admin, sink.port, authentication=True)
        expect_ok(set_password(admin, "not-the-one"), "password")
        response = send_test(admin, sink.port)
        assert sink.messages == []
    assert response.fault["type"] == "System.Net.Mail.SmtpException"
    assert "535" in response.fault["message"]
    assert "127.0.0.1:%d" % sink.port in response.fault["message"]
    assert "not-the-one" not in response.text
    [entry] = emu.mail_log()
    assert entry["ok"] is False and "535" in entry["error"]


@contextlib.contextmanager
def echoing_smtp(mechanism):
    """An SMTP server on loopback that offers AUTH ``mechanism`` and refuses every credential with a 535 reply
    that echoes the line the client sent (what a careless server may do): base64 of the password for LOGIN,
    of user and password for PLAIN."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        connection, dummy = listener.accept()
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 echo ESMTP\r\n")
            for line in lines:
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                if text.upper().startswith(("EHLO", "HELO")):
                    connection.sendall(("250-echo\r\n250 AUTH %s\r\n" % mechanism).encode())
                elif text.upper().startswith("AUTH LOGIN"):
                    connection.sendall(b"334 UGFzc3dvcmQ6\r\n")
                elif text.upper().startswith("QUIT"):
                    connection.sendall(b"221 bye\r\n")
                    return
                else:
                    connection.sendall(("535 5.7.8 rejected: %s\r\n" % text).encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        thread.join(10)
        listener.close()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_the_base64_credentials_gets_them_masked(admin, emu, mechanism):
    user = "CONTOSO\\wsus-mail"
    with echoing_smtp(mechanism) as port:
        configure(admin, port, authentication=True)
        expect_ok(set_password(admin, SMTP_PASSWORD), "password")
        response = send_test(admin, port, user=user)
    assert response.fault["type"] == "System.Net.Mail.SmtpException"
    assert "535 5.7.8 rejected: " in response.fault["message"]
    assert "********" in response.fault["message"], "the echo was masked, not lost"
    forms = [
        SMTP_PASSWORD,
        base64.b64encode(SMTP_PASSWORD.encode("utf-8")).decode(),
        base64.b64encode(("\0%s\0%s" % (user, SMTP_PASSWORD)).encode("utf-8")).decode(),
    ]
    shown = response.text + json.dumps(emu.mail_log())
    assert [form for form in forms if form in shown] == []


def test_the_utf16le_base64_form_of_the_password_is_masked_too():
    from wsus_emulator.mail import _scrub

    utf16 = base64.b64encode(SMTP_PASSWORD.encode("utf-16-le")).decode()
    assert _scrub("535 rejected %s (%s)" % (utf16, SMTP_PASSWORD), SMTP_PASSWORD) == "535 rejected ******** (********)"
    assert _scrub("535 rejected", "") == "535 rejected"


def test_authentication_required_against_a_server_without_auth_is_a_fault(admin):
    with smtp_sink() as sink:
        configure(admin, sink.port, authentication=True)
        expect_ok(set_password(admin, SMTP_PASSWORD), "password")
        response = send_test(admin, sink.port)
        assert sink.messages == []
    assert response.fault["type"] == "System.Net.Mail.SmtpException"
    assert "AUTH" in response.fault["message"]


def test_send_test_email_to_a_closed_port_is_an_smtp_fault_saying_where(admin, emu):
    port = free_port()
    configure(admin, port)
    started = time.monotonic()
    response = send_test(admin, port)
    assert time.monotonic() - started < 5
    assert response.fault["type"] == "System.Net.Mail.SmtpException"
    assert "127.0.0.1:%d" % port in response.fault["message"]
    assert "refused" in response.fault["message"].lower()
    [entry] = emu.mail_log()
    assert entry["ok"] is False and entry["port"] == port


@pytest.mark.parametrize(
    "changes, fault_type",
    [
        ({"host": ""}, "System.InvalidOperationException"),
        ({"recipients": ""}, "System.InvalidOperationException"),
        ({"recipients": None}, "System.InvalidOperationException"),
        ({"recipients": "not an address"}, "System.FormatException"),
        ({"sender": ""}, "System.FormatException"),
        ({"sender": "wsus.example.com"}, "System.FormatException"),
    ],
)
def test_send_test_email_refuses_what_dotnet_mail_refuses(admin, emu, changes, fault_type):
    with smtp_sink() as sink:
        configure(admin, sink.port)
        response = send_test(admin, sink.port, **changes)
        assert sink.messages == []
    assert response.fault["type"] == fault_type, response.text
    assert emu.mail_log() == []


# ------------------------------------------------------------------------------------------------ new updates
def test_new_updates_mail_after_a_sync_goes_to_the_new_sync_recipients_only(admin, fast):
    fast.control("POST", "settings", {"new_updates_per_sync": 3})
    with smtp_sink() as sink:
        configure(admin, sink.port)
        expect_ok(set_recipients(admin, "wsus-admins@example.com, ops@example.com", "NewSync"), "NewSync")
        expect_ok(set_recipients(admin, "boss@example.com", "Summary"), "Summary")
        run_sync(admin)
        [message] = sink.wait_for(1)
        log = wait_mail_log(fast, 1)
    assert message.rcpt_tos == ["wsus-admins@example.com", "ops@example.com"]
    assert message.subject == SUBJECT_NEW % fast.info["names"][0]
    assert message.from_header == "WSUS Contoso <wsus@example.com>"
    assert message.mail_from == "wsus@example.com"
    assert "3 new update(s)" in message.body
    assert [(entry["kind"], entry["ok"]) for entry in log] == [("new_updates", True)]
    assert scalar(admin, "ExecuteSPGetUpdateCount", "<publicationState>0</publicationState>") == "3"
    assert fast.state()["sync"]["last_run"]["new_updates"] == 3


def test_no_new_updates_mail_when_off_empty_failed_category_only_or_nothing_new(admin, fast):
    """Each run that must not send comes first; the last one must, and it is the only message."""
    fast.control("POST", "settings", {"new_updates_per_sync": 2})
    with smtp_sink() as sink:
        configure(admin, sink.port, new_sync=False)
        expect_ok(set_recipients(admin, "wsus-admins@example.com", "NewSync"), "NewSync")
        run_sync(admin)  # the notification is off
        configure(admin, sink.port, new_sync=True)
        expect_ok(set_recipients(admin, "", "NewSync"), "empty")
        run_sync(admin)  # no one to tell
        expect_ok(set_recipients(admin, "wsus-admins@example.com", "NewSync"), "NewSync")
        fast.faults([{"next_sync_result": {"result": "failed"}}])
        run_sync(admin)  # failed
        fast.faults([{"next_sync_result": {"result": "canceled"}}])
        run_sync(admin)  # canceled
        run_sync(admin, "StartSubscriptionManuallyForCategoryOnly")  # no updates in a category-only run
        fast.control("POST", "settings", {"new_updates_per_sync": 0})
        run_sync(admin)  # nothing new
        fast.control("POST", "settings", {"new_updates_per_sync": 1})
        run_sync(admin)
        messages = sink.wait_for(1)
        time.sleep(0.3)  # a stray message from an earlier run would have arrived by now
    assert len(sink.messages) == 1
    assert "1 new update(s)" in messages[0].body
    assert [entry["kind"] for entry in fast.mail_log()] == ["new_updates"]
    assert scalar(admin, "ExecuteSPGetUpdateCount", "<publicationState>0</publicationState>") == "5"


def test_a_failed_new_updates_delivery_is_logged_and_the_run_succeeds(admin, fast):
    fast.control("POST", "settings", {"new_updates_per_sync": 1})
    configure(admin, free_port())
    expect_ok(set_recipients(admin, "wsus-admins@example.com", "NewSync"), "NewSync")
    run_sync(admin)
    [entry] = wait_mail_log(fast, 1)
    assert entry["kind"] == "new_updates" and entry["ok"] is False
    assert "refused" in entry["error"].lower()
    assert fast.state()["sync"]["last_run"]["result"] == "succeeded"


def test_new_updates_with_no_smtp_host_is_logged(admin, fast):
    fast.control("POST", "settings", {"new_updates_per_sync": 1})
    expect_ok(set_row(admin, EmailNeedToSendNewSyncNotification=True), "on")
    expect_ok(set_recipients(admin, "wsus-admins@example.com", "NewSync"), "NewSync")
    run_sync(admin)
    [entry] = wait_mail_log(fast, 1)
    assert entry["ok"] is False and "SmtpHostName" in entry["error"]
    assert fast.state()["sync"]["last_run"]["result"] == "succeeded"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_new_updates_per_sync_must_be_a_count(emu, bad):
    assert "error" in emu.control("POST", "settings", {"new_updates_per_sync": bad}, expect=400)
    assert emu.control("GET", "settings")["new_updates_per_sync"] == 0


# ------------------------------------------------------------------------------------------------ roles
WRITES = [
    ("ExecuteSPSetEmailNotificationConfiguration", None),
    (
        "ExecuteSPSetEmailNotificationRecipients",
        "<recipients>a@example.com</recipients><notificationType>NewSync</notificationType>",
    ),
    ("SetSmtpUserPassword", "<passwordBytes>%s</passwordBytes>" % base64.b64encode("pw".encode("utf-16-le")).decode()),
    (
        "SendTestEmail",
        "<smtpHostName>127.0.0.1</smtpHostName><smtpPort>25</smtpPort><recipients>a@example.com</recipients>",
    ),
]


@pytest.mark.parametrize("operation, inner", WRITES)
def test_a_reporter_cannot_write(admin, reporter, emu, operation, inner):
    if inner is None:
        inner = row_xml(get_row(admin))
    response = reporter.call(operation, inner)
    assert response.fault["type"] == "System.UnauthorizedAccessException", response.text
    assert get_recipients(reporter, "NewSync") == ""  # reads are a reporter's
    assert scalar(reporter, "HasSmtpUserPassword") == "false"
    assert emu.mail_log() == []
    assert dict(get_row(reporter))["LastModifiedBy"] == ""


# ------------------------------------------------------------------------------------------------ persistence
def test_settings_recipients_and_password_survive_a_restart(tmp_path):
    first = Emulator(["--control", "--state-dir", str(tmp_path)])
    try:
        client = first.client()
        expect_ok(set_row(client, SmtpHostName="smtp.example.com", SmtpPort=2525), "row")
        expect_ok(set_recipients(client, "a@example.com;b@example.com", "NewSync"), "recipients")
        expect_ok(set_password(client, SMTP_PASSWORD), "password")
        port = first.port
        client.close()
    finally:
        first.stop()
    second = Emulator(["--control", "--state-dir", str(tmp_path), "--port", str(port)])
    try:
        client = second.client()
        row = dict(get_row(client))
        assert (row["SmtpHostName"], row["SmtpPort"]) == ("smtp.example.com", "2525")
        assert get_recipients(client, "NewSync") == "a@example.com;b@example.com"
        assert scalar(client, "HasSmtpUserPassword") == "true"
        view = second.control("GET", "email")
        assert view["smtp_password_set"] is True and "smtp_password_sha256" not in view  # no hash to guess from
        client.close()
    finally:
        second.stop()


# ------------------------------------------------------------------------------------------------ control API
def test_control_api_stores_values_the_operations_refuse(admin, emu):
    view = emu.control("POST", "email", {"statusNotificationTimeOfDay": 90000, "recipients": {"Summary": None}})
    assert view["configuration"]["statusNotificationTimeOfDay"] == 90000
    assert dict(get_row(admin))["statusNotificationTimeOfDay"] == "90000"
    assert get_recipients(admin, "Summary") is None
    assert "error" in emu.control("POST", "email", {"SmtpPort": "25"}, expect=400)
    assert "error" in emu.control("POST", "email", {"Surprise": 1}, expect=400)
    assert dict(get_row(admin))["SmtpPort"] == "25"
    emu.control("DELETE", "mail")
    assert emu.mail_log() == []


# ------------------------------------------------------------------------------------------------ live WSDL
def test_answers_are_valid_against_the_live_wsdl(admin):
    schema = live_schema()
    configure(admin, 25)
    expect_ok(set_recipients(admin, "a@example.com", "NewSync"), "recipients")
    expect_ok(set_recipients(admin, None, "Summary"), "nil recipients")
    calls = [
        ("ExecuteSPGetEmailNotificationConfiguration", ""),
        ("ExecuteSPSetEmailNotificationConfiguration", row_xml(get_row(admin))),
        ("ExecuteSPGetEmailNotificationRecipients", "<value>NewSync</value>"),
        ("ExecuteSPGetEmailNotificationRecipients", "<value>Summary</value>"),
        (
            "ExecuteSPSetEmailNotificationRecipients",
            "<recipients>b@example.com</recipients><notificationType>Test</notificationType>",
        ),
        ("HasSmtpUserPassword", ""),
        ("SetSmtpUserPassword", "<passwordBytes>cAB3AA==</passwordBytes>"),
    ]
    with smtp_sink() as sink:
        calls.append(("SendTestEmail", send_test_xml(sink.port)))
        answers = []
        for operation, inner in calls:
            response = admin.call(operation, inner)
            expect_ok(response, operation)
            errors = body_errors(schema, response.body)
            assert errors == [], (operation, errors)
            assert response.root.find(".//{%s}%sResponse" % (TNS, operation)) is not None
            answers.append(response.body)
        assert len(sink.wait_for(1)) == 1
    # the check can fail: the row without its required SmtpPort does not validate
    broken = answers[0].replace(b"<SmtpPort>25</SmtpPort>", b"")
    assert broken != answers[0]
    assert body_errors(schema, broken)
