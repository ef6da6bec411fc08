"""An upstream and its replica in one emulator process: sync_health lists the replica at its upstream
(ExecuteSPGetAllDownstreamServers), and sync_health_hierarchy checks that each declared replica is registered
at its declared upstream and has synchronized since the upstream's last success."""

from __future__ import annotations

import sys

import pytest

from support.documents import SYNC_HEALTH_READS
from support.fixtures import module_emulator
from support.playbook import connection_defaults, play, run_playbook

ROOT, REPLICA = "wsus-root.health.test", "wsus-replica.health.test"
READS = list(SYNC_HEALTH_READS)

pair = module_emulator("--servers", "2", "--sync-seconds", "1", "--name", ROOT, "--name", REPLICA)

HIERARCHY = (
    "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'health')))"
    " | ops.wsus.sync_health_hierarchy("
    "dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars) | map(attribute='wsus_upstream',"
    " default=''))), dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars)"
    " | map(attribute='wsus_fqdn', default='')))) }}"
)


class Hierarchy:
    """wsus01 (the emulator's first server, ROOT) and its replica wsus02 (the second, REPLICA)."""

    def __init__(self, server, collections_path):
        self.server = server
        self.collections_path = collections_path
        common = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        self.inventory = {
            "all": {
                "hosts": {
                    "wsus01": dict(common, wsus_port=server.ports[0], wsus_fqdn=ROOT),
                    "wsus02": dict(common, wsus_port=server.ports[1], wsus_fqdn=REPLICA, wsus_upstream="wsus01"),
                }
            }
        }
        self.defaults = connection_defaults(server, port="{{ wsus_port }}")

    def run(self, tasks, hosts):
        outcome = run_playbook(
            [play(tasks, self.defaults, hosts=hosts)], self.collections_path, inventory=self.inventory
        )
        assert outcome.rc == 0, outcome.stdout[-3000:]
        return outcome

    def make_replica(self):
        source = {"type": "upstream", "server": ROOT, "port": self.server.ports[0], "replica": True}
        self.run([{"name": "source", "ops.wsus.sync_options": {"update_source": source}}], "wsus02")

    def sync(self, host):
        self.run([{"name": "sync", "ops.wsus.sync": {"state": "completed", "poll_interval": 1}}], host)

    def health(self):
        """({host: sync_health result}, hierarchy findings)."""
        tasks = [
            {"name": "health", "ops.wsus.sync_health": {}, "register": "health"},
            {"name": "hierarchy", "run_once": True, "ansible.builtin.debug": {"msg": HIERARCHY}},
        ]
        outcome = self.run(tasks, "all")
        results = {host: outcome.result("health", host) for host in ("wsus01", "wsus02")}
        return results, outcome.result("hierarchy", "wsus01")["msg"]


@pytest.fixture
def hierarchy(pair, collections_path):
    for index in (0, 1):
        pair.reset(index)
    return Hierarchy(pair, collections_path)


def test_a_replica_synchronized_from_its_upstream_is_registered_and_healthy(hierarchy, pair):
    hierarchy.make_replica()
    hierarchy.sync("wsus01")
    hierarchy.sync("wsus02")
    for index in (0, 1):
        pair.clear_requests(index)
    results, findings = hierarchy.health()
    assert findings == []
    assert results["wsus01"]["status"] == "healthy", results["wsus01"]["reasons"]
    assert results["wsus02"]["status"] == "healthy", results["wsus02"]["reasons"]
    (listed,) = results["wsus01"]["downstream_servers"]
    assert listed["name"] == REPLICA and listed["id"] == pair.info["ids"][1]
    assert listed["replica"] is True and listed["direct"] is True
    assert listed["version"] == results["wsus02"]["version"]
    assert listed["last_sync"] is not None
    assert results["wsus02"]["downstream_servers"] == []
    for index, host in enumerate(("wsus01", "wsus02")):
        logged = pair.operations(index)
        assert sorted(logged) == sorted(READS)  # reads only, each once, the downstream servers included
        assert results[host]["soap_calls"] == logged


def test_a_replica_its_upstream_does_not_list_is_a_warning_naming_both(hierarchy, pair):
    hierarchy.make_replica()
    hierarchy.sync("wsus01")
    hierarchy.sync("wsus02")
    pair.forget_downstream_server(REPLICA, index=0)
    results, findings = hierarchy.health()
    assert results["wsus01"]["downstream_servers"] == []
    assert findings == [
        {
            "status": "warning",
            "servers": ["wsus02", "wsus01"],
            "reason": "wsus02 (%s) is not registered at its upstream wsus01 (wsus01 lists: none): it has not "
            "completed a synchronization from wsus01; check its update source and its last sync." % REPLICA,
        }
    ]


def test_a_registered_replica_behind_its_upstream_is_a_warning_naming_both(hierarchy):
    hierarchy.make_replica()
    hierarchy.sync("wsus02")
    hierarchy.sync("wsus01")  # the upstream has newer updates than the replica took
    results, findings = hierarchy.health()
    assert results["wsus01"]["status"] == "healthy", results["wsus01"]["reasons"]
    assert [entry["name"] for entry in results["wsus01"]["downstream_servers"]] == [REPLICA]
    assert [finding["servers"] for finding in findings] == [["wsus02", "wsus01"]]
    assert findings[0]["status"] == "warning"
    assert findings[0]["reason"].startswith("wsus02 has not synchronized since its upstream wsus01 last")


def test_a_replica_running_a_newer_wsus_than_its_upstream_is_flagged_naming_both_versions(hierarchy, pair):
    pair.control("POST", "settings", {"version": "10.0.17763.1"}, index=0)
    pair.control("POST", "settings", {"version": "10.0.20348.1"}, index=1)
    hierarchy.make_replica()
    hierarchy.sync("wsus01")
    hierarchy.sync("wsus02")
    results, findings = hierarchy.health()
    (listed,) = results["wsus01"]["downstream_servers"]
    assert listed["version"] == "10.0.20348.1"  # the version the replica registered with
    assert [(finding["status"], finding["servers"]) for finding in findings] == [("warning", ["wsus02", "wsus01"])]
    assert "wsus02 runs WSUS 10.0.20348.1, newer than its upstream wsus01 (10.0.17763.1)" in findings[0]["reason"]
