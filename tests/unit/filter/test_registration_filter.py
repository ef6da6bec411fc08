"""The registration check of sync_health_hierarchy: each declared downstream is among the downstream servers its
upstream lists (sync_health's ``downstream_servers``), matched on its full domain name."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.filter.sync_health_hierarchy import hierarchy_findings

T0 = "2026-12-01T10:00:00Z"
T1 = "2026-12-01T10:30:00Z"


def listed(name, direct=True):
    return {"name": name, "id": "x", "parent_id": None, "direct": direct, "version": "10.0.20348.1", "replica": True}


def result(last_success, downstream_servers=None, **extra):
    found = {"status": "healthy", "last_success": last_success, "version": "10.0.20348.1"}
    if downstream_servers is not None or "downstream_servers_error" in extra:
        found["downstream_servers"] = downstream_servers
    found.update(extra)
    return found


def test_a_replica_registered_at_its_upstream_is_fine():
    results = {"wsus01": result(T0, [listed("WSUS02.branch.example")]), "wsus02": result(T1, [])}
    assert hierarchy_findings(results, {"wsus02": "wsus01"}, {"wsus02": "wsus02.Branch.example"}) == []


@pytest.mark.parametrize(
    "listed_name, wanted",
    [
        ("wsus02", "wsus02.branch.example"),  # registered under its short name
        ("wsus02.branch.example", "WSUS02"),  # the inventory knows only the short name
    ],
)
def test_a_short_name_on_either_side_matches_the_first_label(listed_name, wanted):
    results = {"up": result(T0, [listed(listed_name)]), "down": result(T1)}
    assert hierarchy_findings(results, {"down": "up"}, {"down": wanted}) == []


def test_without_names_the_inventory_name_is_looked_for():
    results = {"wsus01": result(T0, [listed("wsus02.branch.example")]), "wsus02": result(T1)}
    assert hierarchy_findings(results, {"wsus02": "wsus01"}) == []


def test_two_full_names_that_differ_only_after_the_first_label_do_not_match():
    results = {"up": result(T0, [listed("wsus02.other.example")]), "down": result(T1)}
    findings = hierarchy_findings(results, {"down": "up"}, {"down": "wsus02.branch.example"})
    assert [finding["servers"] for finding in findings] == [["down", "up"]]


def test_a_replica_missing_from_its_upstreams_list_is_a_warning_naming_both():
    results = {
        "wsus01": result(T0, [listed("wsus03.branch.example"), listed("wsus04.branch.example")]),
        "wsus02": result(T1, []),
    }
    findings = hierarchy_findings(results, {"wsus02": "wsus01"}, {"wsus02": "wsus02.branch.example"})
    assert len(findings) == 1
    assert findings[0]["status"] == "warning" and findings[0]["servers"] == ["wsus02", "wsus01"]
    assert findings[0]["reason"] == (
        "wsus02 (wsus02.branch.example) is not registered at its upstream wsus01 (wsus01 lists: "
        "wsus03.branch.example, wsus04.branch.example): it has not completed a synchronization from wsus01; "
        "check its update source and its last sync."
    )


def test_an_upstream_with_no_downstream_lists_none_and_the_behind_warning_stays():
    results = {"up": result(T1, []), "down": result(T0)}
    findings = hierarchy_findings(results, {"down": "up"})
    assert [finding["reason"].split(" ")[1:4] for finding in findings] == [
        ["has", "not", "synchronized"],
        ["is", "not", "registered"],
    ]
    assert "(up lists: none)" in findings[1]["reason"]


def test_listed_only_below_another_downstream_is_not_registered_at_the_declared_upstream():
    results = {"up": result(T0, [listed("mid.example"), listed("down.example", direct=False)]), "down": result(T1)}
    findings = hierarchy_findings(results, {"down": "up"}, {"down": "down.example"})
    assert len(findings) == 1
    assert "(up lists: mid.example): it is listed only below another downstream server;" in findings[0]["reason"]


def test_an_unreadable_list_is_a_warning_that_says_why():
    error = "Could not read the downstream servers of up:8530: the server faulted"
    results = {"up": result(T0, None, downstream_servers_error=error), "down": result(T1)}
    findings = hierarchy_findings(results, {"down": "up"})
    assert findings == [
        {
            "status": "warning",
            "servers": ["down", "up"],
            "reason": "cannot tell whether down is registered at up: " + error,
        }
    ]


def test_failed_upstreams_and_results_without_the_list_are_not_checked():
    results = {"up": {"failed": True, "msg": "refused", "downstream_servers": None}, "down": result(T1)}
    assert hierarchy_findings(results, {"down": "up"}) == []
    assert hierarchy_findings({"up": result(T0), "down": result(T1)}, {"down": "up"}) == []
