# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A WSUS recipient list as the one string the server keeps, both ways. No Ansible imports, no I/O.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. The controller's validator
(plugins/plugin_utils/_validate/extra.py) imports RECIPIENTS_SEPARATOR from here, so that the length it
checks is the length of what the client writes.

The separator of the stored string is not specified (DOC: a MailAddressCollection). Reading is tolerant:
"," and ";" both separate, except inside a quoted display name or a comment, which
MailAddressCollection.ToString() writes for an entry with a display name (``"Doe, John" <j@x.example>``).
"""

from __future__ import annotations

import email.utils

# What the client writes between two addresses: MailAddressCollection.ToString()'s form.
RECIPIENTS_SEPARATOR = ", "


def join_recipients(addresses):
    """Addresses -> the string written."""
    return RECIPIENTS_SEPARATOR.join(addresses)


def split_recipients(text):
    """A stored recipients string -> its plain addresses, in order: display names and comments dropped (the
    document holds plain addresses), empty items skipped; "" and nil are no address. An entry that is no
    readable address is kept as it is (trimmed), so that the plan shows and replaces it rather than hiding
    it."""
    addresses = []
    for item in _entries(text or ""):
        # One entry at a time: a newer email.utils (strict parsing) answers [("", "")] for a whole string
        # that holds one malformed entry, which would hide the good ones.
        found = [address for dummy, address in email.utils.getaddresses([item]) if address]
        addresses.extend(found or [item])
    return addresses


def _entries(text):
    """The non-empty, trimmed entries of ``text``, split on "," and ";" outside quotes, comments and <>."""
    entries: list = []
    current: list = []
    quoted = escaped = False
    depth = {"(": 0, "<": 0}
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and (quoted or depth["("]):
            escaped = True
        elif char == '"' and not depth["("]:
            quoted = not quoted
        elif not quoted:
            if char in "(<":
                depth[char] += 1
            elif char in ")>":
                opening = "(" if char == ")" else "<"
                depth[opening] = max(0, depth[opening] - 1)
            elif char in ",;" and not any(depth.values()):
                entries.append("".join(current))
                current = []
                continue
        current.append(char)
    entries.append("".join(current))
    return [entry.strip() for entry in entries if entry.strip()]
