"""The role ops.wsus.wsus_sync through ansible-playbook: synchronization policies, defaults, delegation.

Molecule (molecule/default) covers a realistic two-server inventory with TLS and the report; these
tests cover each value of wsus_sync_run, wsus_sync_wait: false, wsus_server's default and
wsus_sync_delegate_to on a host that is not the controller.
"""

from __future__ import annotations

import os
import sys

import pytest

from support.fixtures import module_emulator
from support.operations import WRITES
from support.playbook import run_playbook

START = "StartSubscriptionManually"
CONNECTION_PLUGINS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support", "connection")
DOCUMENT = {
    "schedule": {"automatic": True, "time": "02:00", "per_day": 1},
    "classifications": ["Critical Updates", "Security Updates", "Definition Updates"],
}


emulator_2s = module_emulator("--sync-seconds", "2")


@pytest.fixture
def emu(emulator_2s):
    emulator_2s.reset()
    yield emulator_2s
    emulator_2s.reset()  # never leave a run going for the next test


def converge(server, collections_path, env=None, host="wsus01", **role_vars):
    """One run of the role on one host; returns (PlaybookRun, the role's sync task result)."""
    host_vars = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "wsus_port": server.ports[0],
        "wsus_username": "WSUS\\admin",
        "wsus_password": "Passw0rd!",
        "wsus_auth": "ntlm",
        "wsus_timeout": 10,
        "wsus_sync_poll_interval": 1,
        "wsus_sync": DOCUMENT,
    }
    if host != "127.0.0.1":
        host_vars["wsus_server"] = "127.0.0.1"
    host_vars.update(role_vars)
    inventory = {
        "all": {
            "hosts": {
                host: host_vars,
                "jump": {"ansible_connection": "relay", "ansible_python_interpreter": sys.executable},
            }
        }
    }
    plays = [{"name": "role", "hosts": host, "gather_facts": False, "roles": [{"role": "ops.wsus.wsus_sync"}]}]
    run = run_playbook(
        plays, collections_path, inventory=inventory, env=dict(env or {}, ANSIBLE_CONNECTION_PLUGINS=CONNECTION_PLUGINS)
    )
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run, role_task(run, "Synchronize the server", host)


def role_task(run, name, host="wsus01"):
    return run.result("ops.wsus.wsus_sync : " + name, host=host)


def starts(server):
    return server.operations().count(START)


def test_never_applies_but_does_not_synchronize(emu, collections_path):
    run, synced = converge(emu, collections_path, wsus_sync_run="never")
    assert role_task(run, "Apply the synchronization options")["changed"] is True
    assert synced.get("skipped") is True and starts(emu) == 0


@pytest.mark.smoke
def test_on_change_synchronizes_only_after_a_change(emu, collections_path):
    dummy, synced = converge(emu, collections_path)
    assert synced["changed"] is True and synced["result"] == "succeeded" and starts(emu) == 1
    emu.clear_requests()
    dummy, again = converge(emu, collections_path)
    assert again.get("skipped") is True and starts(emu) == 0 and not WRITES & set(emu.operations())


def test_always_synchronizes_even_without_a_change(emu, collections_path):
    converge(emu, collections_path, wsus_sync_run="never")
    emu.clear_requests()
    run, synced = converge(emu, collections_path, wsus_sync_run="always")
    assert role_task(run, "Apply the synchronization options")["changed"] is False
    assert synced["changed"] is True and synced["result"] == "succeeded" and starts(emu) == 1


def test_stale_synchronizes_when_the_last_success_is_too_old(emu, collections_path):
    converge(emu, collections_path, wsus_sync_run="never")
    # no synchronization ever ran: stale
    dummy, first = converge(emu, collections_path, wsus_sync_run="stale", wsus_sync_max_age="1h")
    assert first["changed"] is True and first["result"] == "succeeded" and starts(emu) == 1
    emu.clear_requests()
    # the last success is seconds old: nothing to do, reported ok
    run, second = converge(emu, collections_path, wsus_sync_run="stale", wsus_sync_max_age="1h")
    assert second["changed"] is False and second["result"] == "succeeded" and starts(emu) == 0
    assert run.stats["wsus01"]["changed"] == 0
    # ... unless max_age is shorter than its age
    dummy, third = converge(emu, collections_path, wsus_sync_run="stale", wsus_sync_max_age="1s")
    assert third["changed"] is True and starts(emu) == 1


def test_wait_false_starts_and_goes_on(emulator_factory, collections_path):
    slow = emulator_factory("--sync-seconds", "30")
    try:
        dummy, synced = converge(slow, collections_path, wsus_sync_run="always", wsus_sync_wait=False)
        assert synced["changed"] is True and synced["started"] is True and synced["result"] == "running"
        assert slow.state()["sync"]["running"] is True
    finally:
        slow.stop()


def test_wsus_server_defaults_to_the_inventory_host_name(emu, collections_path):
    run, synced = converge(emu, collections_path, host="127.0.0.1", wsus_sync_run="never")
    assert role_task(run, "Apply the synchronization options", "127.0.0.1")["changed"] is True
    assert emu.state()["subscription"]["SynchronizeAutomatically"] is True  # was false: the default server


def test_delegate_to_a_host_that_is_not_the_controller(emu, collections_path, tmp_path):
    relay_log = tmp_path / "relay.log"
    dummy, synced = converge(
        emu, collections_path, env={"OPS_WSUS_RELAY_LOG": str(relay_log)}, wsus_sync_delegate_to="jump"
    )
    assert synced["changed"] is True and synced["result"] == "succeeded" and starts(emu) == 1
    commands = relay_log.read_text()
    # sync_options and sync both ran as modules through the delegated host's connection
    assert "AnsiballZ_sync_options.py" in commands and "AnsiballZ_sync.py" in commands
