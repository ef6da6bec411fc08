"""HTTP front end: one EmulatedServer per port (own state, request log and fault rules).

Request flow on ``/ApiRemoting30/WebService.asmx``:
authentication (per connection) -> role (403 without one) -> fault rules -> SOAP processing.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from . import control, faults, hierarchy, hostile
from .auth import AuthPolicy, ConnectionAuth, UserTable
from .catalog import Catalog
from .operations import ROLE_NAMES, ROLE_NONE, SERVER_VERSION, Caller, Service
from .schema import MONITORABLE_NS, MONITORABLE_OPERATIONS, OPERATIONS, TNS, WSDL_OPERATIONS, XSI_NS, Schema
from .soap import Envelope, Reader, Writer, check_soap_action, fault_response, parse_envelope
from .state import ServerState

ENDPOINT = "/ApiRemoting30/WebService.asmx"
ANOTHER_ADMINISTRATOR = "WSUS\\another-admin"  # who saves in a then_set_* rule (and starts in start_sync_after)
MAX_BODY = 16 * 1024 * 1024


def _html(status: int, title: str, text: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>%d - %s</title></head><body><h1>%d - %s</h1><p>%s</p></body>"
        "</html>" % (status, title, status, title, text)
    ).encode("utf-8")


class EmulatedServer:
    """One emulated WSUS server bound to one port."""

    def __init__(
        self,
        host: str,
        port: int,
        catalog: Catalog,
        schema: Schema,
        users: UserTable,
        *,
        sync_seconds: float = 5.0,
        latency_ms: float = 0.0,
        state_dir: Optional[str] = None,
        control_api: bool = False,
        ssl_context: Optional[ssl.SSLContext] = None,
        channel_bindings=None,
        verbose: bool = False,
        language_rows: str = "live",
        auth_policy: Optional[AuthPolicy] = None,
        name: Optional[str] = None,
        servers: hierarchy.Hierarchy,
    ):
        self.catalog = catalog
        self.schema = schema
        self.users = users
        self.latency = max(0.0, float(latency_ms)) / 1000.0
        self.control_api = control_api
        self.ssl_context = ssl_context
        self.channel_bindings = channel_bindings
        self.auth_policy = auth_policy or AuthPolicy()
        self.verbose = verbose
        self.httpd = WsusHTTPServer((host, port), Handler, self)
        self.port = self.httpd.server_address[1]
        path = os.path.join(state_dir, "server-%d.json" % self.port) if state_dir else None
        self.state = ServerState(catalog, schema, sync_seconds, path, language_rows=language_rows)
        # Its name, id and version among the servers of this process (``servers``: shared by cli.py), and the
        # downstream servers registered at it. ValueError: an invalid name, or another server's.
        self.servers = servers
        if path and not os.path.isfile(path):
            self.state.save()  # a first start: its ServerId (the id downstream rows name) is kept from now on
        self.member = self.servers.join(self.state, self.port, name, SERVER_VERSION)
        self.service = Service(self.state, self.member)
        self.state.server_name = lambda: self.member.name  # the name in its e-mails' subjects (mail.py)
        self.reader = Reader(schema)
        self._log_lock = threading.Lock()
        self.request_log: List[Dict] = []
        # every Authorization token received: its mechanism and what became of it (never the token)
        self.auth_log: List[Dict] = []
        self.rules: List[Dict] = []
        self.thread: Optional[threading.Thread] = None

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context else "http"

    def url(self, host: str) -> str:
        shown = "[%s]" % host if ":" in host else host
        return "%s://%s:%d%s" % (self.scheme, shown, self.port, ENDPOINT)

    # ------------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="wsus-emulator-%d" % self.port,
            daemon=True,
        )
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------------------------------ log & rules
    def log(
        self,
        operation: Optional[str],
        user: Optional[str],
        status: Optional[int],
        channel_binding: Optional[bool] = None,
        language_lists: Optional[Dict] = None,
        injected: bool = False,
        mechanism: Optional[str] = None,
    ) -> None:
        entry = {"operation": operation, "user": user, "http_status": status}
        if mechanism is not None and self.auth_policy.kerberos:
            # ntlm or kerberos: how the connection logged on (or tried to); only where both are possible, as
            # "channel_binding" is only where there is a channel
            entry["mechanism"] = mechanism
        if injected:  # a save by "another administrator" (then_set_*), not a request anyone sent
            entry["injected"] = True
        if channel_binding is not None:  # TLS only: whether the logon carried a verified channel binding
            entry["channel_binding"] = channel_binding
        if language_lists is not None:  # ExecuteSPSetConfiguration only: the items of its language lists
            entry["language_lists"] = language_lists
        with self._log_lock:
            self.request_log.append(entry)

    def request_log_copy(self) -> List[Dict]:
        with self._log_lock:
            return [dict(entry) for entry in self.request_log]

    def clear_request_log(self) -> None:
        with self._log_lock:
            self.request_log = []

    def log_auth(self, scheme: str, mechanism: Optional[str], outcome: str, reason: str = "") -> None:
        entry = {"scheme": scheme, "mechanism": mechanism, "outcome": outcome}
        if reason:
            entry["reason"] = reason
        with self._log_lock:
            self.auth_log.append(entry)

    def auth_log_copy(self) -> List[Dict]:
        with self._log_lock:
            return [dict(entry) for entry in self.auth_log]

    def clear_auth_log(self) -> None:
        with self._log_lock:
            self.auth_log = []

    def add_rules(self, rules: List[Dict]) -> None:
        with self._log_lock:
            for rule in rules:
                if "next_sync_result" in rule:
                    with self.state.lock:
                        self.state.pending_results.append(dict(rule["next_sync_result"], count=rule["count"]))
                else:
                    self.rules.append(dict(rule))

    def check_rules(self, rules: List[Dict]) -> None:
        """control.RuleError for a then_set_* rule whose fields, values or GUIDs this server cannot take."""
        with self.state.lock:
            for position, rule in enumerate(rules):
                try:
                    if "then_set_configuration" in rule:
                        self.state.check_configuration_changes(rule["then_set_configuration"])
                    if "then_set_subscription" in rule:
                        self.state.check_subscription_changes(rule["then_set_subscription"])
                except ValueError as error:
                    raise control.RuleError("rule %d: %s" % (position, error)) from None

    def another_administrator_saves(self, rule: Dict) -> None:
        """The save a then_set_* rule describes, as another administrator, logged after the request that
        triggered it (``"injected": true``). A save WSUS would refuse (a running synchronization, a Save()
        rule) changes nothing and is logged with 500."""
        configuration = "then_set_configuration" in rule
        operation = "ExecuteSPSetConfiguration" if configuration else "SetSubscription"
        status = 200
        with self.state.lock:
            try:
                if configuration:
                    self.state.another_administrator_sets_configuration(rule["then_set_configuration"])
                else:
                    self.state.another_administrator_sets_subscription(
                        rule["then_set_subscription"], ANOTHER_ADMINISTRATOR
                    )
            except faults.SoapFault as fault:
                status = 500
                if self.verbose:
                    sys.stderr.write("[%d] the injected %s was refused: %s\n" % (self.port, operation, fault.message))
        self.log(operation, ANOTHER_ADMINISTRATOR, status, injected=True)

    def rules_copy(self) -> List[Dict]:
        with self._log_lock:
            result = [dict(rule) for rule in self.rules]
        with self.state.lock:
            for pending in self.state.pending_results:
                result.append(
                    {
                        "operation": "any",
                        "count": pending["count"],
                        "next_sync_result": {"result": pending["result"], "error_text": pending.get("error_text")},
                    }
                )
        return result

    def clear_rules(self) -> None:
        with self._log_lock:
            self.rules = []
        with self.state.lock:
            self.state.pending_results = []

    def take_rule(self, operation: Optional[str]) -> Optional[Dict]:
        with self._log_lock:
            for rule in self.rules:
                if rule["operation"] in ("any", "*") or rule["operation"] == operation:
                    rule["count"] -= 1
                    if rule["count"] <= 0:
                        self.rules.remove(rule)
                    return dict(rule)
        return None

    def reset(self) -> None:
        with self.state.lock:
            self.state.factory_reset()
            self.state.save()
        self.servers.reset(self.member)
        with self._log_lock:
            self.request_log = []
            self.auth_log = []
            self.rules = []

    def snapshot(self) -> Dict:
        with self.state.lock:
            view = {"port": self.port, "url_scheme": self.scheme, "id": self.member.server_id}
            view.update(self.member.settings())  # name, version
            view.update(self.state.snapshot())
            return view

    def sync_settings(self) -> Dict:
        with self.state.lock:
            return dict(self.state.sync_settings(), **self.member.settings())

    def update_sync_settings(self, settings: Dict) -> Dict:
        """Raises ValueError for an unknown or invalid setting (nothing is changed then)."""
        identity, synchronization = hierarchy.split_settings(settings)
        with self.state.lock:
            self.state.check_sync_settings(synchronization)
            self.servers.update(self.member, identity)  # name and version: checked, then set
            self.state.apply_sync_settings(synchronization)
            return dict(self.state.sync_settings(), **self.member.settings())

    def content(self) -> Dict:
        with self.state.lock:
            return self.state.content_view()

    def set_content(self, changes: Dict) -> Dict:
        """Raises ValueError for an unknown or invalid key (nothing is changed then)."""
        with self.state.lock:
            self.state.set_content(changes)
            return self.state.content_view()

    def mail_log(self) -> List[Dict]:
        return self.state.email.log.copy()  # MailLog has its own lock

    def clear_mail_log(self) -> None:
        self.state.email.log.clear()

    def email_view(self) -> Dict:
        with self.state.lock:
            return self.state.email.view()

    def set_email(self, changes: Dict) -> Dict:
        """Raises ValueError for an unknown key or a value of the wrong type (nothing is changed then)."""
        with self.state.lock:
            self.state.email.set_directly(changes)
            self.state.save()
            return self.state.email.view()

    def clock(self) -> Dict:
        with self.state.lock:
            return self.state.clock_view()

    def advance_clock(self, seconds: float) -> Dict:
        """Raises ValueError for a negative jump (nothing is changed then)."""
        with self.state.lock:
            self.state.advance_clock(seconds)
            return self.state.clock_view()

    def start_sync_after(self, kind: str) -> None:
        """A start that is not the caller's: the schedule (381) or another administrator (382)."""
        with self.state.lock:
            if kind == "manual":
                try:
                    self.state.start_sync(False, ANOTHER_ADMINISTRATOR)
                except faults.SoapFault:
                    pass  # busy or saving: that start is refused, as it would be
            else:
                self.state.start_scheduled_sync()

    # ------------------------------------------------------------------------------------ SOAP
    def parse(self, body: bytes) -> Tuple[Optional[Envelope], Optional[faults.SoapFault]]:
        try:
            return parse_envelope(body), None
        except faults.SoapFault as fault:
            return None, fault

    def process(
        self,
        envelope: Optional[Envelope],
        parse_fault: Optional[faults.SoapFault],
        soap_action: Optional[str],
        caller: Caller,
    ) -> Tuple[int, bytes]:
        try:
            if parse_fault is not None:
                raise parse_fault
            check_soap_action(soap_action, envelope)
            name, namespace = envelope.operation, envelope.namespace
            if namespace == TNS and name in OPERATIONS:
                operation = OPERATIONS[name]
                params = self.reader.read_operation(envelope.body_element, operation)
                if name == "ExecuteSPGetAllDownstreamServers":
                    self.servers.settle()  # runs of other servers that have ended register first
                with self.state.lock:
                    result = self.service.call(name, params, caller)
                return 200, Writer(self.schema).response(operation, result)
            if (namespace == TNS and name in WSDL_OPERATIONS) or (
                namespace == MONITORABLE_NS and name in MONITORABLE_OPERATIONS
            ):
                raise faults.not_implemented(name)
            raise faults.ProtocolError(
                "Client",
                "Server did not recognize the value of the request element: <%s xmlns='%s'> is not an "
                "operation of the ApiRemoting web service." % (name, namespace),
            )
        except faults.SoapFault as fault:
            return 500, fault_response(fault)
        except Exception as error:  # an emulator bug: still answer like ASMX would
            traceback.print_exc(file=sys.stderr)
            return 500, fault_response(
                faults.ApplicationError("System.Exception", "internal WSUS emulator error: %r" % (error,))
            )


LANGUAGE_LISTS = ("listTrue", "listFalse", "ussListTrue", "ussListFalse")


def language_lists(envelope: Optional[Envelope]) -> Optional[Dict]:
    """For the request log: the items of ExecuteSPSetConfiguration's language lists as sent, each
    {"type": the xsi:type's local name (None if untyped), "value": its text}, or None for an xsi:nil item.
    Only the lists present in the request are listed."""
    if envelope is None or envelope.namespace != TNS or envelope.operation != "ExecuteSPSetConfiguration":
        return None
    found: Dict[str, List] = {}
    for child in envelope.body_element.children:
        if child.uri != TNS or child.name not in LANGUAGE_LISTS:
            continue
        items: List = []
        for item in child.children:
            if (item.attr(XSI_NS, "nil") or "").strip() in ("1", "true"):
                items.append(None)
                continue
            declared = item.attr(XSI_NS, "type")
            items.append({"type": declared.strip().rpartition(":")[2] if declared else None, "value": item.text})
        found[child.name] = items
    return found


class WsusHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for idle keep-alive connections when stopping
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, handler, app: EmulatedServer):
        self.app = app
        super().__init__(address, handler)

    def get_request(self):
        sock, address = self.socket.accept()
        if self.app.ssl_context is not None:
            sock = self.app.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, ssl.SSLError, socket.timeout, OSError)):
            if self.app.verbose:
                sys.stderr.write("[%d] connection error from %s: %r\n" % (self.app.port, client_address, error))
            return
        super().handle_error(request, client_address)  # an emulator bug: print the traceback to stderr


class _Drop(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Status line and headers go out in separate writes: without TCP_NODELAY every answer waits
    # for the client's delayed ACK (about 40 ms), which would dominate every measurement.
    disable_nagle_algorithm = True
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    timeout = 120

    # ------------------------------------------------------------------------------------ plumbing
    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(15)
            self.request.do_handshake()
        super().setup()
        self.app: EmulatedServer = self.server.app
        self.auth = ConnectionAuth(self.app.channel_bindings, self.app.auth_policy)

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        if self.app.verbose:
            sys.stderr.write("[%d] %s - %s\n" % (self.app.port, self.address_string(), format % args))

    def _read_body(self) -> Optional[bytes]:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            size = 0
            while True:
                line = self.rfile.readline(65537)
                length = int(line.split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                size += length
                if size > MAX_BODY:
                    self._send(
                        413,
                        _html(413, "Request Entity Too Large", "The request is too large."),
                        "text/html",
                        close=True,
                    )
                    return None
                chunks.append(self.rfile.read(length))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command in ("POST", "PUT", "PATCH"):
                self._send(411, _html(411, "Length Required", "Content-Length is required."), "text/html", close=True)
                return None
            return b""
        try:
            size = int(length)
        except ValueError:
            self._send(400, _html(400, "Bad Request", "Invalid Content-Length."), "text/html", close=True)
            return None
        if size > MAX_BODY or size < 0:
            self._send(
                413, _html(413, "Request Entity Too Large", "The request is too large."), "text/html", close=True
            )
            return None
        return self.rfile.read(size) if size else b""

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/xml; charset=utf-8",
        headers: Tuple[Tuple[str, str], ...] = (),
        close: bool = False,
        delay: bool = False,
    ) -> None:
        if delay and self.app.latency:
            time.sleep(self.app.latency)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _challenge_headers(self) -> Tuple[Tuple[str, str], ...]:
        return tuple(("WWW-Authenticate", scheme) for scheme in self.app.auth_policy.challenges())

    # ------------------------------------------------------------------------------------ methods
    def do_POST(self):
        self._route()

    def do_GET(self):
        self._route()

    def do_DELETE(self):
        self._route()

    def do_PUT(self):
        self._route()

    def do_HEAD(self):
        self._route()

    def _route(self):
        body = self._read_body()
        if body is None:
            return
        path = urlsplit(self.path).path
        if path == "/_emulator" or path.startswith("/_emulator/"):
            if not self.app.control_api:
                self._send(404, _html(404, "Not Found", "The control API is off (start with --control)."), "text/html")
                return
            status, payload = control.handle(self.app, self.command, path, body)
            data = b"" if payload is None else json.dumps(payload, indent=1).encode("utf-8")
            self._send(status, data, "application/json; charset=utf-8")
            return
        if path.lower() != ENDPOINT.lower():
            self._send(
                404,
                _html(
                    404,
                    "File or directory not found",
                    "The resource you are looking for might have been removed or is temporarily unavailable.",
                ),
                "text/html",
                delay=True,
            )
            return
        self._soap(body)

    # ------------------------------------------------------------------------------------ SOAP endpoint
    def _log_authenticated(
        self,
        operation: Optional[str],
        principal: Optional[str],
        status: Optional[int],
        language_lists: Optional[Dict] = None,
    ) -> None:
        over_tls = self.app.channel_bindings is not None
        self.app.log(
            operation,
            principal,
            status,
            channel_binding=self.auth.channel_bound if over_tls else None,
            language_lists=language_lists,
            mechanism=self.auth.mechanism,
        )

    def _soap(self, body: bytes) -> None:
        app = self.app
        authorization = self.headers.get("Authorization")
        final_token = None
        if authorization is not None:
            outcome = self.auth.step(authorization)
            scheme = outcome.scheme or authorization.split(" ", 1)[0]
            app.log_auth(scheme, outcome.mechanism, outcome.status, outcome.reason)
            if outcome.status == "continue":
                self._send(
                    401,
                    _html(401, "Unauthorized", "Access is denied due to invalid credentials."),
                    "text/html",
                    headers=(("WWW-Authenticate", outcome.header()),),
                    delay=True,
                )
                return
            if outcome.status == "failed":
                envelope, dummy = app.parse(body)
                app.log(envelope.operation if envelope else None, None, 401, mechanism=outcome.mechanism)
                if app.verbose:
                    sys.stderr.write("[%d] authentication failed: %s\n" % (app.port, outcome.reason))
                self._send(
                    401,
                    _html(401, "Unauthorized", "Access is denied due to invalid credentials."),
                    "text/html",
                    headers=self._challenge_headers(),
                    close=True,
                    delay=True,
                )
                return
            final_token = outcome.header()
        elif not self.auth.authenticated:
            # The anonymous first request of a handshake: not logged.
            self._send(
                401,
                _html(401, "Unauthorized", "Access is denied due to invalid credentials."),
                "text/html",
                headers=self._challenge_headers(),
                delay=True,
            )
            return
        user = app.users.find(self.auth.principal)
        principal = user.principal if user else self.auth.principal
        role = ROLE_NAMES[user.role] if user else ROLE_NONE
        extra: Tuple[Tuple[str, str], ...] = (("WWW-Authenticate", final_token),) if final_token else ()
        extra += (("X-Powered-By", "ASP.NET"),)

        envelope, parse_fault = app.parse(body)
        operation = envelope.operation if envelope else None
        if self.command != "POST":
            self._log_authenticated(operation, principal, 405)
            self._send(
                405,
                _html(
                    405,
                    "Method Not Allowed",
                    "The web service accepts SOAP requests by POST (the emulator does not serve ?WSDL).",
                ),
                "text/html",
                headers=extra + (("Allow", "POST"),),
                delay=True,
            )
            return
        if role == ROLE_NONE:
            self._log_authenticated(operation, principal, 403)
            self._send(
                403,
                _html(403, "Forbidden", "%s is not a member of WSUS Administrators or WSUS Reporters." % principal),
                "text/html",
                headers=extra,
                delay=True,
            )
            return
        content_type = (self.headers.get("Content-Type") or "text/xml").split(";")[0].strip().lower()
        if content_type != "text/xml":
            self._log_authenticated(operation, principal, 415)
            self._send(
                415,
                _html(415, "Unsupported Media Type", "SOAP 1.1 requests use Content-Type text/xml."),
                "text/html",
                headers=extra,
                delay=True,
            )
            return

        rule = app.take_rule(operation)
        if rule is not None:
            if rule.get("delay_ms"):
                time.sleep(rule["delay_ms"] / 1000.0)
            if rule.get("drop_connection"):
                self._log_authenticated(operation, principal, None)
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if rule.get("http_status"):
                status = rule["http_status"]
                self._log_authenticated(operation, principal, status)
                self._send(
                    status,
                    _html(status, "Injected error", "HTTP %d injected by the WSUS emulator." % status),
                    "text/html",
                    headers=extra,
                    delay=True,
                )
                return
            if rule.get("soap_fault"):
                spec = rule["soap_fault"]
                if spec.get("code") == "Client":
                    fault = faults.RequestError(spec["message"], 1, 1, spec["type"])
                else:
                    fault = faults.ApplicationError(spec["type"], spec["message"])
                self._log_authenticated(operation, principal, 500)
                self._send(500, fault_response(fault), headers=extra, delay=True)
                return
            if rule.get("hostile"):  # answer like a broken or malicious server (hostile.py)
                spec, caller, soap_action = rule["hostile"], Caller(principal, role), self.headers.get("SOAPAction")
                self._log_authenticated(operation, principal, hostile.status_of(spec))
                hostile.send(self, spec, operation, lambda: app.process(envelope, parse_fault, soap_action, caller)[1])
                return

        status, payload = app.process(envelope, parse_fault, self.headers.get("SOAPAction"), Caller(principal, role))
        if rule is not None and rule.get("start_sync_after"):
            app.start_sync_after(rule["start_sync_after"])  # before the caller sees this answer
        self._log_authenticated(operation, principal, status, language_lists(envelope))
        if rule is not None and any(key in rule for key in control.ANOTHER_ADMINISTRATOR):
            app.another_administrator_saves(rule)  # after this request, before the caller sees its answer
        self._send(status, payload, headers=extra + (("Cache-Control", "private, max-age=0"),), delay=True)
