# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hierarchy checks across the inventory, from the sync_health results of every server and the upstream each
downstream declares (inventory). Pure: no I/O.

* a downstream synchronized after its upstream's last success (else a warning naming both);
* no downstream runs a newer WSUS than its upstream (else a warning naming both versions);
* the declared upstream links have no cycle (else critical: such servers can never get updates);
* each downstream is registered at its upstream: among the ``downstream_servers`` the upstream's sync_health
  read (ExecuteSPGetAllDownstreamServers), else a warning naming both (docs/sync-health.md, "Hierarchy").
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.ops.wsus.plugins.module_utils._state.health import worst


def _version(text):
    parts = re.findall(r"\d+", str(text or ""))
    return tuple(int(part) for part in parts) if parts else None


def _time(text):
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _cycles(upstreams):
    """Each cycle of the declared links once, as a list of servers from its smallest name."""
    found = []
    seen = set()
    for start in sorted(upstreams):
        path = []
        node = start
        while node in upstreams and node not in path and node not in seen:
            path.append(node)
            node = upstreams[node]
        if node in path:
            cycle = path[path.index(node) :]
            first = cycle.index(min(cycle))
            found.append(cycle[first:] + cycle[:first])
        seen.update(path)
    return found


def _finding(status, servers, reason):
    return {"status": status, "servers": servers, "reason": reason}


def _pair_findings(downstream, upstream, down, up):
    findings = []
    if not isinstance(down, dict) or not isinstance(up, dict) or down.get("failed") or up.get("failed"):
        return findings  # a server that could not be read is already critical in the fleet report
    up_success, down_success = up.get("last_success"), down.get("last_success")
    if _time(up_success) and (not _time(down_success) or _time(down_success) < _time(up_success)):
        findings.append(
            _finding(
                "warning",
                [downstream, upstream],
                "%s has not synchronized since its upstream %s last synchronized successfully (%s); %s's last "
                "success: %s. Synchronize %s (ops.wsus.sync) after %s."
                % (downstream, upstream, up_success, downstream, down_success or "never", downstream, upstream),
            )
        )
    down_version, up_version = _version(down.get("version")), _version(up.get("version"))
    if down_version and up_version and down_version > up_version:
        findings.append(
            _finding(
                "warning",
                [downstream, upstream],
                "%s runs WSUS %s, newer than its upstream %s (%s): upgrade the upstream first, top-down."
                % (downstream, down.get("version"), upstream, up.get("version")),
            )
        )
    return findings


def _same_server(listed, wanted):
    """A name the upstream lists against the name looked for: equal ignoring case, or, when either has no
    domain (a short name in the inventory, or a server registered under its NetBIOS name), equal first labels."""
    listed, wanted = str(listed or "").strip().lower().rstrip("."), str(wanted or "").strip().lower().rstrip(".")
    if not listed or not wanted:
        return False
    if listed == wanted:
        return True
    return ("." not in listed or "." not in wanted) and listed.split(".", 1)[0] == wanted.split(".", 1)[0]


def _registration_findings(downstream, upstream, name, up):
    """Whether ``downstream`` (listed as ``name``) is among the downstream servers its upstream's result lists."""
    if not isinstance(up, dict) or up.get("failed") or "downstream_servers" not in up:
        return []  # not read (already critical), or a result of an older sync_health that did not read them
    listed = up.get("downstream_servers")
    if not isinstance(listed, list):
        why = up.get("downstream_servers_error") or "its sync_health result has no list of downstream servers"
        return [
            _finding(
                "warning",
                [downstream, upstream],
                "cannot tell whether %s is registered at %s: %s" % (downstream, upstream, why),
            )
        ]
    entries = [entry for entry in listed if isinstance(entry, dict)]
    if any(entry.get("direct", True) and _same_server(entry.get("name"), name) for entry in entries):
        return []
    shown = downstream if name == downstream else "%s (%s)" % (downstream, name)
    nested = [entry for entry in entries if _same_server(entry.get("name"), name)]
    where = " it is listed only below another downstream server;" if nested else ""
    names = ", ".join(str(entry.get("name")) for entry in entries if entry.get("direct", True)) or "none"
    return [
        _finding(
            "warning",
            [downstream, upstream],
            "%s is not registered at its upstream %s (%s lists: %s):%s it has not completed a synchronization "
            "from %s; check its update source and its last sync." % (shown, upstream, upstream, names, where, upstream),
        )
    ]


def hierarchy_findings(results, upstreams, names=None):
    """[{status, servers, reason}] for ``results`` (server -> sync_health result) and ``upstreams`` (server ->
    the upstream server it declares; servers without one are omitted or map to a false value). ``names``:
    server -> the full domain name its upstream lists it under (default: the server itself)."""
    links = {str(down): str(up) for down, up in (upstreams or {}).items() if up}
    names = {str(server): str(name) for server, name in (names or {}).items() if name}
    findings = []
    for cycle in _cycles(links):
        findings.append(
            _finding(
                "critical",
                cycle,
                "The declared upstream links form a cycle (%s): none of these servers can get updates; give one "
                "of them Microsoft Update or an upstream outside the cycle." % " -> ".join(cycle + [cycle[0]]),
            )
        )
    for downstream in sorted(links):
        upstream = links[downstream]
        if downstream in (results or {}) and upstream in results:
            findings.extend(_pair_findings(downstream, upstream, results[downstream], results[upstream]))
            name = names.get(downstream, downstream)
            findings.extend(_registration_findings(downstream, upstream, name, results[upstream]))
    return findings


def hierarchy_status(findings):
    return worst(finding["status"] for finding in findings)


class FilterModule:
    def filters(self):
        return {"sync_health_hierarchy": hierarchy_findings}
