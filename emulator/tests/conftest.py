"""Fixtures for the emulator's own tests: emulator subprocesses on free loopback ports, stopped by pid."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from emuproc import Emulator  # noqa: E402


@pytest.fixture(scope="session")
def emu_factory():
    started = []

    def start(*args, **kwargs):
        emulator = Emulator(list(args), **kwargs)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture(scope="session")
def shared_emu(emu_factory):
    return emu_factory("--control", "--sync-seconds", "1")


@pytest.fixture
def emu(shared_emu):
    """The shared emulator reset to factory state (empty log, no fault rules)."""
    shared_emu.reset()
    return shared_emu


@pytest.fixture
def admin(emu):
    client = emu.client()
    yield client
    client.close()


@pytest.fixture
def reporter(emu):
    client = emu.client("WSUS\\reporter")
    yield client
    client.close()
