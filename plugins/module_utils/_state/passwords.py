# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When to send a write-only password (``proxy.password``, ``notifications.smtp.password``).

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Pure functions, no I/O.

WSUS never gives a stored password back, only whether one is set, so "no change" cannot be proven: the
password is sent with ``update_password: always``, when the server has none, or when the user it belongs
to changes (the new user would otherwise log on with the old user's password). Both sections plan it
here so that the rule cannot drift between them.
"""

from __future__ import annotations

from .secrets import MASK


def plan_password(path, declared, user_key, row, has_password, before, after):
    """Plan the password of a section: fills ``before``/``after`` (masked) and returns the change line
    ("<path>: set (<reason>)"), or None when it is not sent.

    ``declared``: the section as normalized (``update_password`` set: its default lives in the
    normalizers only); ``user_key``: the fields.Key of the user the password belongs to; ``row``: the
    server's row as read (before any planned change)."""
    mode = declared["update_password"]
    user_changes = user_key.name in declared and not user_key.same(user_key.get(row), declared[user_key.name])
    before["password"] = MASK if has_password else None
    after["password"] = MASK
    before["update_password"] = after["update_password"] = mode
    if mode == "always":
        reason = "update_password: always"
    elif not has_password:
        reason = "the server has none"
    elif user_changes:
        reason = "the user name changes"
    else:
        return None
    return "%s: set (%s)" % (path, reason)
