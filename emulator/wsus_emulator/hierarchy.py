"""Upstream/downstream registrations between the servers of one emulator process (``--servers N``).

Every server has a full domain name (``--name``, or ``wsus-<port>.emulator.test``), an id (its
ConfigurationTableRow ``ServerId``: random at first start, kept in ``--state-dir`` and across a control API
reset) and a version (what GetServerVersion answers). When a synchronization of a server ends successfully and
its configuration names another server of this process as its upstream (``SyncToMU`` false,
``UpstreamServerName`` that server's name, 127.0.0.1, localhost or the bind host, and ``ServerPortNumber`` its
port), the server is registered at that upstream, or its row there is updated. ExecuteSPGetAllDownstreamServers
answers those rows (GUIDE.md "Upstream and downstream servers").

Locking: the hierarchy's lock is always the innermost lock. Code holding it never takes a server's state
lock; ``settle`` takes the state locks one at a time, holding no other lock.
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Dict, List, Optional, Tuple

from .soap import Guid, format_datetime, parse_datetime
from .state import DEFAULT_SYNC_SETTINGS, ServerState, utc_from_epoch, write_json_atomically

DEFAULT_NAME = "wsus-%d.emulator.test"
NIL_GUID = "00000000-0000-0000-0000-000000000000"
# The settings of /_emulator/settings that are the server's identity rather than its synchronization's.
IDENTITY_SETTINGS = ("name", "version")
# ExecuteSPGetAllDownstreamServers: the cells of a row, in order (SPEC §3.1.4.33.3.2, the sibling operation's
# layout; docs/evidence.md "Sync health" row 13).
COLUMNS = ("DomainName", "ID", "RollupLastSyncTime", "ParentId", "LastRollupTime", "Version", "IsReplica")
STATE_FORMAT = 1
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def check_name(name) -> str:
    """The name, or ValueError: a full domain name of letters, digits and hyphens (at most 253 characters)."""
    if not isinstance(name, str) or not name or len(name) > 253 or not all(_LABEL.match(x) for x in name.split(".")):
        raise ValueError(
            "name %r is not a full domain name: dot-separated labels of 1-63 letters, digits and hyphens "
            "(not starting or ending with a hyphen), at most 253 characters, e.g. wsus-01.corp.example" % (name,)
        )
    return name


def check_version(version) -> str:
    if not isinstance(version, str) or not version.strip() or len(version) > 100 or _CONTROL_CHARS.search(version):
        raise ValueError("version must be a non-empty string on one line of at most 100 characters, e.g. 10.0.26100.1")
    return version


def split_settings(settings: Dict) -> Tuple[Dict, Dict]:
    """(identity settings, synchronization settings) of a /_emulator/settings payload; ValueError for a key that
    is neither (naming all the known ones)."""
    unknown = sorted(set(settings) - set(DEFAULT_SYNC_SETTINGS) - set(IDENTITY_SETTINGS))
    if unknown:
        known = ", ".join(sorted(set(DEFAULT_SYNC_SETTINGS) | set(IDENTITY_SETTINGS)))
        raise ValueError("unknown setting(s) %s (known: %s)" % (", ".join(unknown), known))
    identity = {key: value for key, value in settings.items() if key in IDENTITY_SETTINGS}
    return identity, {key: value for key, value in settings.items() if key not in IDENTITY_SETTINGS}


class Member:
    """One server as the hierarchy sees it: name, id, port, version, and its state (for its configuration)."""

    def __init__(self, hierarchy: "Hierarchy", state: ServerState, port: int, name: str, version: str):
        self.hierarchy = hierarchy
        self.state = state
        self.port = port
        self.server_id = str(state.config["ServerId"]).lower()
        self.initial = {"name": name, "version": version}  # what a reset restores (the command line's)
        self.name = name
        self.version = version

    def settings(self) -> Dict:
        return {"name": self.name, "version": self.version}

    def synchronized(self, at: float) -> None:
        """ServerState calls this, holding its lock, when a synchronization of this server ended successfully
        at ``at`` (epoch seconds of its simulated clock)."""
        self.hierarchy.register(self, dict(self.state.config), at)

    def downstream_rows(self, parent_id: Optional[str], nested: bool) -> List[list]:
        return self.hierarchy.rows(self, parent_id, nested)


class Hierarchy:
    """The servers of one process and the downstream servers registered at each."""

    def __init__(self, bind_host: str = "127.0.0.1", state_dir: Optional[str] = None):
        self.lock = threading.Lock()
        # An upstream named by any of these is "this machine": matched by port alone.
        self.local_hosts = {"127.0.0.1", "localhost", bind_host.lower()} - {""}
        self.state_dir = state_dir
        self.members: List[Member] = []
        # upstream server id -> the rows registered there (COLUMNS as keys, times as text), in registration order
        self.registrations: Dict[str, List[Dict]] = {}

    # ------------------------------------------------------------------------------------ membership
    def join(self, state: ServerState, port: int, name: Optional[str], version: str) -> Member:
        """A server of this process; ValueError for a name that is invalid or another server's."""
        name = check_name(name if name is not None else DEFAULT_NAME % port)
        with self.lock:
            self._check_unique(name, None)
            member = Member(self, state, port, name, version)
            self.members.append(member)
            self.registrations[member.server_id] = self._load(member)
        state.on_sync_success = member.synchronized
        return member

    def _check_unique(self, name: str, member: Optional[Member]) -> None:
        for other in self.members:
            if other is not member and other.name.lower() == name.lower():
                raise ValueError("name %s is already the name of the server on port %d" % (name, other.port))

    def update(self, member: Member, identity: Dict) -> None:
        """Set name and/or version (checked first: ValueError changes nothing)."""
        name = check_name(identity["name"]) if "name" in identity else member.name
        version = check_version(identity["version"]) if "version" in identity else member.version
        with self.lock:
            self._check_unique(name, member)
            member.name, member.version = name, version

    def reset(self, member: Member) -> None:
        """Factory state: the command line's name and version, no downstream server registered here."""
        with self.lock:
            member.name, member.version = member.initial["name"], member.initial["version"]
            self.registrations[member.server_id] = []
            self._save(member)

    def settle(self) -> None:
        """Let every server finish the runs whose end has passed (each registers where it should) before an
        answer that reads the registrations. Takes one state lock at a time and must be called holding none."""
        with self.lock:
            members = list(self.members)
        for member in members:
            with member.state.lock:
                member.state.advance()

    # ------------------------------------------------------------------------------------ registration
    def upstream_of(self, member: Member, config: Dict) -> Optional[Member]:
        """The server of this process that ``config`` (the downstream's configuration) synchronizes from."""
        if config.get("SyncToMU"):
            return None
        host = str(config.get("UpstreamServerName") or "").strip().lower()
        port = config.get("ServerPortNumber")
        for other in self.members:
            if other is not member and other.port == port and (host == other.name.lower() or host in self.local_hosts):
                return other
        return None

    def register(self, member: Member, config: Dict, at: float) -> None:
        with self.lock:
            upstream = self.upstream_of(member, config)
            if upstream is None:
                return  # Microsoft Update, or a server outside this process: nobody to register at
            end = format_datetime(utc_from_epoch(at))
            row = {
                "DomainName": member.name,
                "ID": member.server_id,
                "RollupLastSyncTime": end,
                "ParentId": upstream.server_id,
                "LastRollupTime": end,
                "Version": member.version,
                "IsReplica": bool(config.get("ReplicaMode")),
            }
            rows = self.registrations.setdefault(upstream.server_id, [])
            for index, old in enumerate(rows):
                if old["ID"] == member.server_id:
                    rows[index] = row  # updated in place: the order stays the order of first registration
                    break
            else:
                rows.append(row)
            self._save(upstream)

    def forget(self, member: Member, key: str, value: str) -> int:
        """Remove the rows registered at ``member`` whose DomainName (key "name", case-insensitive) or ID (key
        "id") is ``value``; how many were removed."""
        column = "DomainName" if key == "name" else "ID"
        with self.lock:
            rows = self.registrations.get(member.server_id, [])
            kept = [row for row in rows if row[column].lower() != value.lower()]
            self.registrations[member.server_id] = kept
            if len(kept) != len(rows):
                self._save(member)
            return len(rows) - len(kept)

    # ------------------------------------------------------------------------------------ reading
    def rows(self, member: Member, parent_id: Optional[str], nested: bool) -> List[list]:
        """ExecuteSPGetAllDownstreamServers at ``member``: the children of ``parent_id`` (nil GUID or None: the
        server itself; another GUID: a downstream server of its subtree), the whole subtree when ``nested``.
        A GUID outside the subtree has no rows."""
        root = member.server_id if parent_id is None or parent_id.lower() == NIL_GUID else parent_id.lower()
        with self.lock:
            if root != member.server_id and root not in {row["ID"] for row in self._walk(member.server_id, True)}:
                return []
            return [self._cells(row) for row in self._walk(root, nested)]

    def _walk(self, root: str, nested: bool) -> List[Dict]:
        """The rows registered at ``root``, each followed by its own subtree when ``nested`` (depth first, in
        registration order); a server is listed once even if registered at two places or in a cycle."""
        seen = {root}
        found: List[Dict] = []

        def visit(parent: str) -> None:
            for row in self.registrations.get(parent, []):
                if row["ID"] in seen:
                    continue
                seen.add(row["ID"])
                found.append(row)
                if nested:
                    visit(row["ID"])

        visit(root)
        return found

    @staticmethod
    def _cells(row: Dict) -> list:
        return [
            row["DomainName"],
            Guid(row["ID"]),
            parse_datetime(row["RollupLastSyncTime"]),
            Guid(row["ParentId"]),
            parse_datetime(row["LastRollupTime"]),
            row["Version"],
            bool(row["IsReplica"]),
        ]

    def view(self, member: Member, config: Dict) -> Dict:
        """The control API's answer: who the server is, its upstream in this process, its registrations."""
        with self.lock:
            upstream = self.upstream_of(member, config)
            return {
                "name": member.name,
                "id": member.server_id,
                "port": member.port,
                "version": member.version,
                "upstream": None
                if upstream is None
                else {"name": upstream.name, "id": upstream.server_id, "port": upstream.port},
                "downstream_servers": [dict(row) for row in self.registrations.get(member.server_id, [])],
            }

    # ------------------------------------------------------------------------------------ persistence
    def _path(self, member: Member) -> Optional[str]:
        if not self.state_dir:
            return None
        return os.path.join(self.state_dir, "downstream-servers-%d.json" % member.port)

    def _load(self, member: Member) -> List[Dict]:
        """The registrations kept by an earlier run on this port, if they belong to this server id."""
        path = self._path(member)
        if path is None or not os.path.isfile(path):
            return []
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != STATE_FORMAT or data.get("server_id") != member.server_id:
            return []  # another server's file (its state file was replaced): not this server's registrations
        return [dict(row) for row in data.get("downstream_servers", []) if set(COLUMNS) <= set(row)]

    def _save(self, member: Member) -> None:
        path = self._path(member)
        if path is None:
            return
        data = {
            "format": STATE_FORMAT,
            "server_id": member.server_id,
            "downstream_servers": self.registrations.get(member.server_id, []),
        }
        write_json_atomically(path, data, ".downstream-")


# ---------------------------------------------------------------------------------------- control API
def handle_control(member: Member, method: str, route: str, payload) -> Tuple[int, Dict]:
    """GET /_emulator/downstream_servers and POST /_emulator/downstream_servers/forget."""
    hierarchy = member.hierarchy
    if route == "downstream_servers" and method == "GET":
        hierarchy.settle()
        return 200, _view(member)
    if route == "downstream_servers/forget" and method == "POST":
        keys = [key for key in ("name", "id") if isinstance(payload, dict) and key in payload]
        if len(keys) != 1 or set(payload) != set(keys) or not isinstance(payload[keys[0]], str):
            return 400, {"error": 'expected {"name": "<full domain name>"} or {"id": "<server id>"}'}
        hierarchy.settle()
        if hierarchy.forget(member, keys[0], payload[keys[0]]) == 0:
            registered = [row["DomainName"] for row in _view(member)["downstream_servers"]]
            return 404, {
                "error": "no downstream server with %s %s is registered at %s (registered: %s)"
                % (keys[0], payload[keys[0]], member.name, ", ".join(registered) or "none")
            }
        return 200, _view(member)
    if route in ("downstream_servers", "downstream_servers/forget"):
        return 405, {"error": "%s is not allowed on /_emulator/%s" % (method, route)}
    return 404, {"error": "unknown control endpoint /_emulator/%s" % route}


def _view(member: Member) -> Dict:
    with member.state.lock:
        config = dict(member.state.config)
    return member.hierarchy.view(member, config)
