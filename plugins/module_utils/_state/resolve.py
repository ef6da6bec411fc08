# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve the products and classifications a user declares to WSUS category GUIDs.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Pure functions, no I/O.

An item is a GUID, a title (case-insensitive, ``*`` and ``?`` wildcards), ``{title, type}`` or
``{id}``. A title without wildcards must name exactly one category (else: an error listing the
candidates with type and GUID); a wildcard selects everything it matches and must match at least
one. Unknown names get the closest titles as a hint.
"""

from __future__ import annotations

import difflib
import fnmatch
import re

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
DOCUMENT_TYPES = {"company": "Company", "product_family": "ProductFamily", "product": "Product"}
WSUS_TYPES = {value: key for key, value in DOCUMENT_TYPES.items()}


class ResolveError(ValueError):
    """A declared product or classification does not name exactly what it should."""


def resolve(items, catalog, what="products"):
    """GUIDs (lowercase, in catalog order) for ``items``; raises ResolveError listing every problem.

    ``catalog``: objects with ``id``, ``title`` and ``type`` (the rows of ExecuteSPGetCategories).
    """
    index = _Index(catalog)
    selected, problems = set(), []
    for position, item in enumerate(items):
        try:
            selected.update(_resolve_item(item, index, what))
        except ResolveError as exc:
            problems.append("%s[%d]: %s" % (what, position, exc))
    if problems:
        raise ResolveError("; ".join(problems))
    return [entry.id.lower() for entry in catalog if entry.id.lower() in selected]


class _Index:
    """The catalog indexed once per resolution: by id, and by case-folded title."""

    def __init__(self, catalog):
        self.catalog = catalog
        self.by_id = {entry.id.lower(): entry for entry in catalog}
        self.folded = [(entry.title.casefold(), entry) for entry in catalog]
        self.by_title = {}
        for folded, entry in self.folded:
            self.by_title.setdefault(folded, []).append(entry)


def _resolve_item(item, index, what):
    if isinstance(item, dict):
        if item.get("id"):
            return _by_id(item["id"], index, what)
        return _by_title(item.get("title") or "", index, item.get("type"), what)
    text = str(item)
    if GUID_RE.match(text):
        return _by_id(text, index, what)
    return _by_title(text, index, None, what)


def _by_id(guid, index, what):
    if guid.lower() not in index.by_id:
        raise ResolveError("no %s with id %s on this server" % (_singular(what), guid))
    return {guid.lower()}


def _by_title(pattern, index, document_type, what):
    wsus_type = DOCUMENT_TYPES.get(document_type, document_type) if document_type else None
    wildcard = any(char in pattern for char in "*?[")
    wanted = pattern.casefold()
    if wildcard:
        matches = [entry for folded, entry in index.folded if fnmatch.fnmatchcase(folded, wanted)]
    else:
        matches = index.by_title.get(wanted, [])
    candidates = index.catalog
    if wsus_type:
        matches = [entry for entry in matches if entry.type == wsus_type]
        candidates = [entry for entry in candidates if entry.type == wsus_type]
    if not matches:
        raise ResolveError("no %s%s matches %r%s" % (
            _singular(what), " of type %s" % document_type if document_type else "", pattern,
            _closest(pattern, candidates)))
    if len(matches) > 1 and not wildcard:
        raise ResolveError("%r is ambiguous: %s; declare {title: ..., type: ...} or {id: ...}" % (
            pattern, ", ".join("%s (%s, %s)" % (entry.title, WSUS_TYPES.get(entry.type, entry.type), entry.id)
                               for entry in matches)))
    return {entry.id.lower() for entry in matches}


def _closest(pattern, candidates):
    titles = sorted({entry.title for entry in candidates})
    folded = {title.casefold(): title for title in titles}
    close = difflib.get_close_matches(pattern.casefold(), list(folded), n=3, cutoff=0.5)
    return "; closest: %s" % ", ".join(repr(folded[title]) for title in close) if close else ""


def _singular(what):
    return {"products": "product", "classifications": "classification"}.get(what, what)


def describe(guids, catalog):
    """Titles for GUIDs (the GUID itself for one the catalog does not know), sorted."""
    titles = {entry.id.lower(): entry.title for entry in catalog}
    return sorted((titles.get(guid.lower(), guid.lower()) for guid in guids), key=str.casefold)


def reference_for(entry, catalog):
    """The shortest declaration that resolves back to exactly ``entry``: its title when unique,
    ``{title, type}`` when unique within its type, else ``{id}``."""
    same_title = [other for other in catalog if other.title.casefold() == entry.title.casefold()]
    if len(same_title) == 1 and not any(char in entry.title for char in "*?[") and not GUID_RE.match(entry.title):
        return entry.title
    if entry.type in WSUS_TYPES and sum(1 for other in same_title if other.type == entry.type) == 1:
        return {"title": entry.title, "type": WSUS_TYPES[entry.type]}
    return {"id": entry.id.lower()}


def parent_child_overlaps(guids, parents):
    """(child, ancestor) pairs where both are selected: WSUS then ignores the child.

    ``parents``: child GUID -> parent GUID (``None`` for a company).
    """
    chosen = {guid.lower() for guid in guids}
    overlaps = []
    for guid in sorted(chosen):
        ancestor = parents.get(guid)
        while ancestor:
            if ancestor in chosen:
                overlaps.append((guid, ancestor))
                break
            ancestor = parents.get(ancestor)
    return overlaps
