"""Control API rules then_set_configuration / then_set_subscription: another administrator saves right after a
request (and before its answer is sent), so that lost-update races are deterministic in tests."""

from __future__ import annotations

import pytest

from wsusclient import get_configuration, set_configuration, subscription, subscription_xml

SECURITY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"
CRITICAL = "e6cf1350-c01b-414d-a61f-263d14d133b4"
SERVER_2022 = "aaaaaaaa-0000-4000-8000-000000000012"
OTHER = "WSUS\\another-admin"


def number(fields):
    return int(dict(fields)["configurationChangeNumber"])


def test_configuration_saved_by_another_administrator_right_after_a_read(emu, admin):
    before = number(get_configuration(admin))
    emu.faults(
        [{"operation": "ExecuteSPGetConfiguration", "then_set_configuration": {"MaxSimultaneousFileDownloads": 7}}]
    )
    read = get_configuration(admin)
    # the read was answered before the other save: it shows the old row
    assert number(read) == before and dict(read)["MaxSimultaneousFileDownloads"] == "4"
    state = emu.state()
    assert state["configuration"]["MaxSimultaneousFileDownloads"] == 7
    assert state["configuration_change_number"] == before + 1, "a real save: the change number goes up"
    assert emu.requests() == [
        {"operation": "ExecuteSPGetConfiguration", "user": "WSUS\\admin", "http_status": 200},
        {"operation": "ExecuteSPGetConfiguration", "user": "WSUS\\admin", "http_status": 200},
        {"operation": "ExecuteSPSetConfiguration", "user": OTHER, "http_status": 200, "injected": True},
    ]
    # a write based on that read, with detectConfigChange, is refused; without it, it reverts the other save
    response = set_configuration(
        admin, {"detectConfigChange": True, "UseProxy": True, "ProxyName": "p.corp"}, fields=read
    )
    assert response.status == 500 and response.fault["type"] == "System.InvalidOperationException"
    assert emu.state()["configuration"]["MaxSimultaneousFileDownloads"] == 7
    fresh = get_configuration(admin)
    assert (
        set_configuration(
            admin, {"detectConfigChange": True, "UseProxy": True, "ProxyName": "p.corp"}, fields=fresh
        ).status
        == 200
    )
    configuration = emu.state()["configuration"]
    assert configuration["MaxSimultaneousFileDownloads"] == 7 and configuration["ProxyName"] == "p.corp"


def test_the_rule_fires_once_per_count_and_only_on_its_operation(emu, admin):
    emu.faults([{"operation": "GetSubscription", "count": 2, "then_set_configuration": {"ServerPortNumber": 8531}}])
    get_configuration(admin)
    start = emu.state()["configuration_change_number"]
    for dummy in range(3):
        subscription(admin)
    assert emu.state()["configuration_change_number"] == start + 2
    assert [entry.get("injected", False) for entry in emu.requests()] == [False, False, True, False, True, False]
    assert emu.control("GET", "faults") == {"rules": []}


def test_subscription_saved_by_another_administrator(emu, admin):
    admin.ok("SetSubscription", subscription_xml(per_day=2, categories=[SERVER_2022], classifications=[SECURITY]))
    emu.faults(
        [
            {
                "operation": "GetSubscriptionCategories",
                "then_set_subscription": {
                    "categories": [],
                    "classifications": [CRITICAL, SECURITY],
                    "NumberOfSynchronizationsPerDay": 6,
                },
            }
        ]
    )
    admin.ok(
        "GetSubscriptionCategories",
        "<preferredCulture>en</preferredCulture><retrieveUpdateClassifications>false</retrieveUpdateClassifications>",
    )
    state = emu.state()
    assert state["categories"] == [] and state["classifications"] == [CRITICAL, SECURITY]
    row = subscription(admin)
    assert row["NumberOfSynchronizationsPerDay"] == "6" and row["LastModifiedBy"] == OTHER
    assert row["SynchronizeAutomatically"] == "false", "what the rule does not name stays as it was"
    assert emu.requests()[-2] == {"operation": "SetSubscription", "user": OTHER, "http_status": 200, "injected": True}


def test_a_save_wsus_would_refuse_changes_nothing_and_is_logged_500(emu, admin):
    before = emu.state()
    emu.faults([{"operation": "GetServerVersion", "then_set_configuration": {"UseProxy": True}}])  # no ProxyName
    admin.ok("GetServerVersion")
    after = emu.state()
    assert after["configuration"] == before["configuration"]
    assert emu.requests()[-1] == {
        "operation": "ExecuteSPSetConfiguration",
        "user": OTHER,
        "http_status": 500,
        "injected": True,
    }


def test_a_save_during_a_synchronization_is_refused(emu, admin):
    emu.control("POST", "settings", {"sync_seconds": 60})  # restored by the next reset
    admin.ok("StartSubscriptionManually")
    emu.faults([{"operation": "GetSubscription", "then_set_subscription": {"NumberOfSynchronizationsPerDay": 9}}])
    subscription(admin)
    assert emu.state()["subscription"]["NumberOfSynchronizationsPerDay"] == 1
    assert emu.requests()[-1]["http_status"] == 500


@pytest.mark.parametrize(
    "bad",
    [
        [{"then_set_configuration": {}}],
        [{"then_set_configuration": ["MaxSimultaneousFileDownloads"]}],
        [{"then_set_configuration": {"NoSuchField": 1}}],
        [{"then_set_configuration": {"MaxSimultaneousFileDownloads": "7"}}],
        [{"then_set_configuration": {"UseProxy": 1}}],
        [{"then_set_configuration": {"configurationChangeNumber": 99}}],
        [{"then_set_configuration": {"detectConfigChange": True}}],
        [{"then_set_configuration": {"LastConfigChange": "2026-01-01T00:00:00"}}],
        [{"then_set_configuration": {"UseProxy": True}, "http_status": 503}],
        [{"then_set_subscription": {"categories": ["00000000-0000-0000-0000-000000000001"]}}],
        [{"then_set_subscription": {"classifications": SECURITY}}],
        [{"then_set_subscription": {"NumberOfSynchronizationsPerDay": True}}],
        [{"then_set_subscription": {"LastModifiedBy": "someone"}}],
    ],
    ids=lambda bad: str(bad[0])[:60],
)
def test_invalid_other_writer_rules_are_400(emu, bad):
    assert "error" in emu.control("POST", "faults", bad, expect=400)
    assert emu.control("GET", "faults") == {"rules": []}, "nothing of an invalid request is kept"


def test_rules_are_listed_and_reset(emu):
    emu.faults([{"operation": "GetSubscription", "then_set_subscription": {"categories": [SERVER_2022]}}])
    assert emu.control("GET", "faults")["rules"] == [
        {"operation": "GetSubscription", "count": 1, "then_set_subscription": {"categories": [SERVER_2022]}}
    ]
    emu.reset()
    assert emu.control("GET", "faults") == {"rules": []}
