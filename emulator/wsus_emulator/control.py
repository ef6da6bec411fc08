"""The JSON control API (``--control``), per server port, without authentication.

GET    /_emulator/requests   -> [{"operation", "user", "http_status"}, ...] in arrival order; over TLS an
                                authenticated entry also has "channel_binding": whether its logon
                                carried a channel binding that was verified; on a server that accepts
                                Kerberos (--kerberos-keytab) an entry has "mechanism" (ntlm or kerberos): how
                                the connection logged on (on a refused logon: what it tried, when known)
DELETE /_emulator/requests   -> clears the log
GET    /_emulator/auth       -> [{"scheme", "mechanism", "outcome", "reason"?}, ...]: every Authorization token
                                received (Negotiate/NTLM; mechanism ntlm, kerberos or null; outcome continue,
                                done or failed), in arrival order; never the token itself
DELETE /_emulator/auth       -> clears it
GET    /_emulator/faults     -> {"rules": [...]} the active rules
POST   /_emulator/faults     -> adds rules (a list, or {"rules": [...]}); returns {"rules": [...]}. Besides
                                faults, a rule can make another administrator save the configuration
                                (then_set_configuration) or the subscription (then_set_subscription)
                                right after a request, before its answer is sent; a "hostile" rule answers
                                like a broken or malicious server (hostile.py: garbage, oversized, ...)
DELETE /_emulator/faults     -> removes every rule
GET    /_emulator/state      -> the server's whole state
GET    /_emulator/settings   -> the synchronization settings (sync_seconds, stop_seconds, save_seconds,
                                cancel_event), and the server's name and version (GetServerVersion)
POST   /_emulator/settings   -> changes some of them ({"save_seconds": 1, ...}); a reset restores the CLI's
GET    /_emulator/clock      -> {"now", "offset_seconds"}: the simulated clock every time in the emulator uses
POST   /_emulator/clock      -> {"advance_seconds": N} moves it forward: runs end and the automatic
                                synchronizations due in between start (381) on their configured times
GET    /_emulator/content    -> {"downloaded_bytes", "pending_bytes", "bytes_per_second", "failed_updates",
                                "components_with_errors"}: the content download backlog (it drains with the clock)
POST   /_emulator/content    -> sets some of pending_bytes, bytes_per_second, failed_updates, components_with_errors
GET    /_emulator/mail       -> [{"kind", "time", "host", "port", "from", "to", "subject", "authenticated", "ok",
                                "error"}, ...]: every e-mail delivery attempt (test, new_updates); never the password
DELETE /_emulator/mail       -> clears it
GET    /_emulator/email      -> the stored e-mail notification settings (configuration row, recipient lists,
                                smtp_password_set and its SHA-256; never the password)
POST   /_emulator/email      -> stores row fields / {"recipients": {...}} directly, without the operations' checks
GET    /_emulator/downstream_servers -> {"name", "id", "port", "version", "upstream", "downstream_servers": [rows]}:
                                who this server is, the server of this process it synchronizes from (or
                                null), and the downstream servers registered at it (hierarchy.py)
POST   /_emulator/downstream_servers/forget -> {"name": ...} or {"id": ...}: removes that registration
                                (404 when none matches)
POST   /_emulator/reset      -> factory state, empty logs, no rules, no downstream servers; the command
                                line's name and version; the server id stays
"""

from __future__ import annotations

import json
from typing import Callable, Dict, List, Optional, Tuple

from . import hierarchy, hostile, sync

ACTIONS = (
    "http_status",
    "soap_fault",
    "drop_connection",
    "next_sync_result",
    "start_sync_after",
    "then_set_configuration",
    "then_set_subscription",
    "hostile",
)
# "Another administrator saves right after this request": the request is answered normally, then the save
# happens before the answer is sent (checked further by the server: field names, types, catalog GUIDs).
ANOTHER_ADMINISTRATOR = ("then_set_configuration", "then_set_subscription")
START_KINDS = ("scheduled", "manual")
KEYS = set(ACTIONS) | {"operation", "count", "delay_ms"}


class RuleError(ValueError):
    pass


def parse_rules(payload) -> List[Dict]:
    if isinstance(payload, dict) and "rules" in payload:
        payload = payload["rules"]
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list):
        raise RuleError('expected a JSON list of rules or {"rules": [...]}')
    rules = []
    for position, raw in enumerate(payload):
        where = "rule %d" % position
        if not isinstance(raw, dict):
            raise RuleError("%s: expected an object" % where)
        unknown = sorted(set(raw) - KEYS)
        if unknown:
            raise RuleError(
                "%s: unknown key(s) %s (allowed: %s)" % (where, ", ".join(unknown), ", ".join(sorted(KEYS)))
            )
        actions = [key for key in ACTIONS if key in raw and raw[key] not in (None, False)]
        if len(actions) > 1:
            raise RuleError("%s: give only one of %s" % (where, ", ".join(ACTIONS)))
        if not actions and "delay_ms" not in raw:
            raise RuleError("%s: give one of %s or delay_ms" % (where, ", ".join(ACTIONS)))
        rule: Dict = {"operation": str(raw.get("operation") or "any")}
        count = raw.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise RuleError("%s: count must be a positive integer" % where)
        rule["count"] = count
        if "delay_ms" in raw:
            delay = raw["delay_ms"]
            if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
                raise RuleError("%s: delay_ms must be a number >= 0" % where)
            rule["delay_ms"] = delay
        if actions:
            action = actions[0]
            value = raw[action]
            if action == "http_status":
                if not isinstance(value, int) or isinstance(value, bool) or not 100 <= value <= 599:
                    raise RuleError("%s: http_status must be an HTTP status code" % where)
            elif action == "soap_fault":
                if not isinstance(value, dict) or not value.get("type"):
                    raise RuleError('%s: soap_fault must be {"type": ..., "message": ...}' % where)
                value = {
                    "type": str(value["type"]),
                    "message": str(value.get("message") or ""),
                    "code": str(value.get("code") or "Server"),
                }
                if value["code"] not in ("Server", "Client"):
                    raise RuleError("%s: soap_fault code must be Server or Client" % where)
            elif action == "drop_connection":
                if value is not True:
                    raise RuleError("%s: drop_connection must be true" % where)
            elif action == "next_sync_result":
                if not isinstance(value, dict) or value.get("result") not in sync.RESULTS:
                    raise RuleError(
                        '%s: next_sync_result must be {"result": %s, "error_text": ...}'
                        % (where, "|".join(sync.RESULTS))
                    )
                error_text = value.get("error_text")
                if error_text is not None and not isinstance(error_text, str):
                    raise RuleError("%s: next_sync_result error_text must be a string" % where)
                value = {"result": value["result"], "error_text": error_text}
            elif action == "start_sync_after":
                # the request is answered normally, then a run starts before the answer is sent: the
                # "scheduled run begins between the caller's state read and its start" race, made deterministic
                if value is True:
                    value = "scheduled"
                if value not in START_KINDS:
                    raise RuleError('%s: start_sync_after must be true, "scheduled" or "manual"' % where)
            elif action == "hostile":
                try:
                    value = hostile.parse_spec(value)
                except ValueError as error:
                    raise RuleError("%s: %s" % (where, error)) from None
            elif action in ANOTHER_ADMINISTRATOR:
                if not isinstance(value, dict) or not value:
                    raise RuleError(
                        "%s: %s must be a non-empty object of what the other administrator saves" % (where, action)
                    )
                value = dict(value)
            rule[action] = value
        rules.append(rule)
    return rules


def handle(app, method: str, path: str, body: bytes) -> Tuple[int, Optional[object]]:
    """Returns (HTTP status, JSON-able body or None)."""
    route = path[len("/_emulator") :].strip("/")
    payload = None
    if body:
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            return 400, {"error": "invalid JSON: %s" % error}
    if route == "requests":
        if method == "GET":
            return 200, app.request_log_copy()
        if method == "DELETE":
            app.clear_request_log()
            return 200, []
    elif route == "auth":
        if method == "GET":
            return 200, app.auth_log_copy()
        if method == "DELETE":
            app.clear_auth_log()
            return 200, []
    elif route == "faults":
        if method == "GET":
            return 200, {"rules": app.rules_copy()}
        if method == "POST":
            try:
                rules = parse_rules(payload)
                app.check_rules(rules)
            except RuleError as error:
                return 400, {"error": str(error)}
            app.add_rules(rules)
            return 200, {"rules": app.rules_copy()}
        if method == "DELETE":
            app.clear_rules()
            return 200, {"rules": []}
    elif route == "state":
        if method == "GET":
            return 200, app.snapshot()
    elif route == "settings":
        if method == "GET":
            return 200, app.sync_settings()
        if method == "POST":
            return _post_object(app.update_sync_settings, payload, "expected a JSON object of settings")
    elif route == "content":
        if method == "GET":
            return 200, app.content()
        if method == "POST":
            return _post_object(app.set_content, payload, "expected a JSON object")
    elif route == "clock":
        if method == "GET":
            return 200, app.clock()
        if method == "POST":
            seconds = payload.get("advance_seconds") if isinstance(payload, dict) else None
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
                return 400, {"error": 'expected {"advance_seconds": N}'}
            try:
                return 200, app.advance_clock(seconds)
            except ValueError as error:
                return 400, {"error": str(error)}
    elif route in ("mail", "email"):
        return _mail(app, method, route, payload)
    elif route.split("/")[0] == "downstream_servers":
        return hierarchy.handle_control(app.member, method, route, payload)
    elif route == "reset":
        if method == "POST":
            app.reset()
            return 200, app.snapshot()
    else:
        return 404, {"error": "unknown control endpoint %s" % path}
    return 405, {"error": "%s is not allowed on %s" % (method, path)}


def _mail(app, method: str, route: str, payload) -> Tuple[int, Optional[object]]:
    """The mail log (GET, DELETE) and the stored e-mail settings (GET, POST a direct write)."""
    if route == "mail" and method == "GET":
        return 200, app.mail_log()
    if route == "mail" and method == "DELETE":
        app.clear_mail_log()
        return 200, []
    if route == "email" and method == "GET":
        return 200, app.email_view()
    if route == "email" and method == "POST":
        return _post_object(app.set_email, payload, "expected a JSON object of row fields and/or recipients")
    return 405, {"error": "%s is not allowed on /_emulator/%s" % (method, route)}


def _post_object(apply: Callable[[Dict], object], payload, expected: str) -> Tuple[int, Optional[object]]:
    """A POST whose body must be a JSON object: 400 with ``expected`` otherwise, or with apply's ValueError."""
    if not isinstance(payload, dict):
        return 400, {"error": expected}
    try:
        return 200, apply(payload)
    except ValueError as error:
        return 400, {"error": str(error)}
