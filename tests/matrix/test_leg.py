"""The ansible-core version matrix (tests/matrix/ansible-*.txt, scripts/matrix.sh, docs/quality.md).

The smoke test here runs on every leg (pytest -m smoke with the leg's venv): the venv runs the ansible-core
its leg file pins, on the leg's Python. The others (the whole suite only) keep the leg files, the pins of
requirements-dev.txt, meta/runtime.yml and README.md telling the same story.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

from support.paths import REPO

MATRIX = os.path.join(REPO, "tests", "matrix")
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.M)


def legs():
    """{leg: {"python": "X.Y", "core": "X.Y.Z", "venv": path or None, "file": path}} from the leg files."""
    found = {}
    for path in sorted(glob.glob(os.path.join(MATRIX, "ansible-*.txt"))):
        text = open(path, encoding="utf-8").read()
        leg = os.path.basename(path)[len("ansible-") : -len(".txt")]
        python = re.search(r"^# python: (\d+\.\d+)\s*$", text, re.M)
        venv = re.search(r"^# venv: (\S+)", text, re.M)
        pins = dict(PIN.findall(text))
        found[leg] = {
            "python": python and python.group(1),
            "core": pins.get("ansible-core"),
            "file": path,
            "venv": os.path.join(REPO, venv.group(1))
            if venv
            else os.path.join(REPO, ".venv", "legs", "ansible-" + leg),
        }
    return found


def version_key(text):
    return tuple(int(part) for part in text.split("."))


def this_leg():
    """The leg whose venv runs this test, or None (a venv outside the matrix)."""
    venv = os.path.realpath(sys.prefix)
    for leg, data in legs().items():
        if os.path.realpath(data["venv"]) == venv:
            return leg
    return None


@pytest.mark.smoke
def test_ansible_playbook_of_this_venv_is_the_legs_ansible_core_on_the_legs_python():
    leg = this_leg()
    if leg is None:
        pytest.skip("%s is not the venv of a leg of the matrix (tests/matrix/ansible-*.txt)" % sys.prefix)
    data = legs()[leg]
    out = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert out.splitlines()[0] == "ansible-playbook [core %s]" % data["core"], out
    python = re.search(r"^  python version = (\d+\.\d+)\.\S* .*\((.+)\)$", out, re.M)
    assert python, out
    assert python.group(1) == data["python"], out
    assert os.path.realpath(os.path.dirname(python.group(2))) == os.path.realpath(os.path.dirname(sys.executable))


def test_every_leg_pins_one_ansible_core_release_on_one_python():
    found = legs()
    assert {"2.19", "2.20", "2.21"} <= set(found), found
    for leg, data in found.items():
        assert data["python"], "%s has no '# python: X.Y' line" % data["file"]
        assert data["core"] and data["core"].startswith(leg + "."), (leg, data)
    # the newest ansible-core runs on the newest Python of the matrix, the oldest on the oldest
    ordered = sorted(found.values(), key=lambda data: version_key(data["core"]))
    assert [data["python"] for data in ordered] == sorted((data["python"] for data in ordered), key=version_key)


def test_the_shared_pins_of_the_legs_are_those_of_requirements_dev():
    def pins(path):
        text = open(path, encoding="utf-8").read()
        found = dict(PIN.findall(text))
        for included in re.findall(r"^-r\s+(\S+)", text, re.M):
            found.update(pins(os.path.join(os.path.dirname(path), included)))
        return found

    dev = pins(os.path.join(REPO, "requirements-dev.txt"))
    shared = dict(PIN.findall(open(os.path.join(MATRIX, "leg.txt"), encoding="utf-8").read()))
    assert shared and {name: dev.get(name) for name in shared} == shared
    # the development venv is the leg that says so, with its ansible-core
    development = [
        data
        for data in legs().values()
        if os.path.realpath(data["venv"]) == os.path.join(os.path.realpath(REPO), ".venv")
    ]
    assert len(development) == 1 and dev["ansible-core"] == development[0]["core"]


def test_runtime_yml_and_readme_state_the_tested_range():
    found = legs()
    oldest = min(found, key=version_key)
    with open(os.path.join(REPO, "meta", "runtime.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["requires_ansible"] == ">=%s.0" % oldest
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    tested = re.search(r"^- \*\*Tested with:\*\*(.*?)(?=^- |^\s*$)", readme, re.M | re.S)
    assert tested, "README.md has no '- **Tested with:**' item"
    stated = re.findall(r"ansible-core\s+(\d+\.\d+)\s+on\s+Python\s+(\d+\.\d+)", tested.group(1))
    assert sorted(stated) == sorted((leg, data["python"]) for leg, data in found.items()), tested.group(0)


def test_a_leg_whose_python_is_missing_fails_with_what_to_install(tmp_path):
    (tmp_path / "ansible-9.98.txt").write_text("# python: 3.98\nansible-core==9.98.0\n")
    completed = subprocess.run(
        ["bash", os.path.join(REPO, "scripts", "matrix.sh"), "--steps", "version", "9.98"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ, OPS_WSUS_MATRIX=str(tmp_path)),
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "needs Python 3.98" in completed.stderr and "pyenv install 3.98" in completed.stderr, completed.stderr
    assert not os.path.exists(os.path.join(REPO, ".venv", "legs", "ansible-9.98"))
