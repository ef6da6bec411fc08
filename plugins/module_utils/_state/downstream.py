# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The downstream servers registered at a server, from the rows of ExecuteSPGetAllDownstreamServers. PURE.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

The rows are untyped and positional (ArrayOfGenericReadableRow). The layout read here is the one a console-style
client tested against a real WSUS reads, and the one [MS-WSUSAR] documents for the sibling operation
ExecuteSPGetDownstreamServersInTargetGroup (docs/evidence.md, "Sync health" row 13):
0 DomainName, 1 ID, 2 last synchronization, 3 ParentId, 4 LastRollupTime, 5 Version, 6 IsReplica.

Strict where it matters: a row is read only when every one of those seven cells has the type its column
documents; anything else is a ``DownstreamRowError`` naming the types seen, never a guess (a shifted column
would put a time where a name should be, and the registration check would then report wrong servers).
Tolerant elsewhere: more than seven cells are accepted (a later server may add columns), and a GUID may arrive
typed ``guid`` or as a GUID-shaped string (both decode to a string).
"""

from __future__ import annotations

import datetime

from .._guid import EMPTY_GUID, GUID_RE

OPERATION = "ExecuteSPGetAllDownstreamServers"

# (column, the types it may hold), in row order.
COLUMNS = (
    ("DomainName", ("string",)),
    ("ID", ("guid",)),
    ("LastSyncTime", ("dateTime", "nil")),
    ("ParentId", ("guid", "nil")),
    ("LastRollupTime", ("dateTime", "nil")),
    ("Version", ("string", "nil")),
    ("IsReplica", ("boolean",)),
)

# Times that mean "never": DateTime.MinValue and SQL Server's smallest datetime (the SOAP decoder already
# turns them into None; a row built elsewhere may still carry them).
_NEVER_YEARS = (1, 1753)


class DownstreamRowError(ValueError):
    """A row of ExecuteSPGetAllDownstreamServers that does not have the documented layout."""


def cell_type(value):
    """The type of a decoded cell, in XSD words: string, guid, dateTime, boolean, int, nil, ..."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, datetime.datetime):
        return "dateTime"
    if isinstance(value, str):
        return "guid" if GUID_RE.match(value) else "string"
    if isinstance(value, int):
        return "int"
    return type(value).__name__


def _fits(value, allowed):
    kind = cell_type(value)
    if kind == "guid" and "string" in allowed:
        return True  # a name or a version could look like a GUID; its column still says what it is
    if kind == "string" and "string" in allowed:
        return bool(value.strip()) or "nil" in allowed
    return kind in allowed


def _layout():
    return ", ".join("%d %s %s" % (index, name, "|".join(kinds)) for index, (name, kinds) in enumerate(COLUMNS))


def check_row(index, row):
    """Raise ``DownstreamRowError`` unless ``row`` (a list of decoded cells) fits ``COLUMNS``."""
    cells = list(row) if isinstance(row, (list, tuple)) else None
    if cells is not None and len(cells) >= len(COLUMNS):
        if all(_fits(cells[i], kinds) for i, (dummy, kinds) in enumerate(COLUMNS)):
            return cells
    seen = ", ".join(cell_type(cell) for cell in cells) if cells is not None else cell_type(row)
    raise DownstreamRowError(
        "%s answered a row (#%d) that does not fit the documented layout [%s]: %d column(s) seen, of types [%s]"
        % (OPERATION, index + 1, _layout(), len(cells) if cells is not None else 0, seen)
    )


def _iso(value):
    if value is None or value.year in _NEVER_YEARS:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)  # SQL Server times carry no zone: they are UTC
    return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _text(value):
    return value.strip() if isinstance(value, str) and value.strip() else None


# A real server may store a direct child's ParentId as Guid.Empty rather than NULL (OURS: SUSDB's column allows
# both); either way the child has no parent row, so both read as None.
def _parent_id(value):
    parent = value.lower() if value else None
    return None if parent == EMPTY_GUID else parent


def read_rows(rows):
    """[{name, id, parent_id, direct, version, replica, last_sync, last_rollup}] in the server's order.

    ``direct``: an immediate child of the server read, i.e. a row whose ParentId is not the ID of another row
    (the call asks for the nested children too)."""
    checked = [check_row(index, row) for index, row in enumerate(rows or [])]
    ids = set(cells[1].lower() for cells in checked)
    servers = []
    for cells in checked:
        parent = _parent_id(cells[3])
        servers.append(
            {
                "name": cells[0].strip(),
                "id": cells[1].lower(),
                "parent_id": parent,
                "direct": parent is None or parent not in ids,
                "version": _text(cells[5]),
                "replica": cells[6],
                "last_sync": _iso(cells[2]),
                "last_rollup": _iso(cells[4]),
            }
        )
    return servers
