"""The emulator tests' defaults over wsus_emulator.testing.EmulatorProcess (which starts and stops the process)."""

from __future__ import annotations

import os

from wsus_emulator.testing import EmulatorProcess
from wsusclient import Client

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "fixtures", "catalog")


class Emulator(EmulatorProcess):
    """An emulator on the fixture catalog, with ``--control`` only when the test passes it, and a SOAP client."""

    def __init__(self, args=(), catalog=CATALOG, env=None):
        super().__init__(args, env=env, control=False, catalog=catalog)

    def client(self, username="WSUS\\admin", index=0, **kwargs):
        kwargs.setdefault("ca_path", self.ca_path)
        return Client(self.urls[index], username, **kwargs)
