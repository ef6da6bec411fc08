"""`make demo` (scripts/demo.sh) works, converges, and leaves no process behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from support.paths import REPO


@pytest.mark.smoke
def test_demo_converges_then_changes_nothing_and_stops_its_emulator():
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
    recaps = re.findall(r"^wsus01\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", out, re.M)
    assert len(recaps) == 3 and int(recaps[1]) > 0 and recaps[2] == "0", recaps
    assert re.search(r"^wsus01: synchronizing (categories|updates) \d+/\d+ \(\d+ %\)$", out, re.M)
    assert "wsus01: synchronization succeeded" in out
    assert "## WSUS synchronization options: check mode" in out  # the report a CI job would post
    assert "demo-only-Pr0xy-secret" not in out + completed.stderr
    pid = int(re.search(r"^Stopped the emulator \(pid (\d+)\)\.$", out, re.M).group(1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the demo's emulator (pid %d) is still running" % pid)
