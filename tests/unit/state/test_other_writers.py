"""Another writer (the console, a script, a second pipeline) saves while a sync_options task runs: nothing it
saved in a field the document does not declare is reverted, and what it changed in a declared one is written
on a fresh read and reported. Against ``fake_server.FakeServer``, whose ``after`` scripts that writer."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._writes import ApplyError
from ansible_collections.ops.wsus.plugins.module_utils._sync_options import (
    CONFIGURATION_ATTEMPTS,
    ensure_sync_options,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusConnectionError, WsusSoapFault

from fake_server import FakeServer
from state_fixtures import CRITICAL, DRIVERS, SECURITY, WIN10, WS2019, WS2022

PROXY = {"proxy": {"enabled": True, "server": "proxy.corp", "port": 3128}}
PRODUCTS = {"products": ["Windows 10"]}


def other_saves_configuration(**fields):
    return lambda server: server.save_configuration(**fields)


def other_saves_subscription(**fields):
    return lambda server: server.save_subscription(**fields)


def after_plan_reads(server, count):
    """The calls made after the first ``count`` ones."""
    return server.names()[count:]


# ----------------------------------------------------------------------------- configuration


def test_a_field_the_document_does_not_declare_keeps_the_other_writers_value():
    server = FakeServer()
    server.after("get_configuration", other_saves_configuration(MaxSimultaneousFileDownloads=7))
    changed, result = ensure_sync_options(server, PROXY)
    assert changed is True and result["applied"] == ["configuration"]
    assert server.config.get_int("MaxSimultaneousFileDownloads") == 7, "the other writer's value is kept"
    assert server.config.get_str("ProxyName") == "proxy.corp" and server.config.get_int("ProxyServerPort") == 3128
    # refused (stale change number), read again, planned again, written again
    assert server.names() == ["get_configuration", "set_configuration", "get_configuration", "set_configuration"]
    first, second = [call[1] for call in server.writes()]
    assert first.get_int("configurationChangeNumber") == 41 and second.get_int("configurationChangeNumber") == 42
    assert second.get_int("MaxSimultaneousFileDownloads") == 7
    [line] = result["conflicts"]
    assert line == (
        "configuration: WSUS refused the write because another writer saved the configuration after "
        "this task read it (configurationChangeNumber 41, now 42); read it again and planned again: "
        "writing it again (write 2 of at most 3)"
    )
    assert "differ" not in line and result["warnings"] == [], "the same changes as reported: not a warning"


def test_a_declared_field_another_writer_changed_is_planned_again_and_reported():
    server = FakeServer()
    server.after("get_configuration", other_saves_configuration(ProxyServerPort=8080, ProxyName="other.corp"))
    changed, result = ensure_sync_options(server, PROXY)
    assert server.config.get_int("ProxyServerPort") == 3128 and server.config.get_str("ProxyName") == "proxy.corp"
    # the result describes what was written, and says that it is not what the first read gave
    assert result["changes"] == [
        "proxy.enabled: False -> True",
        "proxy.server: other.corp -> proxy.corp",
        "proxy.port: 8080 -> 3128",
    ]
    assert result["diff"]["before"]["proxy"] == {"enabled": False, "server": "other.corp", "port": 8080}
    [line] = result["conflicts"]
    assert line.endswith(
        "writing it again (write 2 of at most 3); the changes now differ from what the first read gave (and check "
        'mode or the diff showed): [proxy.enabled: False -> True; proxy.server: "" -> proxy.corp; proxy.port: '
        "80 -> 3128], now [proxy.enabled: False -> True; proxy.server: other.corp -> proxy.corp; proxy.port: "
        "8080 -> 3128]"
    )
    assert result["warnings"] == [line]


def test_nothing_is_written_when_the_other_writer_already_saved_the_declared_values():
    server = FakeServer()
    server.after(
        "get_configuration", other_saves_configuration(UseProxy=True, ProxyName="proxy.corp", ProxyServerPort=3128)
    )
    changed, result = ensure_sync_options(server, PROXY)
    assert changed is False and result["applied"] == [] and result["changes"] == []
    assert [call[0] for call in server.writes()] == ["set_configuration"], "only the refused one"
    assert "nothing is left to write" in result["conflicts"][0]


def test_the_configuration_is_written_at_most_three_times_then_the_task_fails_clearly():
    server = FakeServer()
    server.after("get_configuration", other_saves_configuration(MaxSimultaneousFileDownloads=7), count=10)
    with pytest.raises(ApplyError) as caught:
        ensure_sync_options(server, dict(PROXY, schedule={"automatic": True}))
    message = str(caught.value)
    assert message.startswith(
        "WSUS refused the configuration write %d times because another writer saved the "
        "configuration each time after this task read it" % CONFIGURATION_ATTEMPTS
    )
    assert (
        "Applied: nothing. Not applied: configuration, subscription. Running the task again applies the rest."
        in message
    )
    assert caught.value.operation == "ExecuteSPSetConfiguration"
    assert [call[0] for call in server.writes()] == ["set_configuration"] * CONFIGURATION_ATTEMPTS


def test_a_fault_while_the_change_number_did_not_move_is_not_retried():
    fault = WsusSoapFault(
        "WSUS rejected ExecuteSPSetConfiguration: WsusInvalidDataException: no.", "ExecuteSPSetConfiguration"
    )
    server = FakeServer(fail={"set_configuration": fault})
    with pytest.raises(ApplyError, match="WsusInvalidDataException: no. Applied: nothing"):
        ensure_sync_options(server, PROXY)
    assert server.names() == ["get_configuration", "set_configuration", "get_configuration"]


def test_when_reading_again_after_a_fault_fails_the_fault_is_what_the_user_sees():
    server = FakeServer(
        fail={
            "set_configuration": WsusSoapFault(
                "WSUS rejected ExecuteSPSetConfiguration: X: y", "ExecuteSPSetConfiguration"
            )
        }
    )
    lost = WsusConnectionError("the connection was lost", "ExecuteSPGetConfiguration")

    def lose_reads(found):
        found.fail["get_configuration"] = lost

    server.after("get_configuration", lose_reads)
    with pytest.raises(ApplyError, match="^WSUS rejected ExecuteSPSetConfiguration: X: y. Applied: nothing"):
        ensure_sync_options(server, PROXY)


def test_the_proxy_password_is_planned_again_with_the_configuration():
    server = FakeServer()

    def other_sets_password(found):
        found.save_configuration(MaxSimultaneousFileDownloads=7)
        found.proxy_password = True

    server.after("has_proxy_password", other_sets_password)
    document = {"proxy": {"enabled": True, "server": "proxy.corp", "password": "S3cret-Pw"}}
    changed, result = ensure_sync_options(server, document)
    assert result["applied"] == ["configuration"], "the server has a password now: on_create sets none"
    assert "set_proxy_password" not in server.names()
    assert "proxy.password: set (the server has none)" in result["conflicts"][0] and result["warnings"]
    assert "S3cret-Pw" not in repr(result)


def test_languages_are_planned_again_on_what_the_other_writer_enabled():
    server = FakeServer()
    server.after(
        "get_languages",
        lambda found: (
            found.save_configuration(),
            found.languages.__setitem__(1, found.languages[1]._replace(enabled=True)),
        ),
    )
    changed, result = ensure_sync_options(server, {"languages": ["de", "en"]})
    # the first plan enabled de; the other writer did it meanwhile: nothing is left to write
    assert [call[2:] for call in server.writes()] == [(["de"], [])] and changed is False
    [line] = result["conflicts"]
    assert line.endswith(
        "read it again and planned again: nothing is left to write; the changes now differ from "
        "what the first read gave (and check mode or the diff showed): [languages: +de], now "
        "[no change]"
    )
    assert result["warnings"] == [line]


# ----------------------------------------------------------------------------- subscription


def test_a_subscription_field_the_document_does_not_declare_keeps_the_other_writers_value():
    server = FakeServer(products=(WS2022,))
    server.after(
        "get_subscription",
        other_saves_subscription(NumberOfSynchronizationsPerDay=5, classifications=[CRITICAL, DRIVERS]),
    )
    changed, result = ensure_sync_options(server, PRODUCTS)
    assert changed is True and result["applied"] == ["subscription"]
    assert server.subscription.get_int("NumberOfSynchronizationsPerDay") == 5
    assert [entry.id for entry in server.selected[True]] == [CRITICAL.id, DRIVERS.id]
    assert [entry.id for entry in server.selected[False]] == [WIN10.id]
    assert result["conflicts"] == [], "the declared change is the one first planned"


def test_a_declared_selection_changed_after_the_first_read_is_planned_again_and_reported():
    server = FakeServer(products=(WS2022,))
    server.after("get_subscription_categories", other_saves_subscription(products=[WS2022, WS2019]))
    changed, result = ensure_sync_options(server, PRODUCTS)
    assert [entry.id for entry in server.selected[False]] == [WIN10.id]
    assert result["changes"] == ["products: +Windows 10, -Windows Server 2019, -Windows Server 2022"]
    [line] = result["conflicts"]
    assert line == (
        "subscription: changed by another writer after this task read it; planned again on a read made "
        "right before SetSubscription: writing it; the changes now differ from what the first read gave "
        "(and check mode or the diff showed): [products: +Windows 10, -Windows Server 2022], now "
        "[products: +Windows 10, -Windows Server 2019, -Windows Server 2022]"
    )
    assert result["warnings"] == [line]


def test_a_declared_selection_changed_right_after_the_write_is_written_once_more():
    server = FakeServer(products=(WS2022,))
    server.after("set_subscription", other_saves_subscription(products=[WS2019], NumberOfSynchronizationsPerDay=6))
    changed, result = ensure_sync_options(server, PRODUCTS)
    assert [entry.id for entry in server.selected[False]] == [WIN10.id], "the declared products again"
    assert server.subscription.get_int("NumberOfSynchronizationsPerDay") == 6, "undeclared: the other writer's"
    assert [call[0] for call in server.writes()] == ["set_subscription", "set_subscription"]
    [line] = result["conflicts"]
    assert line == (
        "subscription: products read back different right after SetSubscription (another writer saved "
        "the subscription in between); written once more on a fresh read"
    )
    assert result["warnings"] == [line]
    assert result["changes"] == ["products: +Windows 10, -Windows Server 2022"], "what the task changed"


def test_a_writer_that_keeps_changing_it_is_left_alone_after_one_more_write_and_named():
    server = FakeServer(products=(WS2022,))
    server.after("set_subscription", other_saves_subscription(products=[WS2019]), count=5)
    changed, result = ensure_sync_options(server, dict(PRODUCTS, schedule={"automatic": True, "per_day": 4}))
    assert [call[0] for call in server.writes()] == ["set_subscription", "set_subscription"]
    [line] = result["conflicts"]
    assert line.endswith("and still different when read back again (products): left as the other writer saved it")
    assert result["warnings"] == [line] and result["applied"] == ["subscription"]


def test_nothing_is_written_when_the_other_writer_already_saved_the_declared_subscription():
    server = FakeServer(products=(WS2022,))
    server.after("get_subscription", other_saves_subscription(products=[WIN10]))
    changed, result = ensure_sync_options(server, PRODUCTS)
    assert changed is False and result["applied"] == [] and server.writes() == []
    assert "nothing is left to write" in result["conflicts"][0]


def test_a_read_back_that_fails_is_a_warning_not_a_failure():
    server = FakeServer(products=(WS2022,))

    def lose_reads(found):
        found.fail["get_subscription_categories"] = WsusConnectionError("lost", "GetSubscriptionCategories")

    server.after("set_subscription", lose_reads)
    changed, result = ensure_sync_options(server, PRODUCTS)
    assert changed is True and result["applied"] == ["subscription"]
    assert result["warnings"] == ["subscription: written, but reading it back to check it failed: lost"]


def test_a_document_that_no_longer_applies_to_what_the_other_writer_saved_fails_naming_what_was_applied():
    server = FakeServer()
    # the document turns the proxy on and names no server; the other writer removes the server's name
    server.after("get_configuration", other_saves_configuration(ProxyName=None, ProxyServerPort=8080))
    server.config.set("ProxyName", "old.corp")
    with pytest.raises(ApplyError) as caught:
        ensure_sync_options(server, {"proxy": {"enabled": True}})
    message = str(caught.value)
    assert message.startswith(
        "another writer changed the server while this task ran, and the document cannot be "
        "applied to what it saved: proxy.server:"
    )
    assert "Applied: nothing. Not applied: configuration." in message


def test_two_tasks_declaring_different_fields_both_end_applied():
    """Two pipelines interleaved read by read (A: proxy and products, B: storage and schedule): each applies on
    a fresh read and neither reverts the other."""
    server = FakeServer(products=(WS2022,))
    first_b = []

    def run_b(found):  # B runs entirely between A's reads and A's writes
        if not first_b:
            first_b.append(
                ensure_sync_options(
                    found, {"storage": {"express_files": True}, "schedule": {"automatic": True, "per_day": 3}}
                )
            )

    server.after("get_subscription", run_b)
    changed, result = ensure_sync_options(server, dict(PROXY, **PRODUCTS))
    assert changed and first_b[0][0]
    assert server.config.get_bool("UseProxy") and server.config.get_bool("DownloadExpressPackages") is True
    assert server.subscription.get_bool("SynchronizeAutomatically") is True
    assert server.subscription.get_int("NumberOfSynchronizationsPerDay") == 3
    assert [entry.id for entry in server.selected[False]] == [WIN10.id]
    assert result["conflicts"][0].startswith("configuration: WSUS refused the write")
    assert SECURITY not in server.selected[True]
