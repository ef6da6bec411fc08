"""The README's "Talk to a server from Python" snippet runs as written (only the port differs: the
README's uses `make emulator`'s 8530, the test an emulator on a free port)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

from support.paths import REPO

SNIPPET = re.compile(r"^PYTHONPATH=(\S+) \.venv/bin/python -c '(.+)'$", re.M)


def readme_snippet():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        found = SNIPPET.findall(handle.read())
    assert len(found) == 1, "README.md should hold exactly one client snippet, found %d" % len(found)
    return found[0]


def test_readme_client_snippet_prints_version_configuration_and_subscription(fresh_emulator, collections_path):
    pythonpath, code = readme_snippet()
    assert pythonpath == ".venv/collections"
    assert code.count('WsusClient.connect("127.0.0.1", ') == 1
    code = code.replace(
        'WsusClient.connect("127.0.0.1", ', 'WsusClient.connect("127.0.0.1", port=%d, ' % fresh_emulator.ports[0]
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=collections_path),
    )
    assert completed.returncode == 0, completed.stderr
    version, configuration, subscription = completed.stdout.splitlines()
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", version)
    configuration, subscription = ast.literal_eval(configuration), ast.literal_eval(subscription)
    assert configuration["SyncToMU"] == "true" and "UseProxy" in configuration
    assert subscription["SynchronizeAutomatically"] == "false" and "NumberOfSynchronizationsPerDay" in subscription
    assert fresh_emulator.operations() == ["GetServerVersion", "ExecuteSPGetConfiguration", "GetSubscription"]
