"""Happy paths and semantics of every implemented operation."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os

import pytest

import wsus_emulator
from wsusclient import (
    MAX_DATE,
    MIN_DATE,
    TNS,
    children,
    get_configuration,
    row,
    rows,
    scalar,
    set_configuration,
    subscription,
    subscription_xml,
)

CONFIG_DATA = os.path.join(os.path.dirname(wsus_emulator.__file__), "data", "configuration.json")

CONTOSO = "aaaaaaaa-0000-4000-8000-000000000001"
CONTOSO_OS = "aaaaaaaa-0000-4000-8000-000000000010"
SERVER_2019 = "aaaaaaaa-0000-4000-8000-000000000011"
SERVER_2022 = "aaaaaaaa-0000-4000-8000-000000000012"
OFFICE = "aaaaaaaa-0000-4000-8000-000000000020"
OFFICE_2016 = "aaaaaaaa-0000-4000-8000-000000000021"
FABRIKAM_TOOL = "aaaaaaaa-0000-4000-8000-000000000031"
SECURITY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"
CRITICAL = "e6cf1350-c01b-414d-a61f-263d14d133b4"
DRIVERS = "ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0"
UPDATES = "cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83"
EN, DE, FR, JA = 1033, 1031, 1036, 1041


def server_fault(response, type_):
    assert response.status == 500, response.text
    assert response.fault["code"] == "soap:Server", response.fault
    assert response.fault["type"] == type_, response.fault
    return response.fault


def categories(client, operation, inner):
    return rows(client.ok(operation, inner).result(operation))


# ------------------------------------------------------------------------------------------------ identity


def test_versions_and_role(admin):
    assert scalar(admin, "GetServerVersion").startswith("10.0.")
    assert scalar(admin, "GetServerProtocolVersion")
    assert scalar(admin, "GetCurrentUserRole") == "2"


# ------------------------------------------------------------------------------------------------ configuration


def test_configuration_has_121_fields_in_wsdl_order(admin):
    fields = get_configuration(admin)
    with open(CONFIG_DATA) as handle:
        expected = [entry[0] for entry in json.load(handle)["fields"]]
    assert [name for name, dummy in fields] == expected
    assert len(fields) == 121
    names = [name for name, dummy in fields]
    assert names.index("TrackDynamicCategories") == names.index("DssRollupChunkSize") + 1
    assert names[-1] == "DetectConfigChange"
    values = dict(fields)
    assert values["SyncToMU"] == "true"
    assert values["ServerPortNumber"] == "8530"
    assert values["ProxyServerPort"] == "80"
    assert values["SslProxyServerPort"] == "443"
    assert values["HostOnMu"] == "false"
    assert values["LazySync"] == "true"
    assert values["DownloadExpressPackages"] == "false"
    assert values["ServerSupportsAllLanguages"] == "false"
    assert values["ReplicaMode"] == "false"
    assert len(values["ServerId"]) == 36 and len(values["RollupResetGuid"]) == 36
    result = admin.ok("ExecuteSPGetConfiguration").result("ExecuteSPGetConfiguration")
    assert [name for name, dummy in children(result)] == ["Configuration", "GroupAuthorization", "Authorization"]


def test_set_configuration_round_trip(admin, emu):
    before = dict(get_configuration(admin))
    response = set_configuration(
        admin,
        {
            "UseProxy": True,
            "ProxyName": "proxy.example",
            "ProxyServerPort": 3128,
            "DownloadExpressPackages": True,
            "ServerId": "11111111-1111-1111-1111-111111111111",
        },
    )
    assert response.status == 200, response.text
    assert '<ExecuteSPSetConfigurationResponse xmlns="%s" />' % TNS in response.text
    after = dict(get_configuration(admin))
    assert after["UseProxy"] == "true" and after["ProxyName"] == "proxy.example"
    assert after["ProxyServerPort"] == "3128" and after["DownloadExpressPackages"] == "true"
    assert int(after["configurationChangeNumber"]) == int(before["configurationChangeNumber"]) + 1
    assert after["ServerId"] == before["ServerId"]  # server-owned
    assert after["LastConfigChange"] >= before["LastConfigChange"]
    state = emu.state()
    assert state["configuration"]["ProxyName"] == "proxy.example"
    assert list(state["configuration"])[:2] == ["maxDeltaSyncPeriod", "anonymousCookieExpirationTime"]
    assert state["configuration_change_number"] == int(after["configurationChangeNumber"])


def test_set_configuration_omitted_string_is_stored_as_null(admin, emu):
    assert set_configuration(admin, {"MUUrl": None}).status == 200
    assert "MUUrl" not in dict(get_configuration(admin))
    assert emu.state()["configuration"]["MUUrl"] is None


def test_set_configuration_requires_the_full_row(admin):
    response = set_configuration(admin, {"TrackDynamicCategories": None})
    assert response.fault["code"] == "soap:Client"
    assert "TrackDynamicCategories" in response.fault["string"]


def test_set_configuration_without_row(admin):
    server_fault(admin.call("ExecuteSPSetConfiguration", ""), "System.ArgumentNullException")


def test_detect_config_change(admin):
    fields = get_configuration(admin)
    number = int(dict(fields)["configurationChangeNumber"])
    stale = set_configuration(
        admin, {"detectConfigChange": True, "configurationChangeNumber": number - 1}, fields=fields
    )
    fault = server_fault(stale, "System.InvalidOperationException")
    assert "configurationChangeNumber" in fault["message"]
    assert set_configuration(admin, {"detectConfigChange": True}, fields=fields).status == 200
    # the same (now stale) number again is refused, also through the WS2022 twin flag
    server_fault(
        set_configuration(admin, {"DetectConfigChange": True}, fields=fields), "System.InvalidOperationException"
    )
    # without the flag the number is not checked
    assert set_configuration(admin, {}, fields=fields).status == 200
    assert dict(get_configuration(admin))["detectConfigChange"] == "false"


def test_change_number_increments_on_each_save(admin):
    first = int(dict(get_configuration(admin))["configurationChangeNumber"])
    for dummy in range(3):
        assert set_configuration(admin).status == 200
    assert int(dict(get_configuration(admin))["configurationChangeNumber"]) == first + 3


# ------------------------------------------------------------------------------------------------ languages


@pytest.fixture(scope="module")
def spec_shared(emu_factory):
    return emu_factory("--control", "--language-rows", "spec")


@pytest.fixture
def spec_emu(spec_shared):
    """An emulator serving the spec language layout [LanguageID, ShortLanguage, LongLanguage, Enabled]."""
    spec_shared.reset()
    return spec_shared


@pytest.fixture
def spec_admin(spec_emu):
    client = spec_emu.client()
    yield client
    client.close()


def language_rows(client):
    return rows(
        client.ok("ExecuteSPGetAllLanguagesWithEnabledState").result("ExecuteSPGetAllLanguagesWithEnabledState")
    )


def languages(client):
    """Live layout (the default): {short: [ShortLanguage, Enabled, UssEnabled]}, "all" left out."""
    return {r[0]: r for r in language_rows(client) if r[0] != "all"}


def spec_languages(client):
    return {r[1]: r for r in language_rows(client) if r[1] != "all"}


def test_languages_default_live_layout_english_only(admin, emu):
    found = language_rows(admin)
    assert found[0] == ["all", False, True], "the pseudo-language first; UssSupportsAllLanguages is true"
    by_code = {r[0]: r for r in found}
    assert by_code["en"] == ["en", True, True] and by_code["de"] == ["de", False, True]
    assert [r[0] for r in found[1:] if r[1]] == ["en"]
    assert emu.state()["language_rows"] == "live"


def test_languages_spec_layout(spec_admin, spec_emu):
    found = language_rows(spec_admin)
    assert found[0] == [0, "all", "All languages", False]
    by_code = {r[1]: r for r in found}
    assert by_code["en"] == [EN, "en", "English", True] and by_code["de"] == [DE, "de", "German", False]
    assert [r[1] for r in found[1:] if r[3]] == ["en"]
    assert spec_emu.state()["language_rows"] == "spec"


def test_enable_and_disable_languages_by_code(admin, emu):
    assert set_configuration(admin, enable=["de", "fr"], disable=["en"]).status == 200
    assert sorted(name for name, r in languages(admin).items() if r[1]) == ["de", "fr"]
    assert emu.state()["enabled_languages"] == ["de", "fr"]
    assert set_configuration(admin, enable=["en"], disable=["fr"]).status == 200
    assert emu.state()["enabled_languages"] == ["en", "de"]
    assert emu.requests()[-1]["language_lists"] == {
        "listTrue": [{"type": "string", "value": "en"}],
        "listFalse": [{"type": "string", "value": "fr"}],
    }


def test_enable_and_disable_languages_by_id(spec_admin, spec_emu):
    assert set_configuration(spec_admin, enable=[DE, FR], disable=[EN]).status == 200
    assert sorted(name for name, r in spec_languages(spec_admin).items() if r[3]) == ["de", "fr"]
    assert spec_emu.state()["enabled_languages"] == ["de", "fr"]
    assert set_configuration(spec_admin, enable=[EN], disable=[FR]).status == 200
    assert spec_emu.state()["enabled_languages"] == ["en", "de"]


def test_unknown_language_is_fault(admin, spec_admin):
    server_fault(set_configuration(admin, enable=["xx"]), "System.ArgumentException")
    server_fault(set_configuration(admin, enable=["EN"]), "System.ArgumentException")  # codes are lowercase
    server_fault(
        set_configuration(spec_admin, enable=[4242]),
        "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
    )


@pytest.mark.parametrize(
    "layout, item",
    [
        ("live", '<anyType xsi:type="xsd:int">1031</anyType>'),
        ("live", '<anyType xsi:nil="true" />'),
        ("live", "<anyType>de</anyType>"),
        ("spec", '<anyType xsi:type="xsd:string">de</anyType>'),
        ("spec", '<anyType xsi:nil="true" />'),
    ],
)
def test_language_items_must_have_the_layouts_type(admin, spec_admin, emu, spec_emu, layout, item):
    client, server = (admin, emu) if layout == "live" else (spec_admin, spec_emu)
    before = server.state()
    fault = server_fault(set_configuration(client, extra="<listTrue>%s</listTrue>" % item), "System.ArgumentException")
    assert ("xsd:string" if layout == "live" else "xsd:int") in fault["message"]
    assert server.state()["enabled_languages"] == before["enabled_languages"] == ["en"]
    logged = server.requests()[-1]["language_lists"]["listTrue"]
    assert (logged == [None]) == ("nil" in item)


def test_all_languages_reports_every_language_enabled(admin, spec_admin):
    assert set_configuration(admin, {"ServerSupportsAllLanguages": True}).status == 200
    assert all(r[1] for r in language_rows(admin))
    assert set_configuration(spec_admin, {"ServerSupportsAllLanguages": True}).status == 200
    assert all(r[3] for r in language_rows(spec_admin))


def test_uss_lists_are_stored(admin, emu, spec_admin, spec_emu):
    extra = (
        '<listTrue /><listFalse /><ussListTrue><anyType xsi:type="xsd:string">de</anyType></ussListTrue>'
        "<ussListFalse />"
    )
    assert set_configuration(admin, {"UssSupportsAllLanguages": False}, extra=extra).status == 200
    assert emu.state()["uss_enabled_language_ids"] == [DE]
    assert [r[0] for r in language_rows(admin) if r[2]] == ["de"], "UssEnabled is the third column"
    extra = (
        '<listTrue /><listFalse /><ussListTrue><anyType xsi:type="xsd:int">1031</anyType></ussListTrue><ussListFalse />'
    )
    assert set_configuration(spec_admin, extra=extra).status == 200
    assert spec_emu.state()["uss_enabled_language_ids"] == [DE]


def test_program_keys_are_stored(admin, emu):
    extra = (
        "<listTrue /><listFalse /><ussListTrue /><ussListFalse /><programKeys><ProgramKey>"
        "<Key>22222222-2222-2222-2222-222222222222</Key><Description>k</Description></ProgramKey></programKeys>"
    )
    assert set_configuration(admin, extra=extra).status == 200
    assert emu.state()["program_keys"] == [{"Key": "22222222-2222-2222-2222-222222222222", "Description": "k"}]


# ------------------------------------------------------------------------------------------------ proxy password


def password_xml(text):
    return "<passwordBytes>%s</passwordBytes>" % base64.b64encode(text.encode("utf-16-le")).decode()


def test_proxy_password(admin, emu):
    assert scalar(admin, "HasProxyPassword") == "false"
    admin.ok("SetProxyPassword", password_xml("S3cr3t-Prox¥"))
    assert scalar(admin, "HasProxyPassword") == "true"
    state = emu.state()
    assert state["proxy_password_set"] is True
    assert state["proxy_password_sha256"] == hashlib.sha256("S3cr3t-Prox¥".encode()).hexdigest()
    everything = json.dumps(state) + json.dumps(emu.requests())
    assert "S3cr3t" not in everything
    admin.ok("SetProxyPassword", "<passwordBytes />")
    assert scalar(admin, "HasProxyPassword") == "false"
    admin.ok("SetProxyPassword", password_xml("again"))
    admin.ok("SetProxyPassword", "")
    assert emu.state()["proxy_password_set"] is False


def test_proxy_password_odd_bytes(admin):
    server_fault(
        admin.call("SetProxyPassword", "<passwordBytes>%s</passwordBytes>" % base64.b64encode(b"abc").decode()),
        "System.ArgumentException",
    )


def test_proxy_password_too_long(admin):
    server_fault(admin.call("SetProxyPassword", password_xml("x" * 256)), "System.ArgumentOutOfRangeException")


# ------------------------------------------------------------------------------------------------ subscription


def test_default_subscription(admin, emu):
    values = subscription(admin)
    assert list(values) == [
        "synchronizeAutomaticallyTimeOfDay",
        "LastModifiedBy",
        "LastModifiedTime",
        "LastSynchronizationTime",
        "SynchronizeAutomatically",
        "NumberOfSynchronizationsPerDay",
        "IsCategoryOnly",
    ]
    assert values["SynchronizeAutomatically"] == "false"
    assert values["synchronizeAutomaticallyTimeOfDay"] == "0"
    assert values["NumberOfSynchronizationsPerDay"] == "1"
    assert values["LastSynchronizationTime"] == "0001-01-01T00:00:00"
    state = emu.state()
    assert state["categories"] == []
    assert sorted(state["classifications"]) == sorted([CRITICAL, SECURITY])
    assert scalar(admin, "GetSubscriptionNextSynchronizationTime") == "0001-01-01T00:00:00"


def test_set_subscription_replaces_both_lists(admin, emu):
    admin.ok("SetSubscription", subscription_xml(categories=[SERVER_2022], classifications=[DRIVERS]))
    state = emu.state()
    assert state["categories"] == [SERVER_2022]
    assert state["classifications"] == [DRIVERS]
    admin.ok("SetSubscription", subscription_xml(categories=[SERVER_2019, SERVER_2019], classifications=[UPDATES]))
    state = emu.state()
    assert state["categories"] == [SERVER_2019]
    assert state["classifications"] == [UPDATES]
    # an empty list empties, an absent list empties too
    admin.ok("SetSubscription", subscription_xml(categories=[], with_classifications=False))
    state = emu.state()
    assert state["categories"] == [] and state["classifications"] == []


def test_set_subscription_schedule(admin, emu):
    admin.ok(
        "SetSubscription",
        subscription_xml(synchronize_automatically=True, time_of_day=3 * 3600, per_day=4, user="WSUS\\someone"),
    )
    values = subscription(admin)
    assert values["SynchronizeAutomatically"] == "true"
    assert values["synchronizeAutomaticallyTimeOfDay"] == "10800"
    assert values["NumberOfSynchronizationsPerDay"] == "4"
    assert values["LastModifiedBy"] == "WSUS\\someone"
    assert values["LastModifiedTime"] != "2024-01-01T00:00:00"  # server time, not the sent one
    assert values["LastSynchronizationTime"] == "0001-01-01T00:00:00"  # not taken from the request


def test_next_synchronization_time(admin):
    now = dt.datetime.utcnow()
    first = (now.hour * 3600 + now.minute * 60 + 7200) % 86400  # two hours from now
    admin.ok("SetSubscription", subscription_xml(synchronize_automatically=True, time_of_day=first, per_day=4))
    value = dt.datetime.strptime(scalar(admin, "GetSubscriptionNextSynchronizationTime")[:19], "%Y-%m-%dT%H:%M:%S")
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    slots = sorted(
        midnight + dt.timedelta(days=day, seconds=(first + k * 21600) % 86400) for day in (0, 1) for k in range(4)
    )
    assert value == min(slot for slot in slots if slot > now)
    assert value - now <= dt.timedelta(hours=6)


def test_set_subscription_unknown_ids(admin):
    server_fault(
        admin.call("SetSubscription", subscription_xml(categories=["12345678-1234-1234-1234-123456789012"])),
        "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
    )
    server_fault(
        admin.call("SetSubscription", subscription_xml(categories=[SECURITY])),
        "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
    )
    server_fault(
        admin.call("SetSubscription", subscription_xml(classifications=[SERVER_2022])),
        "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
    )


def test_set_subscription_ranges(admin):
    server_fault(admin.call("SetSubscription", subscription_xml(per_day=25)), "System.ArgumentOutOfRangeException")
    server_fault(
        admin.call("SetSubscription", subscription_xml(time_of_day=86400)), "System.ArgumentOutOfRangeException"
    )


def test_set_subscription_requires_subscription_and_user(admin):
    server_fault(admin.call("SetSubscription", "<userName>WSUS\\admin</userName>"), "System.ArgumentNullException")
    inner = subscription_xml().replace("<userName>WSUS\\admin</userName>", "")
    server_fault(admin.call("SetSubscription", inner), "System.ArgumentNullException")


def test_effective_products(admin, emu):
    admin.ok(
        "SetSubscription",
        subscription_xml(categories=[CONTOSO_OS, SERVER_2019, FABRIKAM_TOOL], classifications=[SECURITY]),
    )
    state = emu.state()
    assert state["categories"] == [CONTOSO_OS, SERVER_2019, FABRIKAM_TOOL]
    assert state["effective_products"] == [SERVER_2019, SERVER_2022, FABRIKAM_TOOL]
    admin.ok("SetSubscription", subscription_xml(categories=[CONTOSO], classifications=[SECURITY]))
    assert emu.state()["effective_products"] == [SERVER_2019, SERVER_2022, OFFICE_2016]


def test_replica_keeps_schedule_ignores_lists(admin, emu):
    assert (
        set_configuration(
            admin, {"SyncToMU": False, "UpstreamServerName": "upstream.example", "ReplicaMode": True}
        ).status
        == 200
    )
    admin.ok("SetSubscription", subscription_xml(per_day=6, categories=[SERVER_2022], classifications=[DRIVERS]))
    state = emu.state()
    assert state["subscription"]["NumberOfSynchronizationsPerDay"] == 6
    assert state["categories"] == []
    assert sorted(state["classifications"]) == sorted([CRITICAL, SECURITY])


def test_set_subscription_frequency(admin, emu):
    admin.ok("SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>24</numberOfSynchronizationsPerDay>")
    assert subscription(admin)["NumberOfSynchronizationsPerDay"] == "24"
    assert subscription(admin)["LastModifiedBy"] == "WSUS\\admin"
    for bad in (0, 25, -1):
        server_fault(
            admin.call(
                "SetSubscriptionFrequency", "<numberOfSynchronizationsPerDay>%d</numberOfSynchronizationsPerDay>" % bad
            ),
            "System.ArgumentOutOfRangeException",
        )


def test_get_subscription_categories(admin):
    admin.ok("SetSubscription", subscription_xml(categories=[SERVER_2022, OFFICE], classifications=[SECURITY]))
    products = categories(
        admin,
        "GetSubscriptionCategories",
        "<preferredCulture>de</preferredCulture><retrieveUpdateClassifications>false</retrieveUpdateClassifications>",
    )
    assert [(r[1][1], r[2], r[7]) for r in products] == [
        (SERVER_2022, "Product", "Contoso Server 2022 (de)"),
        (OFFICE, "ProductFamily", "Contoso Office"),
    ]
    classes = categories(
        admin, "GetSubscriptionCategories", "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>"
    )
    assert [(r[1][1], r[7]) for r in classes] == [(SECURITY, "Security Updates")]


# ------------------------------------------------------------------------------------------------ catalog

ALL_DATES = "<fromSyncDate>%s</fromSyncDate><toSyncDate>%s</toSyncDate>" % (MIN_DATE, MAX_DATE)


def test_get_categories_rows(admin):
    found = categories(
        admin,
        "ExecuteSPGetCategories",
        "<preferredCulture>en</preferredCulture>"
        "<retrieveUpdateClassifications>false</retrieveUpdateClassifications>" + ALL_DATES,
    )
    assert len(found) == 8
    first = found[0]
    assert len(first) == 12
    assert isinstance(first[0], int)
    assert first[1] == ("guid", CONTOSO)
    assert first[2] == "Company"
    assert first[3] is False and first[4] is True
    assert isinstance(first[5], int)
    assert first[6] is None and first[9] is None
    assert first[7] == "Contoso"
    assert first[10][0] == "dateTime" and first[11] == 0
    assert {r[2] for r in found} == {"Company", "ProductFamily", "Product"}


def test_get_classifications(admin):
    found = categories(
        admin,
        "ExecuteSPGetCategories",
        "<preferredCulture>de</preferredCulture>"
        "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>" + ALL_DATES,
    )
    assert [r[7] for r in found] == [
        "Sicherheitsupdates",
        "Kritische Updates",
        "Definition Updates",
        "Drivers",
        "Updates",
    ]
    assert all(r[2] == "UpdateClassification" and r[3] is True and r[4] is False for r in found)
    assert len({r[0] for r in found}) == 5


def test_get_categories_date_filter(admin):
    future = "<fromSyncDate>9000-01-01T00:00:00</fromSyncDate><toSyncDate>%s</toSyncDate>" % MAX_DATE
    assert (
        categories(
            admin,
            "ExecuteSPGetCategories",
            "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>" + future,
        )
        == []
    )


def test_guid_prefixes_are_declared_per_item(admin):
    text = admin.ok(
        "ExecuteSPGetCategories", "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>" + ALL_DATES
    ).text
    assert 'xmlns:q1="http://microsoft.com/wsdl/types/" xsi:type="q1:guid"' in text
    assert 'xsi:type="q2:guid"' in text
    assert '<anyType xsi:nil="true" />' in text


def test_tree_operations(admin):
    top = categories(admin, "ExecuteSPGetTopLevelCategories", "<preferredCulture>en</preferredCulture>")
    assert [r[7] for r in top] == ["Contoso", "Fabrikam"]
    subs = categories(
        admin,
        "ExecuteSPGetSubcategories",
        "<preferredCulture>de</preferredCulture><categoryId>%s</categoryId>" % CONTOSO.upper(),
    )
    assert [r[7] for r in subs] == ["Contoso Betriebssystem", "Contoso Office"]
    assert (
        categories(admin, "ExecuteSPGetSubcategories", "<categoryId>12345678-1234-1234-1234-123456789012</categoryId>")
        == []
    )
    one = row(
        admin.ok(
            "ExecuteSPGetCategoryById",
            "<preferredCulture>en</preferredCulture>"
            "<retrieveUpdateClassification>false</retrieveUpdateClassification><id>%s</id>" % SERVER_2022,
        ).result("ExecuteSPGetCategoryById")
    )
    assert one[1] == ("guid", SERVER_2022) and one[7] == "Contoso Server 2022"
    cls = row(
        admin.ok(
            "ExecuteSPGetCategoryById",
            "<retrieveUpdateClassification>true</retrieveUpdateClassification><id>%s</id>" % DRIVERS,
        ).result("ExecuteSPGetCategoryById")
    )
    assert cls[7] == "Drivers"
    server_fault(
        admin.call(
            "ExecuteSPGetCategoryById",
            "<retrieveUpdateClassification>true</retrieveUpdateClassification><id>%s</id>" % SERVER_2022,
        ),
        "Microsoft.UpdateServices.Administration.WsusObjectNotFoundException",
    )


@pytest.mark.parametrize(
    "culture,title",
    [
        ("de", "Contoso Server 2022 (de)"),
        ("de-DE", "Contoso Server 2022 (de)"),
        ("fr", "Contoso Server 2022"),
        (None, "Contoso Server 2022"),
    ],
)
def test_title_culture_fallback(admin, culture, title):
    inner = (
        "<preferredCulture>%s</preferredCulture>" % culture if culture else ""
    ) + "<retrieveUpdateClassification>false</retrieveUpdateClassification><id>%s</id>" % SERVER_2022
    assert row(admin.ok("ExecuteSPGetCategoryById", inner).result("ExecuteSPGetCategoryById"))[7] == title


def test_search_event_history_without_filter(admin):
    server_fault(admin.call("ExecuteSPSearchEventHistory", ""), "System.ArgumentNullException")


# ------------------------------------------------------------------------------------------------ console reads
# What a console calls when it opens a server, answered as an empty, healthy server would.
ALL_COMPUTERS = '&lt;ComputerTargetScope IncludeDownstreamComputerTargets="false" /&gt;'
ALL_UPDATES = '&lt;UpdateScope ApprovedStates="-1" /&gt;'
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@pytest.mark.parametrize("inner", ["", "<computerTargetScopeXml>%s</computerTargetScopeXml>" % ALL_COMPUTERS])
def test_computer_count_is_zero(admin, inner):
    assert scalar(admin, "ExecuteSPGetComputerCount", inner) == "0"


def test_update_count_is_zero(admin):
    inner = (
        "<updateScopeXml>%s</updateScopeXml><preferredCulture>en</preferredCulture>"
        "<publicationState>2147483647</publicationState>" % ALL_UPDATES
    )
    assert scalar(admin, "ExecuteSPGetUpdateCount", inner) == "0"
    assert scalar(admin, "ExecuteSPGetUpdateCount", "<publicationState>0</publicationState>") == "0"


def test_update_count_needs_publication_state(admin):
    response = admin.call("ExecuteSPGetUpdateCount", "<updateScopeXml>%s</updateScopeXml>" % ALL_UPDATES)
    assert response.status == 500 and response.fault["code"] == "soap:Client"
    assert "publicationState" in response.fault["string"]


def test_database_configuration_is_a_wid_install(admin):
    response = admin.ok("GetDatabaseConfiguration").response_element("GetDatabaseConfiguration")
    assert children(response) == [
        ("serverName", "MICROSOFT##WID"),
        ("databaseName", "SUSDB"),
        ("wmsdeInstanceName", "MICROSOFT##WID"),
    ]  # no ...Result wrapper


def test_content_download_progress_is_idle(admin):
    result = admin.ok("ExecuteSPGetContentDownloadProgress").result("ExecuteSPGetContentDownloadProgress")
    values = result.findall("{%s}Values/{%s}anyType" % (TNS, TNS))
    assert [(item.get(XSI_TYPE), item.text) for item in values] == [("xsd:long", "0"), ("xsd:long", "0")]


def test_no_component_has_errors(admin):
    result = admin.ok("ExecuteSPGetComponentsWithErrors").result("ExecuteSPGetComponentsWithErrors")
    assert result is not None and list(result) == []


@pytest.mark.parametrize(
    "operation,inner",
    [
        ("ExecuteSPGetComputerCount", ""),
        ("ExecuteSPGetUpdateCount", "<publicationState>0</publicationState>"),
        ("GetDatabaseConfiguration", ""),
        ("ExecuteSPGetContentDownloadProgress", ""),
        ("ExecuteSPGetComponentsWithErrors", ""),
        ("ExecuteSPGetFailedToDownloadUpdatesCount", ""),
    ],
)
def test_console_reads_are_open_to_reporters(reporter, operation, inner):
    assert reporter.call(operation, inner).status == 200
