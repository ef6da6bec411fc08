"""Run ansible-playbook against emulators and return every task's result, parsed.

Tests write plays as Python data; the json stdout callback gives the results. Each run is a real
``ansible-playbook`` process using this checkout as the collection ops.wsus.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import yaml

BIN = os.path.dirname(sys.executable)
LOCALHOST_INVENTORY = {
    "all": {"hosts": {"wsus01": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}
}


def connection_defaults(server, index=0, **overrides):
    """module_defaults for group/ops.wsus.wsus pointing at an EmulatorProcess."""
    defaults = {
        "server": "127.0.0.1",
        "port": server.ports[index],
        "username": "WSUS\\admin",
        "password": "Passw0rd!",
        "auth": "ntlm",
        "timeout": 10,
    }
    defaults.update(overrides)
    return defaults


class PlaybookRun:
    """The outcome of one ansible-playbook run."""

    def __init__(self, completed, data):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.data = data

    def results(self, host="wsus01"):
        """[(task name, result dict)] in order."""
        found = []
        for play in self.data.get("plays", []):
            for task in play.get("tasks", []):
                if host in task.get("hosts", {}):
                    found.append((task["task"]["name"], task["hosts"][host]))
        return found

    def result(self, name, host="wsus01"):
        for task_name, result in self.results(host):
            if task_name == name:
                return result
        raise KeyError("no task %r in %s" % (name, [task for task, _ in self.results(host)]))

    @property
    def stats(self):
        return self.data.get("stats", {})


CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback")


def run_playbook(
    plays, collections_path, inventory=None, extra_args=(), env=None, callback="test_results", timeout=300
):
    """Write ``plays`` (a list of play dicts) and run them; returns PlaybookRun."""
    with tempfile.TemporaryDirectory(prefix="ops-wsus-play-") as workdir:
        playbook = os.path.join(workdir, "play.yml")
        inventory_file = os.path.join(workdir, "inventory.yml")
        with open(playbook, "w") as handle:
            yaml.safe_dump(plays, handle, sort_keys=False)
        with open(inventory_file, "w") as handle:
            yaml.safe_dump(inventory or LOCALHOST_INVENTORY, handle, sort_keys=False)
        environment = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=collections_path,
            ANSIBLE_STDOUT_CALLBACK=callback,
            ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCAL_TEMP=workdir,
            ANSIBLE_HOME=os.path.join(workdir, "ansible-home"),
            ANSIBLE_DEPRECATION_WARNINGS="0",
        )
        environment.update(env or {})
        completed = subprocess.run(
            [os.path.join(BIN, "ansible-playbook"), "-i", inventory_file, playbook, *extra_args],
            capture_output=True,
            text=True,
            env=environment,
            cwd=workdir,
            timeout=timeout,
        )
    data = {}
    if callback == "test_results":
        start = completed.stdout.find("{\n")
        data = json.loads(completed.stdout[start:]) if start >= 0 else {}
    return PlaybookRun(completed, data)


def play(tasks, defaults, hosts="wsus01", **extra):
    """One play on the local host with the ops.wsus connection defaults set once."""
    body = {
        "name": "ops.wsus test",
        "hosts": hosts,
        "gather_facts": False,
        "module_defaults": {"group/ops.wsus.wsus": defaults},
        "tasks": tasks,
    }
    body.update(extra)
    return body


def example_environment(collections_path, tmp_path):
    """The environment of an ansible-playbook run of an example as a user would type it: the default
    stdout callback (no test callback), this checkout as the collection, no retry files."""
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=collections_path,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
        ANSIBLE_DEPRECATION_WARNINGS="0",
    )
    for name in ("ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CONFIG"):
        env.pop(name, None)
    return env
