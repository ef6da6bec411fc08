"""Sets of [MS-WSUSAR] operations derived from the client's operation table, so tests never keep a copy.

``WRITES`` is every operation that changes server state (``write=True`` in
plugins/module_utils/_wsusar/operations.py): a new write operation is covered by every test that asserts
"no write reached the server" as soon as it is added to the table.
"""

from __future__ import annotations

from ansible_collections.ops.wsus.plugins.module_utils._module import PLAIN_HTTP_NTLM_WARNING
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import OPERATIONS

WRITES = frozenset(name for name, operation in OPERATIONS.items() if operation.write)


def own_warnings(result):
    """A task result's warnings but the one every NTLM logon over plain HTTP gives (the emulators the tests
    start speak plain HTTP): what the task itself has to say."""
    return [warning for warning in result.get("warnings") or () if warning != PLAIN_HTTP_NTLM_WARNING]
