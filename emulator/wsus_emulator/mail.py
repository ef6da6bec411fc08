"""E-mail notifications of one emulated server: the stored configuration row, the recipient lists, the SMTP
password, and real delivery over SMTP (smtplib) with a log of every attempt.

What a real WSUS stores and how its operations read and write it is in GUIDE.md ("E-mail notifications");
the subjects and bodies of the messages are the emulator's own (OURS). The SMTP password is kept because
the emulator must log on with it; it never appears in an answer, the mail log or an error text.

All EmailState methods except the mail log's are called with the server state's lock held.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import email.utils
import re
import smtplib
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Dict, Iterator, List, Optional

from . import faults
from .schema import ENUM_TYPES
from .soap import format_datetime, parse_datetime

SMTP_TIMEOUT = 10.0
# DOC bb530787: "the string should not be longer than 2560 characters" (a recipient list).
MAX_RECIPIENTS_LENGTH = 2560
MAX_PASSWORD_LENGTH = 255  # the SMTP and the proxy password alike (OURS)
MAX_MAIL_LOG = 500  # the oldest entries go first: a long test run cannot grow the log without bound
NOTIFICATION_TYPES = ("NewSync", "Summary", "Test")
SMTP_EXCEPTION = "System.Net.Mail.SmtpException"
SQL_MIN_DATETIME = _dt.datetime(1753, 1, 1)  # what SUSDB's datetime column holds before anyone saved
# The JSON type of each field that is not a string, for the control API's direct writes.
_BOOLEAN_FIELDS = (
    "EmailNeedToSendNewSyncNotification",
    "EmailNeedToSendStatusNotification",
    "SmtpServerRequireAuthentication",
)
_INTEGER_FIELDS = ("statusNotificationTimeOfDay", "SmtpPort")
_FREQUENCIES = ENUM_TYPES["EmailStatusNotificationFrequency"]
_SEPARATORS = re.compile(r"[,;]")


def default_row() -> Dict[str, Any]:
    """A fresh server's row: notifications off, weekly reports at 00:00 UTC, port 25, language en."""
    return {
        "statusNotificationTimeOfDay": 0,
        "EmailNeedToSendNewSyncNotification": False,
        "EmailNeedToSendStatusNotification": False,
        "StatusNotification": "Weekly",
        "SmtpServerRequireAuthentication": False,
        "SmtpHostName": "",
        "SmtpPort": 25,
        "SmtpUserName": "",
        "SmtpUserDisplayName": "",
        "SmtpUserMailAddress": "",
        "EmailLanguage": "en",
        "LastModifiedTime": SQL_MIN_DATETIME,
        "LastModifiedBy": "",
    }


ROW_FIELDS = tuple(default_row())  # the fields of the e-mail configuration row, as default_row lists them


class MailError(Exception):
    """A message could not be built or delivered; the text says what failed and never holds the password."""


@dataclass
class Outgoing:
    """One message to deliver, with the SMTP settings to deliver it with."""

    kind: str  # test | new_updates
    host: str
    port: int
    sender: str  # the envelope sender (MAIL FROM)
    message: EmailMessage
    recipients: List[str]
    user: Optional[str]  # None: no SMTP AUTH
    password: str = ""


# ------------------------------------------------------------------------------------------------ addresses
def split_recipients(text: Optional[str]) -> List[str]:
    """A stored recipient list as addresses: split on "," and ";", trimmed, empty items dropped."""
    return [item.strip() for item in _SEPARATORS.split(text or "") if item.strip()]


def _check_port(port: int, name: str) -> None:
    if not 1 <= port <= 65535:
        raise faults.out_of_range(name, "Actual value was %d; it must be between 1 and 65535." % port)


def address(text: str, what: str) -> str:
    """The plain address in ``text`` ("a@b" or "Name <a@b>"); MailError (.NET MailAddress's FormatException)
    when there is none."""
    found = email.utils.parseaddr(text)[1]
    if not found or "@" not in found or any(char.isspace() for char in found) or found.startswith("@"):
        raise MailError("%s %r is not in the form required for an e-mail address." % (what, text))
    return found


# ------------------------------------------------------------------------------------------------ delivery
def deliver(outgoing: Outgoing) -> None:
    """Send ``outgoing`` over plain SMTP; MailError saying what failed (host:port and the SMTP reply)."""
    try:
        with smtplib.SMTP(outgoing.host, outgoing.port, timeout=SMTP_TIMEOUT) as client:
            client.ehlo_or_helo_if_needed()
            if outgoing.user is not None:
                _login(client, outgoing.user, outgoing.password)
            client.send_message(outgoing.message, from_addr=outgoing.sender, to_addrs=outgoing.recipients)
    except Exception as error:  # whatever it is, it becomes the answer (or the log entry), never a traceback
        text = "Failure sending mail through %s:%d: %s." % (outgoing.host, outgoing.port, _failure(error))
        raise MailError(_scrub(text, outgoing.password, outgoing.user or "")) from None


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN, else LOGIN, with UTF-8 credentials (RFC 4616): smtplib's own login() sends ASCII only, and a
    WSUS password need not be ASCII."""
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = client.esmtp_features["auth"].upper().split()
    if "PLAIN" in offered:
        code, reply = client.docmd("AUTH", "PLAIN " + _b64("\0%s\0%s" % (user, password)))
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, reply = client.docmd(_b64(password))
    else:
        raise smtplib.SMTPException("the server offers no AUTH mechanism the emulator speaks (PLAIN, LOGIN)")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _failure(error: Exception) -> str:
    """What went wrong, in words (the order matters: the SMTP errors are subclasses of each other)."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "the SMTP server does not offer AUTH, which SmtpServerRequireAuthentication requires"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join("%s (%s)" % (rcpt, _reply(*answer)) for rcpt, answer in error.recipients.items())
        return "the server refused the recipients %s" % refused
    if isinstance(error, smtplib.SMTPResponseException):
        return "the server answered %s" % _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "no answer within %g s" % SMTP_TIMEOUT
    if isinstance(error, UnicodeError):
        return "the SMTP host name cannot be encoded (UnicodeError)"  # the credentials are sent as UTF-8
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return "%s: %s" % (type(error).__name__, error)
    return type(error).__name__


def _reply(code, message) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return ("%s %s" % (code, message)).strip()


def _scrub(text: str, password: str, user: str = "") -> str:
    """Never let the password out, even if an SMTP server echoed it: as text, or base64 as AUTH LOGIN (the
    password alone) and AUTH PLAIN (with the user) send it, in UTF-8 as ``_login`` encodes it and in UTF-16LE
    as the server stores it."""
    if not password:
        return text
    utf16 = base64.b64encode(password.encode("utf-16-le")).decode("ascii")
    for form in (_b64("\0%s\0%s" % (user, password)), _b64(password), utf16, password):
        text = text.replace(form, "********")
    return text


def password_from_bytes(data: Optional[bytes], what: str) -> Optional[str]:
    """The password SetSmtpUserPassword or SetProxyPassword (``what``: SMTP, proxy) sends as UTF-16LE bytes;
    None for empty or nil bytes (which remove it). ApplicationError for bytes that are no such text or a
    password longer than MAX_PASSWORD_LENGTH."""
    if not data:
        return None
    if len(data) % 2:
        raise faults.ApplicationError(
            faults.ARGUMENT,
            "passwordBytes must be UTF-16LE text (an even number of bytes); %d bytes were sent." % len(data),
        )
    try:
        password = data.decode("utf-16-le")
    except UnicodeDecodeError:
        raise faults.ApplicationError(faults.ARGUMENT, "passwordBytes is not valid UTF-16LE text.") from None
    if len(password) > MAX_PASSWORD_LENGTH:
        raise faults.out_of_range(
            "passwordBytes", "The %s password is longer than %d characters." % (what, MAX_PASSWORD_LENGTH)
        )
    return password


@contextlib.contextmanager
def released(lock) -> Iterator[None]:
    """Let other requests use the state while this one waits on the SMTP server. The request holds the
    re-entrant state lock once (server.py); released, it is taken again before the request goes on."""
    lock.release()
    try:
        yield
    finally:
        lock.acquire()


class MailLog:
    """Every delivery attempt: kind, from, to, subject, host, port, ok, error. Never the password."""

    def __init__(self):
        self._lock = threading.Lock()
        self.entries: List[Dict] = []

    def record(self, outgoing: Outgoing, error: Optional[str]) -> None:
        self._append(
            outgoing.kind,
            error,
            host=outgoing.host,
            port=outgoing.port,
            sender=outgoing.message["From"],
            to=list(outgoing.recipients),
            subject=outgoing.message["Subject"],
            authenticated=outgoing.user is not None,
        )

    def record_failure(self, kind: str, error: str) -> None:
        """A message that could not even be built (no host, a bad address in the stored settings)."""
        self._append(kind, error)

    def _append(
        self,
        kind: str,
        error: Optional[str],
        host: Optional[str] = None,
        port: Optional[int] = None,
        sender: Optional[str] = None,
        to: Optional[List[str]] = None,
        subject: Optional[str] = None,
        authenticated: bool = False,
    ) -> None:
        entry: Dict[str, Any] = {
            "kind": kind,
            "time": format_datetime(_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)),
            "host": host,
            "port": port,
            "from": sender,
            "to": to or [],
            "subject": subject,
            "authenticated": authenticated,
            "ok": error is None,
            "error": error,
        }
        with self._lock:
            self.entries.append(entry)
            del self.entries[:-MAX_MAIL_LOG]

    def copy(self) -> List[Dict]:
        with self._lock:
            return [dict(entry) for entry in self.entries]

    def clear(self) -> None:
        with self._lock:
            self.entries = []


# ------------------------------------------------------------------------------------------------ state
class EmailState:
    """The e-mail notification settings of one server and its mail log."""

    def __init__(self):
        self.row = default_row()
        # Stored exactly as written; None: never written (read back as an omitted, i.e. nil, string).
        self.recipients: Dict[str, Optional[str]] = {kind: "" for kind in NOTIFICATION_TYPES}
        self.password: Optional[str] = None
        self.log = MailLog()

    # -- persistence (the password too: the state file is the server's database, mode 0600)
    def _row_text(self) -> Dict[str, Any]:
        """The row as JSON holds it (LastModifiedTime as xsd:dateTime text)."""
        row = dict(self.row)
        row["LastModifiedTime"] = format_datetime(self.row["LastModifiedTime"])
        return row

    def dump(self) -> Dict:
        row = self._row_text()
        password = None
        if self.password is not None:
            password = base64.b64encode(self.password.encode("utf-16-le")).decode("ascii")
        return {"row": row, "recipients": dict(self.recipients), "smtp_password_utf16le": password}

    def load(self, data: Optional[Dict]) -> None:
        if not data:
            return
        for name, value in (data.get("row") or {}).items():
            if name in ROW_FIELDS:
                self.row[name] = parse_datetime(value) if name == "LastModifiedTime" else value
        for kind, value in (data.get("recipients") or {}).items():
            if kind in NOTIFICATION_TYPES:
                self.recipients[kind] = value
        stored = data.get("smtp_password_utf16le")
        self.password = base64.b64decode(stored).decode("utf-16-le") if stored is not None else None

    def view(self) -> Dict:
        """For the control API: everything but the password, of which only whether one is set (an unsalted hash
        of a short password is as good as the password to anyone who can guess)."""
        return {
            "configuration": self._row_text(),
            "recipients": dict(self.recipients),
            "smtp_password_set": self.password is not None,
        }

    # -- the operations
    def get_row(self) -> Dict[str, Any]:
        return dict(self.row)

    def set_row(self, setting: Optional[Dict]) -> None:
        """ExecuteSPSetEmailNotificationConfiguration: every field stored as sent (LastModifiedTime and
        LastModifiedBy too: the client sets them)."""
        if setting is None:
            raise faults.argument_null("setting")
        _check_port(setting["SmtpPort"], "SmtpPort")  # stricter than what is known of a real server (GUIDE.md)
        seconds = setting["statusNotificationTimeOfDay"]
        if not 0 <= seconds < 86400:  # stricter: a value in another unit (ms, ticks) is our own mistake
            raise faults.out_of_range(
                "statusNotificationTimeOfDay",
                "Actual value was %d; it must be a number of seconds below 86400 (24 h)." % seconds,
            )
        self.row = {name: setting.get(name) for name in ROW_FIELDS}

    def get_recipients(self, kind: str) -> Optional[str]:
        return self.recipients.get(kind)

    def set_recipients(self, text: Optional[str], kind: str) -> None:
        if text is not None and len(text) >= MAX_RECIPIENTS_LENGTH:  # stricter: DOC's limit, enforced
            raise faults.out_of_range(
                "recipients",
                "The recipient list is %d characters long; it must be shorter than %d."
                % (len(text), MAX_RECIPIENTS_LENGTH),
            )
        self.recipients[kind] = text

    def set_password(self, data: Optional[bytes]) -> None:
        """SetSmtpUserPassword: UTF-16LE bytes; empty or nil bytes remove the password (as SetProxyPassword)."""
        self.password = password_from_bytes(data, "SMTP")

    def set_directly(self, changes: Dict) -> None:
        """Control API: store row fields and recipient lists as SUSDB could hold them, without the checks of
        the operations (a test of what a client does with a value the API would refuse). ValueError names
        the first bad key; nothing is changed then."""
        row = dict(self.row)
        recipients = dict(self.recipients)
        for name, value in changes.items():
            if name == "recipients":
                recipients.update(_checked_recipients(value))
            elif name not in ROW_FIELDS:
                raise ValueError("unknown key %s (allowed: recipients, %s)" % (name, ", ".join(ROW_FIELDS)))
            else:
                row[name] = _checked_field(name, value)
        self.row, self.recipients = row, recipients

    # -- messages
    def test_message(self, params: Dict, name: str) -> Outgoing:
        """SendTestEmail's message: the request's host, port, sender, recipients and user name, the stored
        authentication flag and password. ApplicationError for what .NET's SmtpClient/MailMessage refuse."""
        host = (params.get("smtpHostName") or "").strip()
        if not host:
            raise faults.ApplicationError(faults.INVALID_OPERATION, "The SMTP host was not specified.")
        port = params["smtpPort"]
        _check_port(port, "smtpPort")
        try:
            sender = address(params.get("senderEmailAddress") or "", "senderEmailAddress")
            recipients = [address(item, "recipients item") for item in split_recipients(params.get("recipients"))]
        except MailError as error:
            raise faults.ApplicationError(faults.FORMAT, str(error)) from None
        if not recipients:
            raise faults.ApplicationError(faults.INVALID_OPERATION, "A recipient must be specified.")
        body = (
            "This is a test e-mail from the WSUS server %s (the WSUS emulator).\n\n"
            "E-mail language: %s\nSMTP server: %s:%d\n" % (name, params.get("emailLanguage") or "", host, port)
        )
        return self._outgoing(
            "test",
            host,
            port,
            sender,
            recipients,
            "WSUS: Test e-mail from %s" % name,
            body,
            params.get("smtpUserName") or "",
        )

    def new_updates_message(self, count: int, name: str) -> Optional[Outgoing]:
        """The "new updates were synchronized" message with the stored settings, or None when that
        notification is off or has no recipients. MailError when the stored settings cannot make one."""
        texts = split_recipients(self.recipients.get("NewSync"))
        if not self.row.get("EmailNeedToSendNewSyncNotification") or not texts:
            return None
        host = (self.row.get("SmtpHostName") or "").strip()
        if not host:
            raise MailError("The SMTP host was not specified (SmtpHostName is empty).")
        sender = address(self.row.get("SmtpUserMailAddress") or "", "SmtpUserMailAddress")
        recipients = [address(item, "NewSync recipient") for item in texts]
        body = "%d new update(s) were synchronized by the WSUS server %s (the WSUS emulator).\n\nLanguage: %s\n" % (
            count,
            name,
            self.row.get("EmailLanguage") or "",
        )
        subject = "WSUS: New Update(s) Alert From %s" % name
        return self._outgoing(
            "new_updates",
            host,
            int(self.row["SmtpPort"]),
            sender,
            recipients,
            subject,
            body,
            self.row.get("SmtpUserName") or "",
        )

    def _outgoing(self, kind, host, port, sender, recipients, subject, body, user) -> Outgoing:
        message = EmailMessage()
        display = self.row.get("SmtpUserDisplayName") or ""
        try:
            message["From"] = email.utils.formataddr((display, sender)) if display else sender
            message["To"] = ", ".join(recipients)
            message["Subject"] = subject
        except ValueError as error:  # a header with CR/LF
            raise faults.ApplicationError(faults.FORMAT, "The message header is invalid: %s" % error) from None
        message["Date"] = email.utils.formatdate(localtime=False)
        message["Message-ID"] = email.utils.make_msgid(domain="wsus-emulator.invalid")
        message.set_content(body)
        authenticate = bool(self.row.get("SmtpServerRequireAuthentication"))
        return Outgoing(
            kind,
            host,
            port,
            sender,
            message,
            recipients,
            user if authenticate else None,
            (self.password or "") if authenticate else "",
        )

    def send_test(self, params: Dict, lock, name: str) -> None:
        """SendTestEmail: deliver now (outside the state lock); a failure is an SmtpException fault."""
        outgoing = self.test_message(params, name)
        with released(lock):
            error = _deliver_and_log(outgoing, self.log)
        if error is not None:
            raise faults.ApplicationError(SMTP_EXCEPTION, error)

    def new_updates_synchronized(self, count: int, name: str) -> None:
        """After a successful run that brought ``count`` (>= 1) new updates: the notification, delivered from
        a background thread so that the run's end never waits on (or fails because of) the SMTP server."""
        try:
            outgoing = self.new_updates_message(count, name)
        except (MailError, faults.SoapFault) as error:
            self.log.record_failure("new_updates", getattr(error, "message", None) or str(error))
            return
        if outgoing is None:
            return
        threading.Thread(
            target=_deliver_and_log, args=(outgoing, self.log), name="wsus-emulator-mail", daemon=True
        ).start()


def _deliver_and_log(outgoing: Outgoing, log: MailLog) -> Optional[str]:
    """Deliver and log the attempt; the failure in words, or None."""
    try:
        deliver(outgoing)
    except MailError as error:
        log.record(outgoing, str(error))
        return str(error)
    log.record(outgoing, None)
    return None


def _checked_field(name: str, value):
    if name in _BOOLEAN_FIELDS:
        valid = isinstance(value, bool)
    elif name in _INTEGER_FIELDS:
        valid = isinstance(value, int) and not isinstance(value, bool)
    elif name == "StatusNotification":
        valid = value in _FREQUENCIES
    elif name == "LastModifiedTime":
        if not isinstance(value, str):
            raise ValueError("LastModifiedTime must be an xsd:dateTime string")
        try:
            return parse_datetime(value)
        except Exception:  # soap.ValueError_: not an xsd:dateTime
            raise ValueError("LastModifiedTime: %r is not an xsd:dateTime" % value) from None
    else:
        valid = value is None or isinstance(value, str)
    if not valid:
        raise ValueError("%s: %r is not a value of its type" % (name, value))
    return value


def _checked_recipients(value) -> Dict[str, Optional[str]]:
    if not isinstance(value, dict) or not all(
        kind in NOTIFICATION_TYPES and (text is None or isinstance(text, str)) for kind, text in value.items()
    ):
        raise ValueError("recipients must be an object of %s to a string or null" % ", ".join(NOTIFICATION_TYPES))
    return dict(value)
