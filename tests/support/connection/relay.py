# A test connection plugin: the local connection under another name, so that a task delegated to a host
# using it does not "run on the controller" as far as the collection can tell (like an SSH jump host would).
# Every command it runs is appended to the file named by OPS_WSUS_RELAY_LOG, which proves the delegation.
from __future__ import annotations

DOCUMENTATION = """
name: relay
short_description: local execution that pretends to be a remote host (tests only)
description: The local connection plugin with transport C(relay); logs each command to E(OPS_WSUS_RELAY_LOG).
author: ops.wsus contributors (@ops)
"""

import os

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = "relay"

    def exec_command(self, cmd, in_data=None, sudoable=True):
        log = os.environ.get("OPS_WSUS_RELAY_LOG")
        if log:
            with open(log, "a") as handle:
                handle.write("%s\n" % cmd)
        return super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
