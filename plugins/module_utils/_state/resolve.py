# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve the products and classifications a user declares to WSUS category GUIDs.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Pure functions, no I/O.

An item is a GUID, a title (case-insensitive, ``*`` and ``?`` wildcards), ``{title, type}`` or
``{id}``. WSUS really publishes some products twice under one title ("Windows Server 2019" has two
GUIDs): a title without wildcards selects every category of one type that carries it, and is an
error only when it names categories of different types (then the message shows the ``{title, type}``
to write). A wildcard selects everything it matches and must match at least one. Unknown names get
the closest titles and, for marketing names such as "Windows Server 2022", the title WSUS uses.
"""

from __future__ import annotations

import difflib
import fnmatch

from .._guid import GUID_RE
from .errors import DocumentError
from .marketing_names import wsus_titles_for

DOCUMENT_TYPES = {"company": "Company", "product_family": "ProductFamily", "product": "Product"}
WSUS_TYPES = {value: key for key, value in DOCUMENT_TYPES.items()}
WILDCARD_CHARS = "*?["


class ResolveError(DocumentError):
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
        self.by_title: dict = {}
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
    wildcard = is_wildcard(pattern)
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
        raise ResolveError(
            "no %s%s matches %r%s"
            % (
                _singular(what),
                " of type %s" % document_type if document_type else "",
                pattern,
                _hints(pattern, candidates, index, wildcard),
            )
        )
    types = sorted({entry.type for entry in matches})
    if len(types) > 1 and not wildcard:
        choices = [
            "{title: %s, type: %s} (%s)"
            % (matches[0].title, WSUS_TYPES.get(kind, kind), _ids([entry for entry in matches if entry.type == kind]))
            for kind in types
        ]
        raise ResolveError("%r names categories of different types: declare %s" % (pattern, " or ".join(choices)))
    return {entry.id.lower() for entry in matches}


def _ids(entries):
    return ", ".join(entry.id.lower() for entry in entries)


def _hints(pattern, candidates, index, wildcard):
    hints = "" if wildcard else _marketing_hint(pattern, index)
    return hints + _closest(pattern, candidates)


def _marketing_hint(pattern, index):
    """What WSUS calls a marketing name, and whether this server lists that title."""
    titles = wsus_titles_for(pattern)
    if not titles:
        return ""
    shown = []
    for title in titles:
        known = index.by_title.get(title.casefold())
        unlisted = "%r (not listed by this server yet: synchronize categories first)" % title
        shown.append(repr(known[0].title) if known else unlisted)
    return "; WSUS calls %s %s" % (pattern, " or ".join(shown))


def _closest(pattern, candidates):
    titles = sorted({entry.title for entry in candidates})
    folded = {title.casefold(): title for title in titles}
    close = difflib.get_close_matches(pattern.casefold(), list(folded), n=3, cutoff=0.5)
    return "; closest: %s" % ", ".join(repr(folded[title]) for title in close) if close else ""


def _singular(what):
    return {"products": "product", "classifications": "classification"}.get(what, what)


def is_wildcard(text):
    return any(char in text for char in WILDCARD_CHARS)


def _namesakes(entry, catalog):
    """Every category with ``entry``'s title (case-insensitive), any type."""
    folded = entry.title.casefold()
    return [other for other in catalog if other.title.casefold() == folded]


def describe(guids, catalog):
    """Readable names for GUIDs, sorted: one line per title however many GUIDs WSUS gives it.

    A title WSUS publishes several times reads "Title (2 categories)" when all of them are meant, and
    "Title (id <guid>)" for each one when only some are; the type is added where other types share the
    title. A GUID the catalog does not know stands for itself.
    """
    by_id = {entry.id.lower(): entry for entry in catalog}
    chosen = {guid.lower() for guid in guids}
    names, done = [], set()
    for guid in sorted(chosen):
        entry = by_id.get(guid)
        if entry is None:
            names.append(guid)
            continue
        namesakes = _namesakes(entry, catalog)
        same_type = [other for other in namesakes if other.type == entry.type]
        kind = " %s" % WSUS_TYPES.get(entry.type, entry.type) if len(same_type) < len(namesakes) else ""
        key = (entry.title.casefold(), entry.type)
        if len(same_type) == 1:
            names.append(entry.title + (" (%s)" % kind.strip() if kind else ""))
        elif all(other.id.lower() in chosen for other in same_type):
            if key not in done:
                done.add(key)
                names.append("%s (%d%s categories)" % (entry.title, len(same_type), kind))
        else:
            names.append("%s (%sid %s)" % (entry.title, kind.strip() + ", " if kind else "", guid))
    return sorted(names, key=str.casefold)


def references(selected_ids, catalog):
    """The shortest declarations that resolve back to exactly ``selected_ids`` (server_info adoption).

    A title when every category of that title is selected and they are all of one type; ``{title,
    type}`` when that holds within one type only; ``{id}`` for each selected one when only some
    categories of a title are selected (or the title looks like a GUID or a wildcard).
    """
    by_id = {entry.id.lower(): entry for entry in catalog}
    chosen = {guid.lower() for guid in selected_ids}
    result, done = [], set()
    for guid in sorted(chosen):
        entry = by_id.get(guid)
        if entry is None:
            result.append({"id": guid})
            continue
        namesakes = _namesakes(entry, catalog)
        same_type = [other for other in namesakes if other.type == entry.type]
        plain_safe = not is_wildcard(entry.title) and not GUID_RE.match(entry.title)
        if not plain_safe or not all(other.id.lower() in chosen for other in same_type):
            result.append({"id": guid})
            continue
        key = (entry.title.casefold(), entry.type)
        if key in done:
            continue
        done.add(key)
        if len(same_type) == len(namesakes):
            result.append(entry.title)
        elif entry.type in WSUS_TYPES:
            result.append({"title": entry.title, "type": WSUS_TYPES[entry.type]})
        else:
            result.extend({"id": other.id.lower()} for other in same_type)
    return result


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
