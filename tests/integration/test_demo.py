"""`make demo` (scripts/demo.sh) works, converges, shows the hierarchy healthy then critical, and leaves no process
behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from support.paths import REPO


@pytest.mark.smoke
def test_demo_converges_then_changes_nothing_reports_health_and_stops_its_emulator():
    venv = os.path.dirname(os.path.dirname(sys.executable))
    # -v (ANSIBLE_VERBOSITY=1), as a user debugging a run would: on every leg of the ansible-core matrix
    # (make matrix) neither ansible-core nor the collection may print a deprecation warning.
    completed = subprocess.run(
        ["bash", os.path.join(REPO, "scripts", "demo.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=dict(os.environ, VENV=venv, ANSIBLE_VERBOSITY="1", ANSIBLE_DEPRECATION_WARNINGS="1"),
        stdin=subprocess.DEVNULL,
    )
    out = completed.stdout
    assert completed.returncode == 0, out[-3000:] + completed.stderr[-2000:]
    deprecations = [line for line in (out + completed.stderr).splitlines() if "DEPRECATION" in line.upper()]
    assert not deprecations, deprecations
    recaps = re.findall(r"^wsus01\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)", out, re.M)
    # check mode, apply, apply again, the hierarchy (nothing left to do on wsus01), health: healthy, critical
    changed = [int(value) for value, dummy in recaps]
    assert len(recaps) == 6 and changed[1] > 0 and changed[2] == 0 and changed[3] == 0, recaps
    assert [int(failed) for dummy, failed in recaps] == [0, 0, 0, 0, 0, 1], recaps
    replica = re.findall(r"^wsus02\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", out, re.M)
    assert len(replica) == 3 and int(replica[0]) > 0, replica  # applied, then read twice
    assert "wsus02: synchronization succeeded" in out
    healthy = out.index("**healthy** — 2 healthy, 0 warning, 0 critical.")
    assert out.index("OK: the fleet is healthy.") > healthy
    assert "- **wsus01**: wsus-replica.demo.test (replica, " in out[healthy:]  # the upstream lists its replica
    critical = re.search(r"^\*\*critical\*\* — \d+ healthy, \d+ warning, [1-9]\d* critical\.$", out, re.M).start()
    assert critical > healthy and re.search(
        r"^\| wsus01 \| critical \| .*Scheduled synchronizations are not", out, re.M
    )
    assert re.search(r"^As expected: critical, ansible-playbook exited [1-9]\d*", out[critical:], re.M)
    assert re.search(r"^wsus01: synchronizing (categories|updates) \d+/\d+ \(\d+ %\)$", out, re.M)
    assert "wsus01: synchronization succeeded" in out
    assert "## WSUS synchronization options: check mode" in out  # the report a CI job would post
    # The example declares schedule.time in Europe/Berlin: the report says when daylight saving moves it.
    assert re.search(
        r"^Daylight saving: on \d{4}-\d\d-\d\d Europe/Berlin changes its UTC offset: schedule\.time ", out, re.M
    )
    assert "demo-only-Pr0xy-secret" not in out + completed.stderr
    pid = int(re.search(r"^Stopped the emulator \(pid (\d+)\)\.$", out, re.M).group(1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the demo's emulator (pid %d) is still running" % pid)
