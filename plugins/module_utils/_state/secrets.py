# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which keys hold secrets, and how a secret is shown. Pure functions, no I/O.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

One rule for the whole collection: the diff of ``sync_options`` and the messages of the validator
(``plugins/plugin_utils/_validate``) mask the same keys, with the same mask.
"""

from __future__ import annotations

MASK = "********"

# The document's keys that hold a secret (proxy.password). The argument spec marks them no_log.
SECRET_KEYS = ("password",)
# Keys that name a secret but hold a setting (proxy.update_password: on_create or always).
NOT_SECRET_KEYS = ("update_password",)
# Any other key that looks like a secret is one too: a misspelt or unknown key of a document that the
# validator reports ("proxy_password", "api_token") must not show its value either.
_SECRET_PARTS = ("pass", "pwd", "secret", "token")


def is_secret_key(key):
    """Whether the value of ``key`` must never be shown."""
    if not isinstance(key, str):
        return False
    low = key.lower()
    if low in NOT_SECRET_KEYS:
        return False
    return low in SECRET_KEYS or low == "pw" or any(part in low for part in _SECRET_PARTS)


def mask_secrets(value):
    """A deep copy with the value of every secret key (``is_secret_key``) that is set replaced by ``MASK``."""
    if isinstance(value, dict):
        return {
            key: (MASK if is_secret_key(key) and item is not None else mask_secrets(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value
