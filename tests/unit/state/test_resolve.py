"""Resolving declared products and classifications to GUIDs."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state.resolve import (
    ResolveError,
    parent_child_overlaps,
    references,
    resolve,
)

from state_fixtures import CLASSIFICATIONS, OFFICE, OFFICE_PRODUCT, PRODUCTS, SECURITY, WIN10, WINDOWS, WS2019, WS2022


def test_exact_title_is_case_insensitive():
    assert resolve(["windows server 2022"], PRODUCTS) == [WS2022.id]


def test_guid_in_any_case_and_id_object():
    assert resolve([WS2019.id.upper(), {"id": WIN10.id}], PRODUCTS) == [WS2019.id, WIN10.id]


def test_wildcards_select_every_match():
    assert set(resolve(["Windows Server *"], PRODUCTS)) == {WS2022.id, WS2019.id}
    assert resolve(["Windows ??"], PRODUCTS) == [WIN10.id]


def test_typed_title_disambiguates():
    assert resolve([{"title": "office", "type": "product_family"}], PRODUCTS) == [OFFICE.id]
    assert resolve([{"title": "Office", "type": "product"}], PRODUCTS) == [OFFICE_PRODUCT.id]


def test_a_title_shared_across_types_asks_for_the_type_to_write():
    with pytest.raises(ResolveError) as caught:
        resolve(["Office"], PRODUCTS)
    message = str(caught.value)
    assert "products[0]: 'Office' names categories of different types" in message
    assert "{title: Office, type: product_family} (%s)" % OFFICE.id in message
    assert "{title: Office, type: product} (%s)" % OFFICE_PRODUCT.id in message


def test_unknown_title_names_the_closest_and_every_problem_is_reported():
    with pytest.raises(ResolveError) as caught:
        resolve(["Windows Server 2023", "Windows 10", "Nothing*", "aaaaaaaa-0000-0000-0000-000000000000"], PRODUCTS)
    message = str(caught.value)
    assert "products[0]: no product matches 'Windows Server 2023'; closest: 'Windows Server 2022'" in message
    assert "products[2]: no product matches 'Nothing*'" in message
    assert "products[3]: no product with id aaaaaaaa-0000-0000-0000-000000000000" in message
    assert "products[1]" not in message


def test_classifications_by_title_or_guid():
    assert resolve(
        ["Security Updates", "e6cf1350-c01b-414d-a61f-263d14d133b4"], CLASSIFICATIONS, "classifications"
    ) == ["e6cf1350-c01b-414d-a61f-263d14d133b4", SECURITY.id]
    with pytest.raises(ResolveError, match="classifications\\[0\\]: no classification matches 'Security'"):
        resolve(["Security"], CLASSIFICATIONS, "classifications")


def test_references_round_trip_through_resolve():
    for entry in PRODUCTS:
        assert resolve(references([entry.id], PRODUCTS), PRODUCTS) == [entry.id]
    assert references([WS2022.id], PRODUCTS) == ["Windows Server 2022"]
    assert references([OFFICE.id], PRODUCTS) == [{"title": "Office", "type": "product_family"}]


def test_parent_child_overlaps():
    parents = {WS2022.id: WINDOWS.id, WINDOWS.id: "56309036-4c77-4dd9-951a-99ee9c246a94"}
    assert parent_child_overlaps([WS2022.id, WINDOWS.id], parents) == [(WS2022.id, WINDOWS.id)]
    assert parent_child_overlaps([WS2022.id, WS2019.id], parents) == []
