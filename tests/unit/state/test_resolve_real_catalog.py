"""Resolving what admins really write against the real titles WSUS publishes (the emulator's packaged
catalog, whose every GUID and title has a source in emulator/wsus_emulator/data/SOURCES.md), including the
titles WSUS really publishes twice."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state.marketing_names import MARKETING_NAMES
from ansible_collections.ops.wsus.plugins.module_utils._state.resolve import ResolveError, describe, references, resolve
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import Category

from support.paths import REPO

WS2019 = ["f702a48c-919b-45d6-9aef-ca4248d50397", "6e56e6da-f22f-47c9-97b4-510153a06740"]
WS2016 = ["569e8e8f-c6cd-42c8-92a3-efbb20a0f6f5", "e26d4a30-aba6-4616-a890-011970d93636"]
WS2022 = "71718f13-7324-4b0f-8f9e-2ca9dc978e53"


def _load():
    with open(os.path.join(REPO, "emulator", "wsus_emulator", "data", "categories.json"), encoding="utf-8") as handle:
        rows = json.load(handle)["categories"]
    return [
        Category(
            id=row["id"],
            title=row["title"],
            type=row["type"],
            prohibits_subcategories=False,
            description=None,
            arrival_date=None,
        )
        for row in rows
    ]


CATALOG = _load()


def _duplicated_titles(same_type):
    seen = {}
    for entry in CATALOG:
        seen.setdefault(entry.title.casefold(), []).append(entry)
    return {
        title: entries
        for title, entries in seen.items()
        if len(entries) > 1 and (len({entry.type for entry in entries}) == 1) == same_type
    }


def test_the_catalog_really_holds_duplicated_titles():
    duplicated = _duplicated_titles(same_type=True)
    assert {"windows server 2019", "windows server 2016"} <= set(duplicated)
    assert sorted(entry.id for entry in duplicated["windows server 2019"]) == sorted(WS2019)


def test_the_acceptance_declaration_resolves_every_duplicate():
    got = resolve(["Windows Server 2019", "windows server 2016", "Microsoft Server operating system-21H2"], CATALOG)
    assert set(got) == set(WS2019) | set(WS2016) | {WS2022}


@pytest.mark.parametrize("title", sorted(_duplicated_titles(same_type=True)))
def test_every_same_type_duplicate_selects_all_its_categories(title):
    entries = _duplicated_titles(same_type=True)[title]
    assert sorted(resolve([title.upper()], CATALOG)) == sorted(entry.id for entry in entries)
    kind = {"Product": "product", "ProductFamily": "product_family", "Company": "company"}[entries[0].type]
    assert sorted(resolve([{"title": title, "type": kind}], CATALOG)) == sorted(entry.id for entry in entries)


@pytest.mark.parametrize("title", sorted(_duplicated_titles(same_type=False)))
def test_a_title_of_several_types_is_an_error_naming_each_type(title):
    entries = _duplicated_titles(same_type=False)[title]
    with pytest.raises(ResolveError) as caught:
        resolve([title], CATALOG)
    message = str(caught.value)
    for kind in {entry.type for entry in entries}:
        name = {"Product": "product", "ProductFamily": "product_family", "Company": "company"}[kind]
        assert "{title: %s, type: %s}" % (entries[0].title, name) in message
        assert resolve([{"title": entries[0].title, "type": name}], CATALOG)


def test_diff_names_a_duplicated_product_once_with_its_count():
    assert describe(WS2019 + [WS2022], CATALOG) == [
        "Microsoft Server operating system-21H2",
        "Windows Server 2019 (2 categories)",
    ]
    assert describe(WS2019[:1], CATALOG) == ["Windows Server 2019 (id %s)" % WS2019[0]]


def test_adoption_writes_the_plain_title_for_all_and_ids_for_some():
    adopted = references(WS2019 + WS2016[:1], CATALOG)
    assert len(adopted) == 2 and "Windows Server 2019" in adopted and {"id": WS2016[0]} in adopted
    for selection in (WS2019, WS2019[:1], WS2019 + WS2016[1:], [WS2022] + WS2016):
        assert sorted(resolve(references(selection, CATALOG), CATALOG)) == sorted(selection)


def test_every_catalog_entry_round_trips_through_references():
    for entry in CATALOG:
        assert resolve(references([entry.id], CATALOG), CATALOG) == [entry.id.lower()]


@pytest.mark.parametrize(
    "name, title",
    [
        ("Windows Server 2022", "Microsoft Server operating system-21H2"),
        ("windows server 2025", "Microsoft Server Operating System-24H2"),
        ("Windows Server, version 23H2", "Microsoft Server Operating System-23H2"),
        ("Office 2021", "Microsoft 365 Apps/Office 2019/Office LTSC"),
        ("Microsoft 365 Apps", "Microsoft 365 Apps/Office 2019/Office LTSC"),
        ("Windows Defender", "Microsoft Defender Antivirus"),
        ("SQL Server 2019", "Microsoft SQL Server 2019"),
        ("Windows 10 22H2", "Windows 10, version 1903 and later"),
        ("Windows 11 Pro", "Windows 11"),
    ],
)
def test_a_marketing_name_fails_with_the_wsus_title_and_selects_nothing(name, title):
    with pytest.raises(ResolveError) as caught:
        resolve([name], CATALOG)
    assert "no product matches %r; WSUS calls %s %r" % (name, name, title) in str(caught.value)


def test_the_hint_says_when_this_server_does_not_list_the_title():
    small = [entry for entry in CATALOG if not entry.title.startswith("Microsoft Server")]
    with pytest.raises(ResolveError, match="not listed by this server yet"):
        resolve(["Windows Server 2025"], small)


def test_every_hinted_title_is_a_real_wsus_title():
    titles = {entry.title for entry in CATALOG}
    for wsus_titles, names in MARKETING_NAMES:
        assert set(wsus_titles) <= titles
        for name in names:
            assert name.casefold() not in {title.casefold() for title in titles}, name
