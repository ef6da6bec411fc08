"""apply_plan without a server: the write order, what a failure message says was and wasn't applied, and
SetSubscription re-sending the list the user did not change. A fake client records every call."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._sync_options import ApplyError, ServerReader, apply_plan
from ansible_collections.ops.wsus.plugins.module_utils._state.plan import Plan
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusConnectionError, WsusError, WsusPermissionError, WsusSoapFault, WsusTimeoutError)

from state_fixtures import CRITICAL, DRIVERS, SECURITY, WIN10, WS2019, WS2022, config_row, subscription_row

ALL_STEPS = ["configuration", "proxy password", "subscription"]
PROXY_PASSWORD = "Pr0xy-Apply-S3cret"


class FakeClient:
    """Records every call in order; ``fail`` maps a method name to the error it raises.

    Only the methods apply_plan may use exist: any other call fails with AttributeError.
    """

    def __init__(self, fail=None, selected_products=(WS2022, WS2019), selected_classifications=(CRITICAL,)):
        self.calls = []
        self.fail = dict(fail or {})
        self.selected = {False: list(selected_products), True: list(selected_classifications)}

    def _record(self, name, *args):
        self.calls.append((name,) + args)
        if name in self.fail:
            raise self.fail[name]

    def set_configuration(self, row, enable_languages=(), disable_languages=()):
        self._record("set_configuration", row, list(enable_languages), list(disable_languages))

    def set_proxy_password(self, password):
        self._record("set_proxy_password", password)

    def set_subscription(self, row, category_ids, classification_ids, user_name):
        self._record("set_subscription", row, list(category_ids), list(classification_ids), user_name)

    def get_subscription_categories(self, culture="en", classifications=False):
        self._record("get_subscription_categories", culture, classifications)
        return list(self.selected[classifications])

    def names(self):
        return [call[0] for call in self.calls]


def make_plan(configuration=True, password=True, subscription=True, category_ids=None, classification_ids=None):
    plan = Plan()
    if configuration:
        plan.config_row = config_row(UseProxy=True, ProxyName="proxy.corp")
        plan.enable_languages, plan.disable_languages = ["de"], ["fr"]
    if password:
        plan.set_proxy_password, plan.proxy_password = True, PROXY_PASSWORD
    if subscription:
        plan.subscription_row = subscription_row(SynchronizeAutomatically=True)
        plan.category_ids = category_ids
        plan.classification_ids = classification_ids
    return plan


def apply(client, plan, user_name="CORP\\ansible"):
    return apply_plan(client, ServerReader(client), plan, user_name)


def sync_running_fault(operation):
    return WsusSoapFault("WSUS rejected %s: InvalidOperationException: A synchronization is in progress" % operation,
                         operation, exception_type="System.InvalidOperationException",
                         exception_message="The operation cannot be performed while a synchronization is running.")


# ----------------------------------------------------------------------------- order


def test_writes_configuration_then_proxy_password_then_subscription():
    client = FakeClient()
    plan = make_plan(category_ids=[WIN10.id], classification_ids=[SECURITY.id, DRIVERS.id])
    assert apply(client, plan) == ALL_STEPS
    assert client.names() == ["set_configuration", "set_proxy_password", "set_subscription"]
    assert client.calls[0] == ("set_configuration", plan.config_row, ["de"], ["fr"])
    assert client.calls[1] == ("set_proxy_password", PROXY_PASSWORD)
    assert client.calls[2] == ("set_subscription", plan.subscription_row, [WIN10.id], [SECURITY.id, DRIVERS.id],
                               "CORP\\ansible")


@pytest.mark.parametrize("configuration, password, subscription, expected", [
    (True, False, False, ["configuration"]),
    (False, True, False, ["proxy password"]),
    (False, False, True, ["subscription"]),
    (False, True, True, ["proxy password", "subscription"]),
    (True, False, True, ["configuration", "subscription"]),
    (False, False, False, []),
])
def test_writes_only_what_the_plan_changes(configuration, password, subscription, expected):
    client = FakeClient()
    plan = make_plan(configuration, password, subscription, category_ids=[WIN10.id], classification_ids=[])
    assert apply(client, plan) == expected
    writes = {"configuration": "set_configuration", "proxy password": "set_proxy_password",
              "subscription": "set_subscription"}
    assert client.names() == [writes[step] for step in expected]


# ----------------------------------------------------------------------------- SetSubscription's lists


def test_set_subscription_resends_the_unchanged_classifications():
    client = FakeClient(selected_classifications=(CRITICAL, SECURITY))
    plan = make_plan(False, False, True, category_ids=[WIN10.id])
    apply(client, plan)
    assert client.calls == [("get_subscription_categories", "en", True),
                            ("set_subscription", plan.subscription_row, [WIN10.id], [CRITICAL.id, SECURITY.id],
                             "CORP\\ansible")]


def test_set_subscription_resends_the_unchanged_products():
    client = FakeClient(selected_products=(WS2022, WS2019))
    apply(client, make_plan(False, False, True, classification_ids=[DRIVERS.id]))
    assert client.calls[0] == ("get_subscription_categories", "en", False)
    assert client.calls[1][2:] == ([WS2022.id, WS2019.id], [DRIVERS.id], "CORP\\ansible")
    assert len(client.calls) == 2


def test_a_schedule_only_change_resends_both_lists_as_the_server_has_them():
    client = FakeClient(selected_products=(WIN10,), selected_classifications=(SECURITY, DRIVERS))
    plan = make_plan(False, False, True)
    apply(client, plan, user_name=None)
    assert client.calls[-1] == ("set_subscription", plan.subscription_row, [WIN10.id], [SECURITY.id, DRIVERS.id],
                                "ops.wsus")


def test_an_emptied_selection_is_sent_empty_not_resent():
    client = FakeClient()
    plan = make_plan(False, False, True, category_ids=[], classification_ids=[])
    apply(client, plan)
    assert client.calls == [("set_subscription", plan.subscription_row, [], [], "CORP\\ansible")]


def test_the_resent_list_is_read_once_when_the_reader_already_has_it():
    client = FakeClient()
    reader = ServerReader(client)
    reader.selected(True)  # the planner read it already
    apply_plan(client, reader, make_plan(False, False, True, category_ids=[WIN10.id]), "u")
    assert client.names().count("get_subscription_categories") == 1


# ----------------------------------------------------------------------------- failures


def test_a_failing_first_step_applies_nothing_and_stops():
    client = FakeClient(fail={"set_configuration": WsusSoapFault(
        "WSUS rejected ExecuteSPSetConfiguration: ArgumentException: bad port.", "ExecuteSPSetConfiguration")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    assert str(caught.value) == (
        "WSUS rejected ExecuteSPSetConfiguration: ArgumentException: bad port. Applied: nothing. "
        "Not applied: configuration, proxy password, subscription. Running the task again applies the rest.")
    assert caught.value.operation == "ExecuteSPSetConfiguration"
    assert client.names() == ["set_configuration"]


def test_a_failing_middle_step_names_what_was_applied_and_what_was_not():
    client = FakeClient(fail={"set_proxy_password": WsusSoapFault("WSUS rejected SetProxyPassword: boom",
                                                                  "SetProxyPassword")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    message = str(caught.value)
    assert "Applied: configuration. Not applied: proxy password, subscription." in message
    assert "Not known whether applied" not in message
    assert client.names() == ["set_configuration", "set_proxy_password"], "the subscription must not be written"


def test_a_failing_last_step_after_the_others():
    client = FakeClient(fail={"set_subscription": WsusSoapFault(
        "WSUS rejected SetSubscription: SqlException: Timeout expired", "SetSubscription")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    assert str(caught.value) == (
        "WSUS rejected SetSubscription: SqlException: Timeout expired. Applied: configuration, proxy password. "
        "Not applied: subscription. Running the task again applies the rest.")


@pytest.mark.parametrize("error", [
    WsusConnectionError("the connection to wsus:8530 was lost during ExecuteSPSetConfiguration (RemoteDisconnected)",
                        "ExecuteSPSetConfiguration"),
    WsusTimeoutError("WSUS server wsus:8530 did not answer ExecuteSPSetConfiguration within 5s",
                     "ExecuteSPSetConfiguration"),
], ids=["lost", "timeout"])
def test_an_outcome_unknown_write_is_neither_applied_nor_not_applied(error):
    error.outcome_unknown = True
    client = FakeClient(fail={"set_configuration": error})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    message = str(caught.value)
    assert message == ("%s. Applied: nothing. Not known whether applied: configuration. "
                       "Not applied: proxy password, subscription. Running the task again applies the rest."
                       % error.message)
    assert "Not applied: configuration" not in message
    assert client.names() == ["set_configuration"]


def test_an_outcome_unknown_last_write_leaves_nothing_not_applied():
    error = WsusConnectionError("the connection was lost during SetSubscription", "SetSubscription")
    error.outcome_unknown = True
    client = FakeClient(fail={"set_subscription": error})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    assert ("Applied: configuration, proxy password. Not known whether applied: subscription. "
            "Not applied: nothing.") in str(caught.value)


def test_the_same_error_without_outcome_unknown_is_not_applied():
    client = FakeClient(fail={"set_configuration": WsusConnectionError(
        "cannot connect to wsus:8530 (Connection refused)", "ExecuteSPSetConfiguration")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    assert "Not known whether applied" not in str(caught.value)
    assert "Not applied: configuration, proxy password, subscription." in str(caught.value)


def test_a_running_synchronization_says_to_wait_or_stop_it_rather_than_rerun():
    client = FakeClient(fail={"set_subscription": sync_running_fault("SetSubscription")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    message = str(caught.value)
    assert "Applied: configuration, proxy password. Not applied: subscription." in message
    assert "wait for it (ops.wsus.sync state=completed) or stop it (state=stopped)" in message
    assert "Running the task again applies the rest" not in message


def test_a_permission_error_says_to_use_an_administrator():
    client = FakeClient(fail={"set_configuration": WsusPermissionError(
        "user WSUS\\reporter may not call ExecuteSPSetConfiguration on wsus:8530", "ExecuteSPSetConfiguration")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    message = str(caught.value)
    assert message.endswith("Run the task again with an account in WSUS Administrators to apply the rest.")
    assert "Running the task again applies the rest" not in message


def test_the_apply_error_is_a_one_line_wsus_error_without_the_password():
    client = FakeClient(fail={"set_subscription": WsusError("failed", "SetSubscription")})
    with pytest.raises(ApplyError) as caught:
        apply(client, make_plan(category_ids=[WIN10.id]))
    assert isinstance(caught.value, WsusError) and caught.value.operation == "SetSubscription"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "\n" not in str(caught.value) and PROXY_PASSWORD not in str(caught.value)


def test_an_error_that_is_not_a_wsus_error_is_not_wrapped():
    client = FakeClient(fail={"set_configuration": KeyError("bug")})
    with pytest.raises(KeyError):
        apply(client, make_plan(category_ids=[WIN10.id]))
    assert client.names() == ["set_configuration"]
