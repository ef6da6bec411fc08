"""The rules that need more of the server than its rows, as pure functions (_state/rules.py): a replica takes
its selection from upstream, a downstream server may ignore products and languages, a parent selected with
its child. The data they get is what _sync_options.py reads."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state import rules
from ansible_collections.ops.wsus.plugins.module_utils._state.document import normalize
from ansible_collections.ops.wsus.plugins.module_utils._state.plan import PlanError

from state_fixtures import MICROSOFT, OFFICE, PRODUCTS, WIN10, WINDOWS, WS2019, WS2022, config_row

BY_ID = {entry.id.lower(): entry for entry in PRODUCTS}
# What ServerReader.descendants gives for the company and the product family: child -> parent.
UNDER_WINDOWS = {WS2022.id: WINDOWS.id, WS2019.id: WINDOWS.id, WIN10.id: WINDOWS.id}
UNDER_MICROSOFT = dict({WINDOWS.id: MICROSOFT.id, OFFICE.id: MICROSOFT.id}, **UNDER_WINDOWS)


# --------------------------------------------------------------------------- replica


def test_selection_on_a_replica_is_refused():
    with pytest.raises(PlanError, match="this server is a replica"):
        rules.refuse_selection_on_replica(normalize({"products": ["Windows 10"]}), config_row(ReplicaMode=True))


@pytest.mark.parametrize(
    "document",
    [
        {"products": ["Windows 10"], "update_source": {"type": "upstream", "server": "up", "replica": True}},
        {"classifications": ["Critical Updates"], "update_source": {"replica": True}},
    ],
)
def test_a_declared_replica_is_refused_without_reading_the_server(document):
    assert rules.declares_replica(document)
    with pytest.raises(PlanError, match="update_source.replica: false"):
        rules.refuse_selection_on_replica(normalize(document))


@pytest.mark.parametrize(
    "document, config",
    [
        ({"products": ["Windows 10"]}, config_row(ReplicaMode=False)),
        ({"products": ["Windows 10"], "update_source": {"replica": False}}, None),
        ({"products": ["Windows 10"], "update_source": {"type": "microsoft_update"}}, config_row(ReplicaMode=True)),
        ({"languages": ["en"]}, None),  # no selection: nothing to check, nothing read
    ],
)
def test_selection_on_an_autonomous_server_is_allowed(document, config):
    rules.refuse_selection_on_replica(normalize(document), config)


def test_declares_selection():
    assert rules.declares_selection({"classifications": []})
    assert not rules.declares_selection({"schedule": {}, "languages": "all"})


# --------------------------------------------------------------------------- downstream


def test_products_and_languages_on_a_downstream_server_warn():
    warnings = rules.downstream_warnings({"products": [], "languages": "all"}, config_row(SyncToMU=False))
    assert warnings == [
        "products and languages declared on a server that synchronizes from an upstream server: "
        "WSUS takes what the upstream server offers and may ignore them"
    ]


@pytest.mark.parametrize(
    "document, config",
    [
        ({"products": []}, config_row(SyncToMU=True)),
        ({"classifications": [], "schedule": {}}, config_row(SyncToMU=False)),
    ],
)
def test_no_downstream_warning(document, config):
    assert rules.downstream_warnings(document, config) == []


def test_declares_downstream_sections():
    assert rules.declares_downstream_sections({"languages": "all"})
    assert not rules.declares_downstream_sections({"classifications": []})


# --------------------------------------------------------------------------- overlaps


def test_containers_among():
    guids = [WS2022.id, WINDOWS.id.upper(), MICROSOFT.id, "00000000-0000-0000-0000-000000000000"]
    assert rules.containers_among(BY_ID, guids) == sorted([WINDOWS.id, MICROSOFT.id])


def test_a_family_with_its_products_warns_once_with_the_sorted_titles():
    selected = [WINDOWS.id, WS2022.id, WIN10.id]
    assert rules.overlap_warnings(selected, PRODUCTS, {WINDOWS.id: UNDER_WINDOWS}) == [
        "products: Windows already includes Windows 10, Windows Server 2022; WSUS ignores a child selected with "
        "its parent"
    ]


def test_a_company_with_a_product_at_any_depth_warns():
    warnings = rules.overlap_warnings([MICROSOFT.id, WS2019.id], PRODUCTS, {MICROSOFT.id: UNDER_MICROSOFT})
    assert warnings == [
        "products: Microsoft Corporation already includes Windows Server 2019; WSUS ignores a "
        "child selected with its parent"
    ]


def test_products_without_their_parent_do_not_warn():
    assert rules.overlap_warnings([WS2022.id, WS2019.id], PRODUCTS, {}) == []


def test_effectively_selected_adds_everything_under_a_selected_container():
    assert rules.effectively_selected([WINDOWS.id.upper(), OFFICE.id], {WINDOWS.id: UNDER_WINDOWS}) == {
        WINDOWS.id,
        OFFICE.id,
        WS2022.id,
        WS2019.id,
        WIN10.id,
    }
    assert rules.effectively_selected([WS2022.id], {}) == {WS2022.id}
