"""Hierarchy checks across the inventory: a downstream behind its upstream's last success, a downstream newer
than its upstream, cycles in the declared links."""

from __future__ import annotations

from ansible_collections.ops.wsus.plugins.filter.sync_health_hierarchy import (
    FilterModule,
    hierarchy_findings,
    hierarchy_status,
)


def server(last_success, version="10.0.20348.1"):
    return {"status": "healthy", "last_success": last_success, "version": version}


def test_a_replica_behind_its_upstreams_last_success_is_a_warning_naming_both():
    results = {"wsus01": server("2026-12-01T10:00:00Z"), "wsus02": server("2026-12-01T09:59:59.500000Z")}
    findings = hierarchy_findings(results, {"wsus02": "wsus01"})
    assert len(findings) == 1 and findings[0]["status"] == "warning"
    assert findings[0]["servers"] == ["wsus02", "wsus01"]
    assert findings[0]["reason"].startswith("wsus02 has not synchronized since its upstream wsus01 last")
    assert hierarchy_status(findings) == "warning"


def test_a_downstream_that_synchronized_after_its_upstream_is_fine():
    results = {"wsus01": server("2026-12-01T10:00:00Z"), "wsus02": server("2026-12-01T10:20:00Z")}
    assert hierarchy_findings(results, {"wsus02": "wsus01", "wsus01": None}) == []
    assert hierarchy_status([]) == "healthy"


def test_a_downstream_that_never_synchronized_is_behind():
    findings = hierarchy_findings({"a": server("2026-12-01T10:00:00Z"), "b": server(None)}, {"b": "a"})
    assert "b's last success: never" in findings[0]["reason"]


def test_a_newer_downstream_version_is_flagged():
    results = {
        "up": server("2026-12-01T10:00:00Z", "10.0.17763.1"),
        "down": server("2026-12-01T11:00:00Z", "10.0.20348.1"),
    }
    findings = hierarchy_findings(results, {"down": "up"})
    assert [f["status"] for f in findings] == ["warning"]
    assert "down runs WSUS 10.0.20348.1, newer than its upstream up (10.0.17763.1)" in findings[0]["reason"]


def test_cycles_are_critical_once_each():
    findings = hierarchy_findings({}, {"c": "a", "a": "b", "b": "c", "d": "a", "x": "x"})
    cycles = [f["servers"] for f in findings]
    assert cycles == [["a", "b", "c"], ["x"]]
    assert all(f["status"] == "critical" for f in findings)
    assert "(a -> b -> c -> a)" in findings[0]["reason"]
    assert hierarchy_status(findings) == "critical"


def test_unread_servers_and_undeclared_upstreams_are_skipped():
    results = {"up": {"failed": True, "msg": "refused"}, "down": server(None)}
    assert hierarchy_findings(results, {"down": "up", "other": "elsewhere"}) == []
    assert set(FilterModule().filters()) == {"sync_health_hierarchy"}
