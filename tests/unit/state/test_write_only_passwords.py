"""One rule for every write-only password (_state/passwords.py): proxy.password and notifications.smtp.password
are sent in the same cases, with the same reasons, whichever section declares them."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state import notifications
from ansible_collections.ops.wsus.plugins.module_utils._state import plan as planner
from ansible_collections.ops.wsus.plugins.module_utils._state.document import normalize
from ansible_collections.ops.wsus.plugins.module_utils._state.secrets import MASK

from state_fixtures import LANGUAGES, config_row, email_row


def plan_proxy(user_now, declared, has_password):
    config = config_row(UseProxy=True, ProxyName="p", AnonymousProxyAccess=False, ProxyUserName=user_now)
    proxy = {"username": declared["user"], "password": "x"}
    proxy.update({key: value for key, value in declared.items() if key == "update_password"})
    plan = planner.plan_configuration(normalize({"proxy": proxy}), config, LANGUAGES, has_password)
    sent = [line for line in plan.changes if line.startswith("proxy.password")]
    return plan.set_proxy_password, sent, plan.diff()["after"]["proxy"]


def plan_smtp(user_now, declared, has_password):
    row = email_row(SmtpUserName=user_now, SmtpServerRequireAuthentication=True)
    smtp = dict(declared, password="x")
    plan = notifications.plan_notifications(notifications.normalize({"smtp": smtp}), row, {}, has_password)
    sent = [line for line in plan.changes if line.startswith("notifications.smtp.password")]
    return plan.set_password, sent, plan.diff()["after"]["notifications"]["smtp"]


CASES = [
    # (server's user, declared, server has a password) -> the reason it is sent, or None
    ("svc", {"user": "svc"}, True, None),
    ("svc", {"user": "SVC"}, True, None),  # user names compare ignoring case
    ("svc", {"user": "svc"}, False, "the server has none"),
    ("old", {"user": "new"}, True, "the user name changes"),
    ("svc", {"user": "svc", "update_password": "always"}, True, "update_password: always"),
    ("old", {"user": "new", "update_password": "always"}, False, "update_password: always"),
]


@pytest.mark.parametrize("section, planner_of", [("proxy", plan_proxy), ("notifications.smtp", plan_smtp)])
@pytest.mark.parametrize("user_now, declared, has_password, reason", CASES)
def test_both_sections_send_the_password_in_the_same_cases(
    section, planner_of, user_now, declared, has_password, reason
):
    sending, lines, after = planner_of(user_now, declared, has_password)
    assert sending is (reason is not None)
    assert lines == ([] if reason is None else ["%s.password: set (%s)" % (section, reason)])
    assert after["password"] == MASK
    assert after["update_password"] == declared.get("update_password", "on_create")
