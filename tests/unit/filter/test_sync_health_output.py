"""Fleet output of sync_health: the Prometheus file parses with prometheus_client and has one series per server for
each metric; Markdown and the summary; a server that could not be read is critical."""

from __future__ import annotations

import math

from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.ops.wsus.plugins.filter.sync_health import (
    FilterModule,
    fleet_summary,
    to_markdown,
    to_prometheus,
)


def result(status, reasons=(), age=3600.0, pending=0, failed=0, components=(), missed=0):
    return {
        "changed": False,
        "status": status,
        "reasons": list(reasons),
        "last_sync": {"result": "succeeded", "kind": "scheduled"},
        "last_success": "2026-12-01T10:00:00Z",
        "last_success_age_s": age,
        "downloads": {"downloaded_bytes": 0, "pending_bytes": pending, "failed_updates": failed},
        "components_with_errors": list(components),
        "schedule": {"missed_in_a_row": missed},
    }


FLEET = {
    "wsus01": result("healthy"),
    'wsus"02\\x': result("warning", ["The last synchronization (scheduled) failed: | pipe"], age=100000.5, failed=2),
    "wsus03": result(
        "critical",
        ["Scheduled synchronizations are not starting.", "x"],
        age=None,
        pending=5000,
        components=["Database"],
        missed=4,
    ),
    "wsus04": {"failed": True, "msg": "wsus04: connection refused"},
}


def families():
    return {family.name: family for family in text_string_to_metric_families(to_prometheus(FLEET))}


def test_prometheus_file_parses_with_one_series_per_server():
    found = families()
    expected = {
        "wsus_sync_health_status",
        "wsus_sync_last_success_age_seconds",
        "wsus_sync_downloads_pending_bytes",
        "wsus_sync_download_failed_updates",
        "wsus_sync_component_errors",
        "wsus_sync_scheduled_starts_missed",
        "wsus_sync_health_reasons",
    }
    assert set(found) == expected
    for family in found.values():
        assert family.type == "gauge" and family.documentation
        assert sorted(sample.labels["server"] for sample in family.samples) == sorted(FLEET)


def test_prometheus_values():
    found = families()

    def value(metric, server):
        return next(s.value for s in found[metric].samples if s.labels["server"] == server)

    statuses = {server: value("wsus_sync_health_status", server) for server in FLEET}
    assert statuses == {"wsus01": 0, 'wsus"02\\x': 1, "wsus03": 2, "wsus04": 2}
    assert value("wsus_sync_last_success_age_seconds", 'wsus"02\\x') == 100000.5
    assert math.isinf(value("wsus_sync_last_success_age_seconds", "wsus03"))
    assert math.isinf(value("wsus_sync_last_success_age_seconds", "wsus04"))
    assert value("wsus_sync_downloads_pending_bytes", "wsus03") == 5000
    assert value("wsus_sync_download_failed_updates", 'wsus"02\\x') == 2
    assert value("wsus_sync_component_errors", "wsus03") == 1
    assert value("wsus_sync_scheduled_starts_missed", "wsus03") == 4


def test_an_unread_server_is_critical_with_the_task_message():
    summary = fleet_summary(FLEET)
    assert summary["status"] == "critical"
    assert summary["counts"] == {"healthy": 1, "warning": 1, "critical": 2}
    unread = [row for row in summary["servers"] if row["server"] == "wsus04"][0]
    assert unread["status"] == "critical" and "connection refused" in unread["reasons"][0]


def test_markdown_table():
    text = to_markdown(FLEET)
    assert text.startswith("# WSUS sync health\n\n**critical** — 1 healthy, 1 warning, 2 critical.")
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| wsus")}
    assert sorted(rows) == sorted(FLEET)
    assert "failed: \\| pipe" in rows['wsus"02\\x'] and "| never |" in rows["wsus03"]
    assert "Scheduled synchronizations are not starting.<br>x" in rows["wsus03"]


def test_empty_fleet_and_filter_names():
    assert fleet_summary({}) == {
        "status": "healthy",
        "counts": {"healthy": 0, "warning": 0, "critical": 0},
        "servers": [],
    }
    assert list(text_string_to_metric_families(to_prometheus({})))  # HELP/TYPE only, still valid
    assert set(FilterModule().filters()) == {"sync_health_summary", "sync_health_prometheus", "sync_health_markdown"}
