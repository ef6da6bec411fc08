# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet output of ops.wsus.sync_health: the results of every server as one summary, a Markdown report and a
Prometheus text-format file (for node_exporter's textfile collector).

Each filter takes a mapping of server name to that server's registered sync_health result. A result of a task
that failed (the server did not answer, a wrong password ...) counts as critical, with the task's message as
its reason: a report must never show a server it could not read as healthy.
"""

from __future__ import annotations

import math

from ansible_collections.ops.wsus.plugins.module_utils._state.health import RANK as STATUS_VALUES

# (metric, help, value from a summary row); every metric is a gauge with one series per server.
METRICS = (
    (
        "wsus_sync_health_status",
        "Sync health of the WSUS server: 0 healthy, 1 warning, 2 critical.",
        lambda row: STATUS_VALUES[row["status"]],
    ),
    (
        "wsus_sync_last_success_age_seconds",
        "Seconds since the last successful synchronization ended (+Inf: never, or not read).",
        lambda row: math.inf if row["last_success_age_s"] is None else row["last_success_age_s"],
    ),
    (
        "wsus_sync_downloads_pending_bytes",
        "Bytes of update content still to download.",
        lambda row: row["pending_bytes"],
    ),
    (
        "wsus_sync_download_failed_updates",
        "Updates whose content failed to download.",
        lambda row: row["failed_downloads"],
    ),
    (
        "wsus_sync_component_errors",
        "Server components in an error state.",
        lambda row: row["component_errors"],
    ),
    (
        "wsus_sync_scheduled_starts_missed",
        "Most recent planned automatic synchronizations missed in a row.",
        lambda row: row["missed_in_a_row"],
    ),
    (
        "wsus_sync_health_reasons",
        "Findings (warning or critical) of the sync health check.",
        lambda row: len(row["reasons"]),
    ),
)


def _number(value, default=0):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def summarize(results):
    """[{server, status, reasons, last_sync_result, last_sync_kind, last_success, last_success_age_s,
    pending_bytes, failed_downloads, component_errors, missed_in_a_row, downstream_servers}], sorted by server.
    ``downstream_servers``: as sync_health read them ([] none, null not read)."""
    rows = []
    for server in sorted(results or {}):
        result = results[server] or {}
        status = result.get("status")
        reasons = list(result.get("reasons") or [])
        if result.get("failed") or status not in STATUS_VALUES:
            status = "critical"
            reasons = ["The health check could not read the server: %s" % (result.get("msg") or "no result")]
        last_sync = result.get("last_sync") or {}
        downloads = result.get("downloads") or {}
        schedule = result.get("schedule") or {}
        rows.append(
            {
                "server": str(server),
                "status": status,
                "reasons": reasons,
                "last_sync_result": last_sync.get("result"),
                "last_sync_kind": last_sync.get("kind"),
                "last_success": result.get("last_success"),
                "last_success_age_s": result.get("last_success_age_s"),
                "pending_bytes": _number(downloads.get("pending_bytes")),
                "failed_downloads": _number(downloads.get("failed_updates")),
                "component_errors": len(result.get("components_with_errors") or []),
                "missed_in_a_row": _number(schedule.get("missed_in_a_row")),
                "downstream_servers": _downstream(result),
            }
        )
    return rows


def _downstream(result):
    listed = result.get("downstream_servers")
    return [dict(entry) for entry in listed if isinstance(entry, dict)] if isinstance(listed, list) else None


def _downstream_lines(rows):
    """One line per server that has downstream servers: their names, replica or not, version, last sync."""
    lines = []
    for row in rows:
        entries = row["downstream_servers"] or []
        described = [
            "%s (%s%s, %s, last synchronization %s)"
            % (
                entry.get("name"),
                "replica" if entry.get("replica") else "downstream",
                "" if entry.get("direct", True) else ", nested",
                entry.get("version") or "version unknown",
                entry.get("last_sync") or "never",
            )
            for entry in entries
        ]
        if described:
            lines.append("- **%s**: %s" % (_cell(row["server"]), _cell("; ".join(described))))
    return ["", "Downstream servers registered at each upstream:", ""] + lines if lines else []


def fleet_summary(results):
    """{status (the worst), counts per status, servers: summary rows}."""
    rows = summarize(results)
    counts = {status: sum(1 for row in rows if row["status"] == status) for status in STATUS_VALUES}
    worst = max((row["status"] for row in rows), key=STATUS_VALUES.get, default="healthy")
    return {"status": worst, "counts": counts, "servers": rows}


def _label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _value(value):
    if value == math.inf:
        return "+Inf"
    if isinstance(value, float) and value.is_integer():
        return "%d" % value
    return repr(value) if isinstance(value, float) else "%d" % value


def to_prometheus(results):
    """The Prometheus text exposition format (0.0.4): one gauge series per server and metric."""
    rows = summarize(results)
    lines = []
    for name, help_text, value in METRICS:
        lines.append("# HELP %s %s" % (name, help_text))
        lines.append("# TYPE %s gauge" % name)
        for row in rows:
            lines.append('%s{server="%s"} %s' % (name, _label(row["server"]), _value(value(row))))
    return "\n".join(lines) + "\n"


def _cell(text):
    return str(text if text is not None else "—").replace("|", "\\|").replace("\n", " ")


def _age(seconds):
    if seconds is None:
        return "never"
    hours = float(seconds) / 3600.0
    return "%.1f d" % (hours / 24.0) if hours >= 48 else "%.1f h" % hours


def to_markdown(results, title="WSUS sync health"):
    summary = fleet_summary(results)
    counts = summary["counts"]
    lines = [
        "# %s" % title,
        "",
        "**%s** — %d healthy, %d warning, %d critical."
        % (summary["status"], counts["healthy"], counts["warning"], counts["critical"]),
        "",
        "| Server | Status | Last synchronization | Last success | Pending bytes | Failed downloads | Reasons |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in summary["servers"]:
        last = "%s (%s)" % (row["last_sync_result"], row["last_sync_kind"]) if row["last_sync_result"] else None
        lines.append(
            "| %s |"
            % " | ".join(
                _cell(item)
                for item in (
                    row["server"],
                    row["status"],
                    last,
                    "%s ago" % _age(row["last_success_age_s"]) if row["last_success_age_s"] is not None else "never",
                    row["pending_bytes"],
                    row["failed_downloads"],
                    "<br>".join(row["reasons"]) or "—",
                )
            )
        )
    lines += _downstream_lines(summary["servers"])
    return "\n".join(lines) + "\n"


class FilterModule:
    def filters(self):
        return {
            "sync_health_summary": fleet_summary,
            "sync_health_prometheus": to_prometheus,
            "sync_health_markdown": to_markdown,
        }
