"""The planner as pure functions: server rows + declared document -> writes, diff, changes."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state import plan as planner
from ansible_collections.ops.wsus.plugins.module_utils._state.document import normalize
from ansible_collections.ops.wsus.plugins.module_utils._state.read import read_document
from ansible_collections.ops.wsus.plugins.module_utils._state.secrets import MASK

from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import Language

from state_fixtures import (
    CLASSIFICATIONS,
    CRITICAL,
    DRIVERS,
    LANGUAGES,
    LIVE_LANGUAGES,
    PRODUCTS,
    SECURITY,
    WIN10,
    WS2022,
    config_row,
    subscription_row,
)

NOW = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.timezone.utc)


def configure(document, config=None, languages=LANGUAGES, has_password=False):
    return planner.plan_configuration(normalize(document), config or config_row(), languages, has_password)


def test_nothing_declared_plans_nothing():
    plan = configure({})
    assert not plan.changed and plan.changes == [] and plan.diff() == {"before": {}, "after": {}}


def test_upstream_source_sets_fields_with_default_port_and_leaves_the_rest():
    config = config_row()
    plan = configure({"update_source": {"type": "upstream", "server": "wsus-up.corp", "ssl": True}}, config)
    row = plan.config_row
    assert row.get_bool("SyncToMU") is False and row.get_str("UpstreamServerName") == "wsus-up.corp"
    assert row.get_bool("UpstreamServerUseSsl") is True and row.get_int("ServerPortNumber") == 8530
    assert sorted(row.changed_fields) == ["SyncToMU", "UpstreamServerName", "UpstreamServerUseSsl"]
    assert config.get_bool("SyncToMU") is True, "the server's row must not be modified"
    assert plan.changes == [
        "update_source.type: microsoft_update -> upstream",
        'update_source.server: "" -> wsus-up.corp',
        "update_source.ssl: False -> True",
    ]


def test_same_values_are_no_change_and_host_names_compare_caselessly():
    config = config_row(SyncToMU=False, UpstreamServerName="WSUS-UP.corp")
    plan = configure({"update_source": {"type": "upstream", "server": "wsus-up.CORP", "port": 8530}}, config)
    assert not plan.changed


def test_switching_to_microsoft_update_turns_replica_off():
    config = config_row(SyncToMU=False, UpstreamServerName="up", ReplicaMode=True)
    plan = configure({"update_source": {"type": "microsoft_update"}}, config)
    assert plan.config_row.get_bool("ReplicaMode") is False and plan.config_row.get_bool("SyncToMU") is True


def test_proxy_with_credentials_and_separate_ssl_proxy():
    plan = configure(
        {
            "proxy": {
                "enabled": True,
                "server": "proxy.corp",
                "ssl_server": "sslproxy.corp",
                "username": "svc",
                "domain": "CORP",
                "password": "S3cr3t!",
                "allow_basic_auth": False,
            }
        }
    )
    row = plan.config_row
    assert row.get_bool("UseProxy") and row.get_str("ProxyName") == "proxy.corp"
    assert row.get_int("ProxyServerPort") == 80 and row.get_int("SslProxyServerPort") == 443
    assert row.get_bool("UseSeparateProxyForSsl") and row.get_str("SslProxyName") == "sslproxy.corp"
    assert row.get_bool("AnonymousProxyAccess") is False and row.get_str("ProxyUserName") == "svc"
    assert plan.set_proxy_password and plan.proxy_password == "S3cr3t!"
    assert "S3cr3t!" not in repr(plan.changes) + repr(plan.diff()) + repr(plan.warnings)
    assert plan.diff()["after"]["proxy"]["password"] == MASK and plan.diff()["before"]["proxy"]["password"] is None


def test_password_on_create_is_not_resent_when_the_server_has_one():
    config = config_row(UseProxy=True, ProxyName="p", AnonymousProxyAccess=False, ProxyUserName="svc")
    plan = configure({"proxy": {"username": "svc", "password": "x"}}, config, has_password=True)
    assert not plan.changed and plan.diff()["before"]["proxy"]["password"] == MASK


def test_password_on_create_is_sent_when_the_user_name_changes():
    config = config_row(UseProxy=True, ProxyName="p", AnonymousProxyAccess=False, ProxyUserName="old")
    plan = configure({"proxy": {"username": "new", "password": "x"}}, config, has_password=True)
    assert plan.set_proxy_password and "proxy.password: set (the user name changes)" in plan.changes


def test_password_always_is_always_sent():
    config = config_row(UseProxy=True, ProxyName="p", AnonymousProxyAccess=False, ProxyUserName="svc")
    plan = configure(
        {"proxy": {"username": "svc", "password": "x", "update_password": "always"}}, config, has_password=True
    )
    assert plan.changed and plan.set_proxy_password and not plan.configuration_changed


def test_save_rules_are_checked_before_any_write():
    with pytest.raises(planner.PlanError, match="proxy.server: an enabled proxy needs a server name"):
        configure({"proxy": {"enabled": True}})
    with pytest.raises(planner.PlanError, match="update_source.server"):
        configure({"update_source": {"type": "upstream"}})
    with pytest.raises(
        planner.PlanError, match="storage.local: update files hosted on Microsoft Update need languages: all"
    ):
        configure({"storage": {"local": False}})


def test_storage_and_languages_all():
    plan = configure({"storage": {"local": False, "express_files": True}, "languages": "all"})
    row = plan.config_row
    assert row.get_bool("HostOnMu") and row.get_bool("DownloadExpressPackages")
    assert row.get_bool("ServerSupportsAllLanguages")
    assert "languages: en -> all" in plan.changes


def test_language_list_enables_and_disables_by_id():
    plan = configure({"languages": ["de", "pt-br"]})
    assert plan.changed and plan.configuration_changed, "a languages-only change must be written"
    assert plan.enable_languages == [7, 1046] and plan.disable_languages == [9]
    assert plan.changes == ["languages: +de, +pt-br, -en"]
    assert plan.before["languages"] == ["en"] and plan.after["languages"] == ["de", "pt-br"]


def test_language_list_already_enabled_is_no_change_and_unknown_code_is_an_error():
    assert not configure({"languages": ["EN"]}).changed
    with pytest.raises(planner.PlanError, match="languages: the server does not offer xx"):
        configure({"languages": ["en", "xx"]})


def test_from_all_languages_to_a_list_sends_the_whole_list():
    plan = configure({"languages": ["en", "de"]}, config_row(ServerSupportsAllLanguages=True))
    assert plan.enable_languages == [7, 9] or sorted(plan.enable_languages) == [7, 9]
    assert sorted(plan.disable_languages) == [12, 1046]
    assert plan.config_row.get_bool("ServerSupportsAllLanguages") is False


def test_live_layout_lists_carry_short_codes():
    plan = configure({"languages": ["de", "pt-br"]}, languages=LIVE_LANGUAGES)
    assert plan.enable_languages == ["de", "pt-br"] and plan.disable_languages == ["en"]
    assert plan.changes == ["languages: +de, +pt-br, -en"]
    plan = configure({"languages": ["en", "de"]}, config_row(ServerSupportsAllLanguages=True), LIVE_LANGUAGES)
    assert sorted(plan.enable_languages) == ["de", "en"] and plan.disable_languages == ["fr", "pt-br"]
    assert not configure({"languages": ["en"]}, languages=LIVE_LANGUAGES).changed


@pytest.mark.parametrize(
    "languages",
    [
        [Language(None, "en", "en", True), Language(None, "de", "de", False)],  # no layout
        [Language(None, "en", "English", True, "spec"), Language(None, "de", "German", False, "spec")],  # no id
        [Language(9, "en", "English", True, "spec"), Language(7, "de", "German", False, "other")],
    ],
)
def test_unknown_layout_or_missing_id_refuses_to_plan_a_write(languages):
    with pytest.raises(planner.PlanError, match="no LanguageId or code .* for de; nothing was written"):
        configure({"languages": ["en", "de"]}, languages=languages)
    # nothing to send: no refusal
    assert not configure({"languages": ["en"]}, languages=languages).changed
    assert configure({"languages": "all"}, languages=languages).enable_languages == []


def test_language_key_per_layout():
    assert Language(9, "en", "English", True, "spec").key == 9
    assert Language(None, "pt-br", "pt-BR", True, "live", False).key == "pt-br"
    assert Language(9, "en", "English", True).key is None
    assert Language(True, "en", "English", True, "spec").key is None


def subscription(
    document,
    row=None,
    selected_products=(),
    selected_classifications=(CRITICAL.id, SECURITY.id),
    wanted_products=None,
    wanted_classifications=None,
):
    return planner.plan_subscription(
        normalize(document),
        row or subscription_row(),
        list(selected_products),
        list(selected_classifications),
        wanted_products,
        wanted_classifications,
        PRODUCTS,
        CLASSIFICATIONS,
        now=NOW,
    )


def test_schedule_converts_the_time_zone_and_keeps_unmanaged_fields():
    plan = subscription({"schedule": {"automatic": True, "time": "03:00", "timezone": "Europe/Berlin"}})
    row = plan.subscription_row
    assert row.get_int("synchronizeAutomaticallyTimeOfDay") == 2 * 3600
    assert row.get_bool("SynchronizeAutomatically") is True and row.get_str("Anchor") == "anchor-1"
    assert plan.changes == ["schedule.automatic: False -> True", "schedule.time: 01:00 -> 03:00 (Europe/Berlin)"]
    assert plan.category_ids is None and plan.classification_ids is None


def test_turning_automatic_sync_off_is_detected():
    plan = subscription({"schedule": {"automatic": False}}, subscription_row(SynchronizeAutomatically=True))
    assert plan.changed and plan.changes == ["schedule.automatic: True -> False"]


def test_schedule_without_automatic_warns_when_off():
    plan = subscription({"schedule": {"per_day": 4}})
    assert plan.changes == ["schedule.per_day: 1 -> 4"]
    assert plan.warnings and "no effect" in plan.warnings[0]


def test_products_set_difference_with_titles():
    plan = subscription({"products": ["x"]}, selected_products=[WIN10.id], wanted_products=[WS2022.id])
    assert plan.changes == ["products: +Windows Server 2022, -Windows 10"]
    assert plan.category_ids == [WS2022.id] and plan.classification_ids is None
    assert plan.diff() == {"before": {"products": ["Windows 10"]}, "after": {"products": ["Windows Server 2022"]}}


def test_same_products_and_classifications_are_no_change():
    plan = subscription(
        {"products": ["x"], "classifications": ["y"]},
        selected_products=[WS2022.id.upper()],
        wanted_products=[WS2022.id],
        wanted_classifications=[SECURITY.id, CRITICAL.id],
    )
    assert not plan.changed


def test_classifications_change_only():
    plan = subscription({"classifications": ["y"]}, wanted_classifications=[DRIVERS.id])
    assert plan.classification_ids == [DRIVERS.id] and plan.category_ids is None
    assert plan.changes == ["classifications: +Drivers, -Critical Updates, -Security Updates"]


def test_merge_and_read_back_round_trip():
    config = config_row(UseProxy=True, ProxyName="proxy", ProxyServerPort=8080, ServerSupportsAllLanguages=True)
    document = read_document(config=config, languages=LANGUAGES, subscription=subscription_row(), now=NOW)
    assert document["proxy"] == {"enabled": True, "server": "proxy", "port": 8080, "allow_basic_auth": False}
    assert document["languages"] == "all"
    again = planner.merge(configure(document, config), subscription({"schedule": document["schedule"]}))
    assert not again.changed
