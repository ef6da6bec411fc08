"""ops.wsus.categories_info and the warnings of ops.wsus.sync_options, through ansible-playbook against the emulator."""

from __future__ import annotations

import os

from support.operations import own_warnings
from support.playbook import connection_defaults, play, run_playbook

OFFICE_FAMILY = "477b856e-65c4-4473-b621-a8b230bb70d9"
OFFICE_2016 = "25aed893-7c2d-4a31-ae22-28ff8ac150ed"


def categories(server, collections_path, env=None, defaults=None, **options):
    task = {"name": "categories", "ops.wsus.categories_info": options}
    run = run_playbook(
        [play([task], connection_defaults(server) if defaults is None else defaults)], collections_path, env=env
    )
    assert run.rc == 0, run.stdout[-3000:]
    return run.result("categories")


def apply(server, collections_path, document, check=True):
    task = {"name": "apply", "ops.wsus.sync_options": document}
    run = run_playbook(
        [play([task], connection_defaults(server))], collections_path, extra_args=["--check"] if check else []
    )
    assert run.rc == 0, run.stdout[-3000:]
    return run.result("apply")


def test_title_and_type_filters(fresh_emulator, collections_path):
    families = categories(fresh_emulator, collections_path, title="office*", type=["product_family"])
    titles = [item["title"] for item in families["products"]]
    assert "Office" in titles and all(title.casefold().startswith("office") for title in titles)
    assert {item["type"] for item in families["products"]} == {"product_family"}
    assert families["classifications"] == []
    assert "Office 2016" not in titles  # a product, not a family

    only_classifications = categories(fresh_emulator, collections_path, title="*Updates", type=["classification"])
    titles = {item["title"] for item in only_classifications["classifications"]}
    assert {"Critical Updates", "Security Updates", "Definition Updates"} <= titles
    assert only_classifications["products"] == []
    assert all(title.endswith("Updates") for title in titles)


def test_a_selected_family_selects_its_products_without_asking_for_parents(fresh_emulator, collections_path):
    apply(fresh_emulator, collections_path, {"products": [{"title": "Office", "type": "product_family"}]}, check=False)
    fresh_emulator.clear_requests()
    result = categories(fresh_emulator, collections_path, selected_only=True)
    selected = {item["id"]: item for item in result["products"]}
    assert OFFICE_FAMILY in selected and OFFICE_2016 in selected
    assert all(item["title"].startswith("Office") or item["type"] == "product" for item in selected.values())
    assert {item["title"] for item in result["classifications"]} == {"Critical Updates", "Security Updates"}
    # parents=false: the parent stays unknown, and only the selected family was expanded (one call)
    assert selected[OFFICE_2016]["parent"] is None
    assert fresh_emulator.operations().count("ExecuteSPGetSubcategories") == 1

    everything = categories(fresh_emulator, collections_path, title="Office 2016", parents=True)
    assert everything["products"] == [
        {
            "id": OFFICE_2016,
            "ids": [OFFICE_2016],
            "title": "Office 2016",
            "type": "product",
            "parent": OFFICE_FAMILY,
            "selected": True,
            "selected_ids": [OFFICE_2016],
        }
    ]


WS2019 = ["f702a48c-919b-45d6-9aef-ca4248d50397", "6e56e6da-f22f-47c9-97b4-510153a06740"]


def test_a_title_wsus_publishes_twice_is_listed_once_with_its_guids(fresh_emulator, collections_path):
    apply(fresh_emulator, collections_path, {"products": [{"id": WS2019[1]}]}, check=False)
    result = categories(fresh_emulator, collections_path, title="windows server 2019", type=["product"])
    assert len(result["products"]) == 1
    item = result["products"][0]
    assert sorted(item["ids"]) == sorted(WS2019) and item["title"] == "Windows Server 2019"
    assert item["selected"] is False and item["selected_ids"] == [WS2019[1]]
    apply(fresh_emulator, collections_path, {"products": ["Windows Server 2019"]}, check=False)
    again = categories(fresh_emulator, collections_path, title="windows server 2019", type=["product"])
    assert again["products"][0]["selected"] is True and sorted(again["products"][0]["selected_ids"]) == sorted(WS2019)


def test_environment_fallbacks_for_the_connection(fresh_emulator, collections_path):
    env = {"WSUS_SERVER": "127.0.0.1", "WSUS_USERNAME": "WSUS\\reporter", "WSUS_PASSWORD": "Passw0rd!"}
    defaults = {"port": fresh_emulator.ports[0], "auth": "ntlm", "timeout": 10}
    result = categories(fresh_emulator, collections_path, env=env, defaults=defaults, type=["classification"])
    assert result["classifications"]
    assert {entry["user"] for entry in fresh_emulator.requests()} == {"WSUS\\reporter"}
    assert "WSUS_PASSWORD" not in os.environ  # the test's own environment was not the source


def test_warning_for_a_product_under_a_selected_family_or_company(fresh_emulator, collections_path):
    family = apply(
        fresh_emulator, collections_path, {"products": [{"title": "Office", "type": "product_family"}, "Office 2016"]}
    )
    assert (
        "products: Office already includes Office 2016; WSUS ignores a child selected with its parent"
        in family["warnings"]
    )
    # two levels down: Microsoft Corporation > Office > Office 2016
    company = apply(fresh_emulator, collections_path, {"products": ["Microsoft Corporation", "Office 2016"]})
    assert any(
        warning.startswith("products: Microsoft Corporation already includes") and "Office 2016" in warning
        for warning in company["warnings"]
    ), company["warnings"]
    plain = apply(fresh_emulator, collections_path, {"products": ["Office 2016"]})
    assert not own_warnings(plain)


def test_warning_for_products_on_a_downstream_server(fresh_emulator, collections_path):
    result = apply(
        fresh_emulator,
        collections_path,
        {
            "update_source": {"type": "upstream", "server": "wsus-hq.corp.example", "replica": False},
            "products": ["Office 2016"],
        },
    )
    assert any(
        "declared on a server that synchronizes from an upstream server" in warning for warning in result["warnings"]
    ), result["warnings"]
