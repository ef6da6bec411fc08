"""ops.wsus.sync_options through ansible-playbook against the emulator."""

from __future__ import annotations

import copy
import os
import re

import pytest
import yaml

from ansible_collections.ops.wsus.plugins.module_utils._module import CONNECTION_ARGSPEC
from support.operations import WRITES
from support.playbook import connection_defaults, play, run_playbook

PROXY_PASSWORD = "Pr0xy-Secr3t-Value"

FULL_DOCUMENT = {
    "update_source": {"type": "microsoft_update"},
    "proxy": {
        "enabled": True,
        "server": "proxy.corp.example",
        "port": 3128,
        "username": "svc-proxy",
        "domain": "CORP",
        "password": PROXY_PASSWORD,
        "allow_basic_auth": False,
    },
    "products": ["Microsoft Server operating system-21H2", {"title": "Office", "type": "product_family"}],
    "classifications": ["Critical Updates", "Security Updates", "Definition Updates"],
    "schedule": {"automatic": True, "time": "03:00", "timezone": "UTC", "per_day": 2},
    "languages": ["en", "de"],
    "storage": {"local": True, "download_only_approved": True, "express_files": False},
}


def apply(server, collections_path, document, check=False, diff=True, name="apply"):
    task = {"name": name, "ops.wsus.sync_options": document, "register": "out"}
    args = (["--check"] if check else []) + (["--diff"] if diff else [])
    return run_playbook([play([task], connection_defaults(server))], collections_path, extra_args=args)


@pytest.mark.smoke
def test_full_document_converges_then_is_idempotent_with_counted_calls(fresh_emulator, collections_path):
    first = apply(fresh_emulator, collections_path, FULL_DOCUMENT)
    assert first.rc == 0, first.stdout
    result = first.result("apply")
    assert result["changed"] is True
    assert "products: +Microsoft Server operating system-21H2, +Office" in result["changes"]
    assert result["applied"] == ["configuration", "proxy password", "subscription"]
    state = fresh_emulator.state()
    assert state["proxy_password_set"] is True
    fresh_emulator.clear_requests()

    second = apply(fresh_emulator, collections_path, FULL_DOCUMENT)
    assert second.rc == 0 and second.result("apply")["changed"] is False
    operations = fresh_emulator.operations()
    assert not WRITES & set(operations), operations
    calls = [(entry["operation"], entry.get("_args")) for entry in fresh_emulator.requests()]
    assert sorted(operations) == sorted(
        [
            "ExecuteSPGetConfiguration",
            "ExecuteSPGetAllLanguagesWithEnabledState",
            "HasProxyPassword",
            "ExecuteSPGetCategories",
            "ExecuteSPGetCategories",
            "GetSubscriptionCategories",
            "GetSubscriptionCategories",
            "GetSubscription",
        ]
    ), calls
    # the two ExecuteSPGetCategories/GetSubscriptionCategories differ by their argument (products vs
    # classifications); the module reports them in order and the log proves no call is repeated
    assert second.result("apply")["soap_calls"] == operations


def test_check_mode_predicts_and_writes_nothing(fresh_emulator, collections_path):
    assert apply(fresh_emulator, collections_path, FULL_DOCUMENT).rc == 0
    before = fresh_emulator.state()
    fresh_emulator.clear_requests()
    changed = copy.deepcopy(FULL_DOCUMENT)
    changed["proxy"]["port"] = 8080
    changed["products"] = ["Office*"]
    changed["schedule"]["automatic"] = False
    run = apply(fresh_emulator, collections_path, changed, check=True)
    result = run.result("apply")
    assert run.rc == 0 and result["changed"] is True
    assert "proxy.port: 3128 -> 8080" in result["changes"]
    assert "schedule.automatic: True -> False" in result["changes"]
    assert not WRITES & set(fresh_emulator.operations())
    after = fresh_emulator.state()
    for key in ("configuration", "subscription", "categories", "classifications"):
        assert before[key] == after[key], key
    # and the real run changes exactly what check mode said
    real = apply(fresh_emulator, collections_path, changed).result("apply")
    assert real["changes"] == result["changes"]


@pytest.mark.smoke
def test_diff_shows_declared_sections_with_passwords_masked(fresh_emulator, collections_path):
    run = apply(fresh_emulator, collections_path, {"proxy": FULL_DOCUMENT["proxy"], "schedule": {"per_day": 4}})
    diff = run.result("apply")["diff"]
    assert set(diff["before"]) == {"proxy", "schedule"} == set(diff["after"])
    assert diff["before"]["proxy"]["enabled"] is False and diff["after"]["proxy"]["enabled"] is True
    assert diff["after"]["proxy"]["password"] == "********"
    assert diff["before"]["schedule"] == {"per_day": 1} and diff["after"]["schedule"] == {"per_day": 4}
    assert PROXY_PASSWORD not in run.stdout + run.stderr


def test_text_diff_is_readable(fresh_emulator, collections_path):
    task = {"name": "apply", "ops.wsus.sync_options": {"schedule": {"automatic": True, "per_day": 3}}}
    run = run_playbook(
        [play([task], connection_defaults(fresh_emulator))],
        collections_path,
        extra_args=["--check", "--diff"],
        callback="default",
    )
    assert run.rc == 0
    assert re.search(r'^-\s+"automatic": false,?$', run.stdout, re.M), run.stdout
    assert re.search(r'^\+\s+"per_day": 3$', run.stdout, re.M) and "changed: [wsus01]" in run.stdout


@pytest.mark.parametrize(
    "document, path",
    [
        ({"proxy": {"port": 70000}}, "wsus_sync.proxy.port"),
        ({"prodcts": ["Office"]}, "wsus_sync"),
        ({"schedule": {"time": "25:00"}}, "wsus_sync.schedule.time"),
        ({"update_source": {"type": "upstream", "replica": True}, "products": ["Office"]}, "wsus_sync"),
    ],
)
@pytest.mark.smoke
def test_invalid_documents_fail_before_any_request(fresh_emulator, collections_path, document, path):
    run = apply(fresh_emulator, collections_path, document)
    assert run.rc != 0
    assert path in run.result("apply")["msg"]
    assert fresh_emulator.requests() == []


def test_unknown_product_names_the_closest_and_writes_nothing(fresh_emulator, collections_path):
    run = apply(fresh_emulator, collections_path, {"products": ["Microsoft Server operating system-21H3"]})
    assert run.rc != 0
    message = run.result("apply")["msg"]
    assert "products[0]: no product matches" in message and "closest" in message
    assert not WRITES & set(fresh_emulator.operations())


def test_replica_takes_upstream_and_refuses_products(fresh_emulator, collections_path):
    replica = {
        "update_source": {"type": "upstream", "server": "wsus-hq.corp", "replica": True},
        "schedule": {"automatic": True, "time": "04:30"},
    }
    assert apply(fresh_emulator, collections_path, replica).result("apply")["changed"] is True
    configuration = fresh_emulator.state()["configuration"]
    assert configuration["ReplicaMode"] is True and configuration["SyncToMU"] is False
    assert apply(fresh_emulator, collections_path, replica).result("apply")["changed"] is False
    refused = apply(fresh_emulator, collections_path, {"products": ["Office*"]})
    assert refused.rc != 0 and "this server is a replica" in refused.result("apply")["msg"]


def test_update_password_on_create_vs_always(fresh_emulator, collections_path):
    proxy = {"enabled": True, "server": "proxy", "username": "svc", "password": "first"}
    assert apply(fresh_emulator, collections_path, {"proxy": proxy}).result("apply")["changed"] is True
    digest = fresh_emulator.state()["proxy_password_sha256"]
    second = dict(proxy, password="second")
    on_create = apply(fresh_emulator, collections_path, {"proxy": second}).result("apply")
    assert on_create["changed"] is False and fresh_emulator.state()["proxy_password_sha256"] == digest
    always = apply(fresh_emulator, collections_path, {"proxy": dict(second, update_password="always")})
    assert always.result("apply")["changed"] is True
    assert fresh_emulator.state()["proxy_password_sha256"] != digest
    renamed = apply(fresh_emulator, collections_path, {"proxy": dict(proxy, username="other", password="third")})
    assert "proxy.password: set (the user name changes)" in renamed.result("apply")["changes"]


def test_schedule_only_leaves_everything_else(fresh_emulator, collections_path):
    assert apply(fresh_emulator, collections_path, FULL_DOCUMENT).rc == 0
    before = fresh_emulator.state()
    fresh_emulator.clear_requests()
    run = apply(fresh_emulator, collections_path, {"schedule": {"automatic": False}})
    assert run.result("apply")["changes"] == ["schedule.automatic: True -> False"]
    after = fresh_emulator.state()
    assert after["categories"] == before["categories"] and after["classifications"] == before["classifications"]
    assert after["configuration"] == before["configuration"]
    assert "ExecuteSPSetConfiguration" not in fresh_emulator.operations()


def test_server_info_document_applied_back_is_no_change(fresh_emulator, collections_path):
    assert apply(fresh_emulator, collections_path, FULL_DOCUMENT).rc == 0
    read = run_playbook(
        [play([{"name": "info", "ops.wsus.server_info": {}}], connection_defaults(fresh_emulator))], collections_path
    )
    info = read.result("info")
    assert info["role"] == "administrator" and info["result"] == "never_run"
    document = info["sync_options"]
    assert document["products"] and document["languages"] == ["de", "en"]
    again = apply(fresh_emulator, collections_path, document)
    assert again.rc == 0 and again.result("apply")["changed"] is False, again.result("apply").get("changes")


CORPUS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit", "schema", "corpus", "invalid"
)
EXPECT = re.compile(r"^#\s*expect:\s*(?P<paths>.+?)\s*$", re.M)


def corpus_as_module_args():
    """Every invalid document of the schema corpus that can be written as the module's arguments (a
    mapping of string keys that are not connection options: Ansible itself refuses a task whose
    arguments have a boolean key; and no section null, which for a module means "not given", as
    Ansible's omit does; the role's validation catches it in the document); with the paths its error
    must name."""
    cases = []
    for name in sorted(os.listdir(CORPUS)):
        with open(os.path.join(CORPUS, name), encoding="utf-8") as handle:
            text = handle.read()
        document = yaml.safe_load(text)
        if (
            isinstance(document, dict)
            and document
            and all(isinstance(key, str) for key in document)
            and not set(document) & CONNECTION_OPTIONS
            and None not in document.values()
        ):
            paths = [path.strip() for path in EXPECT.search(text).group("paths").split(",")]
            cases.append((name, document, paths))
    return cases


CONNECTION_OPTIONS = set(CONNECTION_ARGSPEC)


def test_every_invalid_corpus_document_fails_before_any_request(fresh_emulator, collections_path):
    cases = corpus_as_module_args()
    assert len(cases) >= 80, len(cases)
    tasks = [
        {"name": name, "ops.wsus.sync_options": document, "ignore_errors": True} for name, document, dummy in cases
    ]
    run = run_playbook([play(tasks, connection_defaults(fresh_emulator))], collections_path)
    for name, dummy, paths in cases:
        result = run.result(name)
        assert result.get("failed") is True, name
        for path in paths:
            assert path in result["msg"], "%s: %s not in %s" % (name, path, result["msg"])
    assert fresh_emulator.requests() == []


@pytest.fixture(scope="module")
def spec_rows_emulator(emulator_factory):
    """An emulator serving the spec language rows [LanguageID, ShortLanguage, LongLanguage, Enabled]."""
    return emulator_factory("--sync-seconds", "1", "--language-rows", "spec")


def _language_writes(server):
    return [entry["language_lists"] for entry in server.requests() if entry["operation"] == "ExecuteSPSetConfiguration"]


@pytest.mark.parametrize("layout", ["live", "spec"])
def test_languages_converge_under_both_row_layouts(fresh_emulator, spec_rows_emulator, collections_path, layout):
    server = fresh_emulator if layout == "live" else spec_rows_emulator
    server.reset()
    assert server.state()["language_rows"] == layout
    # the item each layout identifies a language by: its short code (live) or its LanguageID (spec)
    item = (
        (lambda code, lid: {"type": "string", "value": code})
        if layout == "live"
        else (lambda code, lid: {"type": "int", "value": str(lid)})
    )
    assert server.state()["enabled_languages"] == ["en"]  # the factory state; en is LanguageID 9, de 7

    first = apply(server, collections_path, {"languages": ["en", "de"]})
    assert first.rc == 0, first.stdout
    assert first.result("apply")["changes"] == ["languages: +de"]
    assert _language_writes(server) == [
        {"listTrue": [item("de", 7)], "listFalse": [], "ussListTrue": [], "ussListFalse": []}
    ]
    assert sorted(server.state()["enabled_languages"]) == ["de", "en"]
    server.clear_requests()
    again = apply(server, collections_path, {"languages": ["en", "de"]})
    assert again.rc == 0 and again.result("apply")["changed"] is False
    assert _language_writes(server) == []

    # from "all" back to a list: every other language goes into listFalse, none of them nil
    assert apply(server, collections_path, {"languages": "all"}).result("apply")["changed"] is True
    server.clear_requests()
    back = apply(server, collections_path, {"languages": ["en", "de"]})
    assert back.rc == 0 and back.result("apply")["changes"][0].startswith("languages: -ar, -bg, ")
    [lists] = _language_writes(server)
    assert sorted(entry["value"] for entry in lists["listTrue"]) == sorted(
        [item("de", 7)["value"], item("en", 9)["value"]]
    )
    items = lists["listTrue"] + lists["listFalse"]
    assert len(items) == 38 and None not in items
    assert {entry["type"] for entry in items} == {"string" if layout == "live" else "int"}
    state = server.state()
    assert sorted(state["enabled_languages"]) == ["de", "en"] and state["all_languages_enabled"] is False
    assert apply(server, collections_path, {"languages": ["en", "de"]}).result("apply")["changed"] is False
