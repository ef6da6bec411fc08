"""The update catalog the emulated server knows: categories, classifications and languages.

Loaded from ``data/categories.json``, ``data/classifications.json`` and ``data/languages.json`` (or from the
directory given with ``--catalog-dir``, file by file, falling back to the packaged ones).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Dict, Iterable, List, Optional

from .soap import Guid

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
CATEGORY_TYPES = ("Company", "ProductFamily", "Product")
CLASSIFICATION_TYPE = "UpdateClassification"


class CatalogError(Exception):
    pass


def _load(name: str, directory: Optional[str]) -> dict:
    candidates = [os.path.join(directory, name)] if directory else []
    candidates.append(os.path.join(DATA_DIR, name))
    for path in candidates:
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                try:
                    return json.load(handle)
                except ValueError as error:
                    raise CatalogError("%s: %s" % (path, error)) from None
    raise CatalogError("catalog file %s not found (looked in %s)" % (name, ", ".join(candidates)))


def _guid(value, where: str) -> str:
    text = str(value or "").strip().lower()
    parts = text.split("-")
    if [len(part) for part in parts] != [8, 4, 4, 4, 12] or not all(
        c in "0123456789abcdef" for c in text.replace("-", "")
    ):
        raise CatalogError("%s: %r is not a GUID" % (where, value))
    return text


class Item:
    """A category (Company / ProductFamily / Product) or an update classification."""

    __slots__ = ("id", "title", "titles", "type", "parent", "description", "display_order", "local_id", "index")

    def __init__(self, id_, title, type_, parent=None, description=None, titles=None, display_order=None):
        self.id = id_
        self.title = title
        self.titles = dict(titles or {})
        self.type = type_
        self.parent = parent
        self.description = description
        self.display_order = display_order
        self.local_id = 0
        self.index = 0

    @property
    def is_classification(self) -> bool:
        return self.type == CLASSIFICATION_TYPE

    def title_for(self, culture: Optional[str]) -> str:
        if culture:
            culture = culture.strip()
            for key in (culture, culture.lower(), culture.split("-")[0].lower()):
                for candidate, title in self.titles.items():
                    if candidate.lower() == key.lower() and title:
                        return title
        return self.title

    def row(self, culture: Optional[str], arrival: _dt.datetime) -> list:
        """The 12 columns of UpdateCategoryProperties / UpdateClassificationProperties ([MS-WSUSAR] 2.2.4.12.1.1)."""
        if self.is_classification:
            prohibits_subcategories, prohibits_updates = True, False
        elif self.type == "Product":
            prohibits_subcategories, prohibits_updates = False, False
        else:
            prohibits_subcategories, prohibits_updates = False, True
        return [
            self.local_id,  # LocalUpdateId
            Guid(self.id),  # UpdateID
            self.type,  # CategoryType
            prohibits_subcategories,  # ProhibitsSubcategories
            prohibits_updates,  # ProhibitsUpdates
            self.index,  # CategoryIndex
            self.display_order,  # DisplayOrder (int or NULL)
            self.title_for(culture),  # Title
            self.description,  # Description (string or NULL)
            None,  # ReleaseNotes
            arrival,  # ArrivalDate
            0,  # UpdateSource: 0 = synchronized from Microsoft Update / upstream
        ]


class Language:
    __slots__ = ("id", "short", "long")

    def __init__(self, id_: int, short: str, long: str):
        self.id = id_
        self.short = short
        self.long = long


class Catalog:
    def __init__(self, directory: Optional[str] = None):
        self.directory = directory
        categories = _load("categories.json", directory).get("categories", [])
        classifications = _load("classifications.json", directory).get("classifications", [])
        languages = _load("languages.json", directory).get("languages", [])
        self.categories: List[Item] = []
        self.classifications: List[Item] = []
        self.by_id: Dict[str, Item] = {}
        for position, entry in enumerate(classifications):
            where = "classifications.json[%d]" % position
            item = Item(
                _guid(entry.get("id"), where),
                str(entry.get("title") or ""),
                CLASSIFICATION_TYPE,
                None,
                entry.get("description"),
                entry.get("titles"),
                entry.get("display_order"),
            )
            self._add(item, where)
            self.classifications.append(item)
        for position, entry in enumerate(categories):
            where = "categories.json[%d]" % position
            type_ = entry.get("type")
            if type_ not in CATEGORY_TYPES:
                raise CatalogError("%s: type %r is not one of %s" % (where, type_, ", ".join(CATEGORY_TYPES)))
            parent = entry.get("parent")
            item = Item(
                _guid(entry.get("id"), where),
                str(entry.get("title") or ""),
                type_,
                _guid(parent, where + ".parent") if parent else None,
                entry.get("description"),
                entry.get("titles"),
                entry.get("display_order"),
            )
            self._add(item, where)
            self.categories.append(item)
        for item in self.categories:
            if item.parent and (item.parent not in self.by_id or self.by_id[item.parent].is_classification):
                raise CatalogError(
                    "category %s (%s): parent %s is not a known category" % (item.id, item.title, item.parent)
                )
        # Stable local ids: classifications first, then categories, in file order.
        for number, item in enumerate(self.classifications + self.categories, start=1):
            item.local_id = number
            item.index = number - 1
        self.children: Dict[Optional[str], List[Item]] = {}
        for item in self.categories:
            self.children.setdefault(item.parent, []).append(item)
        self.languages: List[Language] = []
        self.language_by_id: Dict[int, Language] = {}
        for position, entry in enumerate(languages):
            try:
                language = Language(int(entry["id"]), str(entry["short"]), str(entry.get("long") or entry["short"]))
            except (KeyError, TypeError, ValueError):
                raise CatalogError("languages.json[%d]: needs an int id and a short name" % position) from None
            if language.id in self.language_by_id:
                raise CatalogError("languages.json: duplicate language id %d" % language.id)
            self.languages.append(language)
            self.language_by_id[language.id] = language

    def _add(self, item: Item, where: str) -> None:
        if item.id in self.by_id:
            raise CatalogError("%s: duplicate id %s" % (where, item.id))
        self.by_id[item.id] = item

    def category(self, guid: str) -> Optional[Item]:
        item = self.by_id.get(guid)
        return item if item is not None and not item.is_classification else None

    def classification(self, guid: str) -> Optional[Item]:
        item = self.by_id.get(guid)
        return item if item is not None and item.is_classification else None

    def top_level(self) -> List[Item]:
        return list(self.children.get(None, []))

    def subcategories(self, guid: str) -> List[Item]:
        return list(self.children.get(guid, []))

    def effective_products(self, selected: Iterable[str]) -> List[str]:
        """Products a selection stands for: a product itself, a family or company all products below it."""
        wanted = set()
        for guid in selected:
            item = self.category(guid)
            if item is None:
                continue
            stack = [item]
            while stack:
                current = stack.pop()
                if current.type == "Product":
                    wanted.add(current.id)
                stack.extend(self.children.get(current.id, []))
        return [item.id for item in self.categories if item.id in wanted]

    def language_by_short(self, short: str) -> Optional[Language]:
        for language in self.languages:
            if language.short.lower() == short.lower():
                return language
        return None
