"""Shared test set-up: the collection importable as ansible_collections.ops.wsus, and emulators."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from support.paths import REPO  # noqa: E402  (tests/ is on sys.path: pytest puts it there)


def _collections_path():
    path = os.path.join(REPO, ".venv", "collections")
    if os.path.isdir(os.path.join(path, "ansible_collections", "ops", "wsus")):
        return path
    path = tempfile.mkdtemp(prefix="ops-wsus-collections-")
    os.makedirs(os.path.join(path, "ansible_collections", "ops"))
    os.symlink(REPO, os.path.join(path, "ansible_collections", "ops", "wsus"))
    return path


COLLECTIONS_PATH = _collections_path()

# Hermetic Kerberos for every test and every process it starts (ansible-playbook, emulators): no realm, no
# ticket cache of the developer's (tests/kerberos/ sets its own realm per test).
os.environ["KRB5_CONFIG"] = os.path.join(REPO, "tests", "support", "krb5-offline.conf")
os.environ["KRB5CCNAME"] = "FILE:" + os.path.join(tempfile.gettempdir(), "ops-wsus-tests-no-ccache", "ccache")
if COLLECTIONS_PATH not in sys.path:
    sys.path.insert(0, COLLECTIONS_PATH)

from wsus_emulator.testing import EmulatorProcess  # noqa: E402


@pytest.fixture(scope="session")
def emulator_factory():
    """Start emulators with extra CLI args; every one is stopped (by pid) at the end of the session."""
    started = []

    def start(*args, **kwargs):
        process = EmulatorProcess(args, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="session")
def emulator(emulator_factory):
    """One shared plain-HTTP emulator with fast synchronizations."""
    return emulator_factory("--sync-seconds", "1")


@pytest.fixture
def fresh_emulator(emulator):
    """The shared emulator, reset to factory state with an empty request log."""
    emulator.reset()
    return emulator


@pytest.fixture(scope="session")
def collections_path():
    """A collections path in which ansible_collections/ops/wsus is this checkout."""
    return COLLECTIONS_PATH
