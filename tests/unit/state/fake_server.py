"""A WSUS in memory for the writer's unit tests: the reads and writes ``ensure_sync_options`` uses, no sockets.

``FakeServer`` answers like the emulator does where it matters here: a configuration write with
``detectConfigChange`` and a stale ``configurationChangeNumber`` is refused with InvalidOperationException,
every configuration save moves the change number, SetSubscription replaces the row and both lists. Every
call is recorded in ``calls`` as ``(method, args...)``.

Other writers are scripted: ``after("get_configuration", other.sets_configuration(MaxSimultaneousFileDownloads=7))``
makes "another administrator" save right after the next call of that method (before the caller sees its
answer), as the emulator's ``then_set_*`` rules do. ``fail`` maps a method to the error it raises (every time).
"""

from __future__ import annotations

from support.soap_faults import invalid_operation

from state_fixtures import (
    CLASSIFICATIONS,
    CRITICAL,
    LIVE_LANGUAGES,
    MICROSOFT,
    OFFICE,
    OFFICE_PRODUCT,
    PRODUCTS,
    WIN10,
    WINDOWS,
    WS2019,
    WS2022,
    config_row,
    subscription_row,
)

CHILDREN = {MICROSOFT.id: [WINDOWS, OFFICE], WINDOWS.id: [WS2022, WS2019, WIN10], OFFICE.id: [OFFICE_PRODUCT]}
WRITES = ("set_configuration", "set_proxy_password", "set_subscription")


class FakeServer:
    def __init__(
        self,
        config=None,
        languages=None,
        proxy_password=False,
        subscription=None,
        products=(),
        classifications=(CRITICAL,),
        fail=None,
    ):
        self.config = config or config_row(configurationChangeNumber=41)
        self.languages = list(languages or LIVE_LANGUAGES)
        self.proxy_password = proxy_password
        self.subscription = subscription or subscription_row()
        self.selected = {False: list(products), True: list(classifications)}
        self.fail = dict(fail or {})
        self.calls = []
        self._after = []

    # ------------------------------------------------------------------ scripting

    def after(self, method, action, count=1):
        """``action(self)`` right after each of the next ``count`` calls of ``method``."""
        self._after.append([method, action, count])

    def _record(self, name, *args):
        self.calls.append((name,) + args)
        if name in self.fail:
            raise self.fail[name]

    def _answered(self, name):
        for rule in self._after:
            if rule[0] == name and rule[2] > 0:
                rule[2] -= 1
                rule[1](self)
                break

    def names(self):
        return [call[0] for call in self.calls]

    def writes(self):
        return [call for call in self.calls if call[0] in WRITES]

    def change_number(self):
        return self.config.get_int("configurationChangeNumber")

    # ------------------------------------------------------------------ what another administrator saves

    def save_configuration(self, **fields):
        """A save by someone else: a fresh read-modify-write, so the change number moves."""
        row = self.config.copy()
        for name, value in fields.items():
            row.set(name, value)
        row.set("configurationChangeNumber", self.change_number() + 1)
        self.config = row

    def save_subscription(self, products=None, classifications=None, **fields):
        row = self.subscription.copy()
        for name, value in fields.items():
            row.set(name, value)
        row.set("LastModifiedBy", "WSUS\\another-admin")
        self.subscription = row
        if products is not None:
            self.selected[False] = list(products)
        if classifications is not None:
            self.selected[True] = list(classifications)

    # ------------------------------------------------------------------ reads

    def get_configuration(self):
        self._record("get_configuration")
        answer = self.config.copy()
        self._answered("get_configuration")
        return answer

    def get_languages(self):
        self._record("get_languages")
        answer = list(self.languages)
        self._answered("get_languages")
        return answer

    def has_proxy_password(self):
        self._record("has_proxy_password")
        answer = self.proxy_password
        self._answered("has_proxy_password")
        return answer

    def get_subscription(self):
        self._record("get_subscription")
        answer = self.subscription.copy()
        self._answered("get_subscription")
        return answer

    def get_subscription_categories(self, culture="en", classifications=False):
        self._record("get_subscription_categories", culture, classifications)
        answer = list(self.selected[classifications])
        self._answered("get_subscription_categories")
        return answer

    def get_categories(self, culture="en", classifications=False):
        self._record("get_categories", culture, classifications)
        return list(CLASSIFICATIONS if classifications else PRODUCTS)

    def get_subcategories(self, category_id, culture="en"):
        self._record("get_subcategories", category_id)
        return list(CHILDREN.get(category_id.lower(), []))

    # ------------------------------------------------------------------ writes

    def set_configuration(self, row, enable_languages=(), disable_languages=(), detect_change=True):
        self._record("set_configuration", row, list(enable_languages), list(disable_languages))
        sent = row.get_int("configurationChangeNumber")
        if detect_change and sent != self.change_number():
            raise invalid_operation(
                "ExecuteSPSetConfiguration",
                "The configuration was changed by another "
                "administrator: configurationChangeNumber %s was sent but the server is at %s."
                % (sent, self.change_number()),
            )
        stored = row.copy()
        stored.set("configurationChangeNumber", self.change_number() + 1)
        self.config = stored
        self.languages = [
            language._replace(
                enabled=(language.key in enable_languages or language.enabled) and language.key not in disable_languages
            )
            for language in self.languages
        ]
        self._answered("set_configuration")

    def set_proxy_password(self, password):
        self._record("set_proxy_password", password)
        self.proxy_password = True
        self._answered("set_proxy_password")

    def set_subscription(self, row, category_ids, classification_ids, user_name):
        self._record("set_subscription", row, list(category_ids), list(classification_ids), user_name)
        self.subscription = row.copy()
        by_id = {entry.id.lower(): entry for entry in PRODUCTS + CLASSIFICATIONS}
        self.selected = {
            False: [by_id[guid.lower()] for guid in category_ids],
            True: [by_id[guid.lower()] for guid in classification_ids],
        }
        self._answered("set_subscription")
