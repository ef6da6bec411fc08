"""Start and stop emulator processes from tests: ``EmulatorProcess`` and ``free_port``.

Each emulator is ``python -m wsus_emulator`` run by the interpreter that runs the tests, on 127.0.0.1, and
is stopped by its pid, never by name. The child runs this same ``wsus_emulator`` (the directory that holds
it is put first on the child's PYTHONPATH unless it is a site-packages directory).

    from wsus_emulator.testing import EmulatorProcess

    server = EmulatorProcess(["--sync-seconds", "1"])
    try:
        ...  # server.urls, server.ports, server.ca_path; server.requests(), server.faults([...]), ...
    finally:
        server.stop()
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import logging
import os
import signal
import site
import socket
import ssl
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.request

# The directory that holds this wsus_emulator package.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server that must keep its port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _site_directories():
    found = set(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    if hasattr(site, "getsitepackages"):
        found.update(site.getsitepackages())
    if hasattr(site, "getusersitepackages"):
        found.add(site.getusersitepackages())
    return {os.path.realpath(path) for path in found}


def child_environment(env=None):
    """os.environ for an emulator child: this package first on PYTHONPATH (not when it is installed in a
    site-packages directory), then ``env`` over it."""
    environment = dict(os.environ)
    if os.path.realpath(PACKAGE_ROOT) not in _site_directories():
        parts = [PACKAGE_ROOT] + [part for part in environment.get("PYTHONPATH", "").split(os.pathsep) if part]
        environment["PYTHONPATH"] = os.pathsep.join(parts)
    environment.update(env or {})
    return environment


class EmulatorProcess:
    """A running emulator: its start line (``info``, ``pid``, ``urls``, ``url``, ``ports``, ``port``,
    ``ca_path``), its control API and ``stop()``.

    ``args`` are more command-line arguments (each passed through ``str``: ports and paths may be given as
    they are). The command is ``--host 127.0.0.1``, ``--port 0`` (any free port) unless ``args`` has a
    ``--port``, ``--control`` when ``control`` is true (the default: the control methods need it),
    ``--catalog-dir catalog`` when ``catalog`` is given (default: the packaged catalog), then ``args``.
    ``env`` is set over os.environ for the process. Raises RuntimeError, with what the emulator wrote to
    stderr, when it exits without printing its start line.
    """

    def __init__(self, args=(), env=None, control=True, catalog=None):
        args = [str(arg) for arg in args]
        command = [sys.executable, "-m", "wsus_emulator", "--host", "127.0.0.1"]
        if not any(arg == "--port" or arg.startswith("--port=") for arg in args):
            command += ["--port", "0"]
        if control:
            command.append("--control")
        if catalog:
            command += ["--catalog-dir", str(catalog)]
        command += args
        self.command = command
        # stderr goes to a file, not a pipe nobody reads: a server that logs a lot never blocks on it
        self._stderr = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
            stderr=self._stderr,
            env=child_environment(env),
        )
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("the emulator did not start: %s" % self.stderr_text())
        self.info = json.loads(line)
        self.pid = self.info["pid"]
        self.urls = self.info["urls"]
        self.ports = self.info["ports"]
        self.port = self.ports[0]
        self.url = self.urls[0]
        self.ca_path = self.info.get("ca_path")
        # each server's full domain name and server id (hierarchy.py), in the order of urls and ports
        self.names = self.info.get("names", [])
        self.ids = self.info.get("ids", [])

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stderr_text(self):
        """What the emulator has written to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    # -- the control API (the emulator must run with --control)

    def control_url(self, path, index=0):
        scheme = "https" if self.urls[index].startswith("https:") else "http"
        return "%s://127.0.0.1:%d/_emulator/%s" % (scheme, self.ports[index], path)

    def control(self, method, path, payload=None, index=0, expect=200):
        """One control API call: its JSON body (text when it is not JSON, None when empty). Raises
        AssertionError when the HTTP status is not ``expect`` (None: any status)."""
        url = self.control_url(path, index)
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.ca_path) if url.startswith("https:") else None
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        if expect is not None and status != expect:
            raise AssertionError("control %s %s: HTTP %d %r" % (method, path, status, body[:500]))
        if not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace")

    def requests(self, index=0):
        """The request log: [{operation, user, http_status}, ...] (and channel_binding over TLS, mechanism on a
        server that accepts Kerberos)."""
        return self.control("GET", "requests", index=index)

    def operations(self, index=0):
        """The operations in the request log, in arrival order."""
        return [entry["operation"] for entry in self.requests(index)]

    def clear_requests(self, index=0):
        return self.control("DELETE", "requests", index=index)

    def auth_log(self, index=0):
        """Every Authorization token received: [{scheme, mechanism, outcome, reason?}, ...]."""
        return self.control("GET", "auth", index=index)

    def state(self, index=0):
        return self.control("GET", "state", index=index)

    def faults(self, rules, index=0):
        return self.control("POST", "faults", rules, index=index)

    def downstream_servers(self, index=0):
        """The downstream servers registered at a server: {"name", "id", "port", "version", "upstream",
        "downstream_servers": [{"DomainName", "ID", ...}, ...]}."""
        return self.control("GET", "downstream_servers", index=index)

    def forget_downstream_server(self, name, index=0):
        """Remove the registration of the downstream server ``name`` at a server."""
        return self.control("POST", "downstream_servers/forget", {"name": name}, index=index)

    def reset(self, index=0):
        """Back to factory state: empty request log, no fault rules."""
        return self.control("POST", "reset", {}, index=index)

    def mail_log(self, index=0):
        """Every e-mail delivery attempt: [{kind, time, host, port, from, to, subject, authenticated, ok, error}]."""
        return self.control("GET", "mail", index=index)

    def stop(self):
        """SIGTERM to the pid (SIGKILL after 10 s); the exit status. Calling it again does nothing more."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode


# ------------------------------------------------------------------------------------------- SMTP sink
class SmtpMessage:
    """One message the sink received: the envelope, the headers tests look at, the body text, and the
    credentials its session logged on with (None without AUTH)."""

    def __init__(self, envelope, session):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.mail_from = envelope.mail_from
        self.rcpt_tos = list(envelope.rcpt_tos)
        self.subject = str(parsed["Subject"] or "")
        self.from_header = str(parsed["From"] or "")
        part = parsed.get_body(preferencelist=("plain",))
        self.body = part.get_content() if part is not None else ""
        credentials = getattr(session, "auth_data", None)
        self.auth_user = credentials.login.decode("utf-8") if credentials is not None else None
        self.auth_password = credentials.password.decode("utf-8") if credentials is not None else None

    def __repr__(self):
        return "SmtpMessage(from=%r, to=%r, subject=%r)" % (self.mail_from, self.rcpt_tos, self.subject)


class SmtpSink:
    """What ``smtp_sink`` yields: ``port``, ``messages``, ``auth_attempts`` (every AUTH tried: user and whether
    it was accepted; never the password) and ``wait_for(n, timeout)``."""

    def __init__(self, credentials):
        self.credentials = credentials
        self.port = 0
        self.messages = []
        self.auth_attempts = []
        self._arrived = threading.Condition()

    def wait_for(self, count, timeout=10.0):
        """The messages once ``count`` have arrived; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "the SMTP sink received %d message(s) in %g s, expected %d"
                        % (len(self.messages), timeout, count)
                    )
                self._arrived.wait(left)
            return list(self.messages)

    # aiosmtpd hooks
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # AUTH required before MAIL, checked here rather than with aiosmtpd's auth_required, which warns
        # on every connection that it is used without TLS (loopback tests need no TLS)
        if self.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = SmtpMessage(envelope, session)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        accepted = user == self.credentials["user"] and password == self.credentials["password"]
        self.auth_attempts.append({"mechanism": mechanism, "user": user, "accepted": accepted})
        return AuthResult(success=accepted, handled=False, auth_data=auth_data if accepted else None)


def _drop_login_data_warning(record):
    return "login_data is deprecated" not in record.getMessage()


@contextlib.contextmanager
def smtp_sink(auth=None, exclude_mechanisms=()):
    """A real SMTP server on 127.0.0.1 and a free port, in a thread (aiosmtpd, imported here so that the
    emulator itself runs without it). ``auth=None``: no AUTH offered. ``auth={"user": u, "password": p}``:
    AUTH PLAIN and LOGIN (less ``exclude_mechanisms``) offered without TLS and required before MAIL; only these
    credentials are accepted."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(auth)
    options = {}
    if auth is not None:
        options = {
            "authenticator": sink.authenticate,
            "auth_require_tls": False,
            "auth_exclude_mechanism": list(exclude_mechanisms),
        }
        # aiosmtpd itself sets the deprecated Session.login_data after every AUTH, and logs a warning each time
        logging.getLogger("mail.log").addFilter(_drop_login_data_warning)
    controller = None
    for attempt in range(5):  # another process may take the free port before the sink binds it
        port = free_port()
        candidate = Controller(sink, hostname="127.0.0.1", port=port, **options)
        try:
            candidate.start()
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
            continue
        controller, sink.port = candidate, port
        break
    try:
        yield sink
    finally:
        controller.stop()
