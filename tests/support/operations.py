"""Sets of [MS-WSUSAR] operations derived from the client's operation table, so tests never keep a copy.

``WRITES`` is every operation that changes server state (``write=True`` in
plugins/module_utils/_wsusar/operations.py): a new write operation is covered by every test that asserts
"no write reached the server" as soon as it is added to the table.
"""

from __future__ import annotations

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import OPERATIONS

WRITES = frozenset(name for name, operation in OPERATIONS.items() if operation.write)
