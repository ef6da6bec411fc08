"""Properties against the emulator: for schema-valid random documents, applying and then planning
again yields no change; server_info's document round-trips through the schema and the planner."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ops.wsus.plugins.module_utils._sync_options import (
    ServerReader,
    ensure_sync_options,
    read_sync_options,
)
from ansible_collections.ops.wsus.plugins.plugin_utils._validate.validate import validate_document
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient

from support.paths import REPO

DATA = os.path.join(REPO, "emulator", "wsus_emulator", "data")


def _load(name, key):
    with open(os.path.join(DATA, name)) as handle:
        return json.load(handle)[key]


CATEGORIES = _load("categories.json", "categories")
CLASSIFICATIONS = [entry["title"] for entry in _load("classifications.json", "classifications")]
LANGUAGES = [entry["short"] for entry in _load("languages.json", "languages")]
TYPES = {"Company": "company", "ProductFamily": "product_family", "Product": "product"}

hosts = st.from_regex(r"\A[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z]{2,5}){0,2}\Z")
ports = st.integers(1, 65535)


def _unique_within_type(entry):
    return (
        sum(
            1
            for other in CATEGORIES
            if other["type"] == entry["type"] and other["title"].casefold() == entry["title"].casefold()
        )
        == 1
    )


product_refs = st.sampled_from(CATEGORIES).flatmap(
    lambda entry: st.sampled_from(
        [{"id": entry["id"]}, entry["id"]]
        + ([{"title": entry["title"], "type": TYPES[entry["type"]]}] if _unique_within_type(entry) else [])
    )
)
times = st.builds(lambda h, m: "%02d:%02d" % (h, m), st.integers(0, 23), st.integers(0, 59))


@st.composite
def documents(draw):
    document = {}
    if draw(st.booleans()):
        if draw(st.booleans()):
            document["update_source"] = {"type": "microsoft_update"}
        else:
            document["update_source"] = {
                "type": "upstream",
                "server": draw(hosts),
                "port": draw(ports),
                "ssl": draw(st.booleans()),
                "content_from_microsoft_update": draw(st.booleans()),
            }
    if draw(st.booleans()):
        proxy = {
            "enabled": draw(st.booleans()),
            "server": draw(hosts),
            "port": draw(ports),
            "allow_basic_auth": draw(st.booleans()),
        }
        if draw(st.booleans()):
            proxy.update(ssl_server=draw(hosts), ssl_port=draw(ports))
        if draw(st.booleans()):
            proxy.update(
                username=draw(st.from_regex(r"\A[a-z][a-z0-9_.-]{0,12}\Z")),
                domain="CORP",
                password=draw(st.text(min_size=1, max_size=20)),
            )
        document["proxy"] = proxy
    if draw(st.booleans()):
        document["products"] = draw(
            st.lists(product_refs, min_size=0, max_size=6, unique_by=lambda ref: json.dumps(ref, sort_keys=True))
        )
    if draw(st.booleans()):
        document["classifications"] = draw(
            st.lists(st.sampled_from(CLASSIFICATIONS), min_size=1, max_size=5, unique=True)
        )
    if draw(st.booleans()):
        document["schedule"] = {
            "automatic": draw(st.booleans()),
            "time": draw(times),
            "timezone": draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])),
            "per_day": draw(st.integers(1, 24)),
        }
    local = draw(st.booleans())
    if draw(st.booleans()) or not local:
        document["languages"] = (
            "all"
            if not local or draw(st.booleans())
            else draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=5, unique=True))
        )
    if draw(st.booleans()) or not local:
        document["storage"] = {"local": local}
        if local:  # with files on Microsoft Update nothing is downloaded: the schema allows only false
            document["storage"].update(download_only_approved=draw(st.booleans()), express_files=draw(st.booleans()))
    return document


def client_for(server):
    return WsusClient.connect(
        "127.0.0.1", port=server.port, username="WSUS\\admin", password="Passw0rd!", auth="ntlm", timeout=10
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(document=documents())
def test_apply_then_plan_again_is_no_change(emulator, document):
    assert validate_document(document) == [], document
    emulator.reset()
    with client_for(emulator) as client:
        ensure_sync_options(client, document)
    with client_for(emulator) as client:
        changed, result = ensure_sync_options(client, document, check_mode=True)
    expected_password_write = document.get("proxy", {}).get("update_password") == "always"
    assert changed is expected_password_write, result["changes"]
    assert [line for line in result["changes"] if not line.startswith("proxy.password")] == []


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(document=documents(), timezone=st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Auckland"]))
def test_server_info_document_round_trips(emulator, document, timezone):
    emulator.reset()
    with client_for(emulator) as client:
        ensure_sync_options(client, document)
        adopted = read_sync_options(ServerReader(client), timezone)
    assert validate_document(adopted) == [], adopted
    with client_for(emulator) as client:
        changed, result = ensure_sync_options(client, adopted, check_mode=True)
    assert not changed and result["changes"] == [], result["changes"]
