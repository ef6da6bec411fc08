# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Advice for the usual mistakes in the e-mail keys of ``notifications``: an address with a display
name, several addresses in one item, a non-ASCII address, a language name or an upper-case code.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.
"""

from __future__ import annotations

import re

from .words import EMAIL_LANGUAGE_PATTERN, quote

_DISPLAY_NAME = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>")
_LOCAL_PART_MAX = 64


def _display_name_hint(value, sender):
    match = _DISPLAY_NAME.search(value)
    if not match:
        return None
    if sender:
        return "write the plain address %s; the display name is smtp.sender_name" % match.group(1)
    return "write the plain address %s; recipients take no display name" % match.group(1)


def _several_hint(value, sender):
    if value.count("@") < 2 and not re.search(r"[,;]", value):
        return None
    if sender:
        return "give one address only"
    return "one address per item: write each recipient as a list item of its own"


def _shape_hints(value):
    hints = []
    if "@" not in value:
        hints.append("an address is local-part@domain")
    elif len(value.split("@", 1)[0]) > _LOCAL_PART_MAX:
        hints.append("the part before @ has %d characters, at most 64" % len(value.split("@", 1)[0]))
    if any(ord(char) > 127 for char in value):
        hints.append(
            "non-ASCII addresses are refused (SMTPUTF8 is not assumed): write the domain in its "
            "punycode (xn--) form; a local part with non-ASCII letters cannot be used"
        )
    if re.search(r"[\r\n]", value):
        hints.append("it contains a line break")
    elif any(char.isspace() for char in value.strip()):
        hints.append("it contains spaces")
    elif value != value.strip():
        hints.append("remove the spaces around it")
    return hints


def address_hints(value, parts):
    """Advice for a value that is not one plain address; ``parts`` is its path (sender or recipient)."""
    if not isinstance(value, str):
        return []
    sender = "sender_address" in parts
    first = _display_name_hint(value, sender) or _several_hint(value, sender)
    if first:
        return [first]  # the rest would only describe the same mistake again
    hints = []
    if value.lower().startswith("mailto:"):
        hints.append("write the address without mailto:")
    return hints + _shape_hints(value)


def language_hints(value):
    """Advice for an e-mail language that is not a lower-case code."""
    if not isinstance(value, str):
        return []
    code = value.strip().lower().replace("_", "-")
    if code != value and re.match(EMAIL_LANGUAGE_PATTERN, code):
        return ["write it in lower case: %s" % quote(code)]
    if value.isalpha() and len(value) > 3:
        return ["write the language code, not its name: en for English"]
    return []


def recipients_hints(value, parts):
    """Advice for recipients written as one string instead of a list."""
    if isinstance(value, str) and parts and parts[-1] == "recipients":
        return ["write a list, one address per item, such as [wsus-admins@example.com, ops@example.com]"]
    return []
