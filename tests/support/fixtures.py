"""Fixture builders shared by the test modules."""

from __future__ import annotations

import pytest


def module_emulator(*args):
    """A module-scoped fixture: an emulator started with ``args`` (CLI options), stopped by pid once the
    module's tests are done (not at the end of the session, so that few run at once)."""

    @pytest.fixture(scope="module")
    def started(emulator_factory):
        server = emulator_factory(*args)
        yield server
        server.stop()

    return started
