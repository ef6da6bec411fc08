"""The downstream servers an upstream lists, in the fleet's JSON summary and its Markdown report."""

from __future__ import annotations

from ansible_collections.ops.wsus.plugins.filter.sync_health import fleet_summary, to_markdown

REPLICA = {
    "name": "wsus02.branch.example",
    "id": "0f4f6a7e-8c2d-4b5a-a1e3-7d9c0b2e4f60",
    "parent_id": None,
    "direct": True,
    "version": "10.0.20348.1",
    "replica": True,
    "last_sync": "2026-12-01T04:12:31Z",
    "last_rollup": None,
}
NESTED = dict(REPLICA, name="wsus03|x", direct=False, replica=False, version=None, last_sync=None)


def result(downstream_servers, **extra):
    found = {"status": "healthy", "reasons": [], "last_success_age_s": 60.0, "downstream_servers": downstream_servers}
    found.update(extra)
    return found


FLEET = {
    "wsus01": result([REPLICA, NESTED]),
    "wsus02": result([]),
    "wsus03": result(None, status="warning", reasons=["Could not read the downstream servers of wsus03: x"]),
    "wsus04": {"failed": True, "msg": "refused"},
}


def test_the_summary_carries_each_servers_list_as_read():
    rows = {row["server"]: row for row in fleet_summary(FLEET)["servers"]}
    assert rows["wsus01"]["downstream_servers"] == [REPLICA, NESTED]
    assert rows["wsus02"]["downstream_servers"] == []
    assert rows["wsus03"]["downstream_servers"] is None and rows["wsus04"]["downstream_servers"] is None


def test_markdown_has_one_line_per_upstream_with_downstream_servers():
    text = to_markdown(FLEET)
    lines = text.splitlines()
    start = lines.index("Downstream servers registered at each upstream:")
    assert lines[start + 2 :] == [
        "- **wsus01**: wsus02.branch.example (replica, 10.0.20348.1, last synchronization 2026-12-01T04:12:31Z); "
        "wsus03\\|x (downstream, nested, version unknown, last synchronization never)"
    ]


def test_markdown_has_no_downstream_section_without_downstream_servers():
    text = to_markdown({"wsus02": result([]), "wsus03": result(None)})
    assert "Downstream servers" not in text
