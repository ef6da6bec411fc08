"""Fuzzing the SOAP decoder: whatever a server sends, only typed errors come out, and quickly.

The seeds are real answers of the WSUS emulator (``answers/``, written by ``answers/capture.py``). Each example
mutates one (flipped, inserted, deleted, duplicated or truncated bytes, an element's text or a type
replaced, a DOCTYPE or an entity slipped in) or is random bytes, then decodes it twice: with
``decode_response`` and through the client method that reads that operation (which also interprets rows:
categories, languages, sync progress, events). Either may succeed; any exception that is not a WsusError
fails the property, and so does an example that takes more than TIME_BOUND seconds.

The budget is fixed (``max_examples``, ``derandomize``: the same examples on every run), and small enough
for ``make unit``: about 3 s in all on the project's 2-core machine.
"""

from __future__ import annotations

import glob
import os
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusError

ANSWERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "answers")
TIME_BOUND = 2.0  # seconds per example, decoding twice; a real answer of this size decodes in ~1 ms


def _seeds():
    seeds = []
    for path in sorted(glob.glob(os.path.join(ANSWERS, "*.xml"))):
        name = os.path.basename(path)[: -len(".xml")]
        with open(path, "rb") as handle:
            seeds.append((name.split(".")[0], name.endswith(".fault"), handle.read()))
    return seeds


SEEDS = _seeds()
CLIENT_CALLS = {
    "GetServerVersion": lambda client: client.get_server_version(),
    "GetCurrentUserRole": lambda client: client.get_current_user_role(),
    "ExecuteSPGetConfiguration": lambda client: _read_row(client.get_configuration()),
    "ExecuteSPGetAllLanguagesWithEnabledState": lambda client: [lang.key for lang in client.get_languages()],
    "HasProxyPassword": lambda client: client.has_proxy_password(),
    "GetSubscription": lambda client: _read_row(client.get_subscription()),
    "ExecuteSPGetCategories": lambda client: client.get_categories(),
    "GetSubscriptionCategories": lambda client: client.get_subscription_categories(),
    "GetSubscriptionState": lambda client: client.get_subscription_state(),
    "GetSubscriptionNextSynchronizationTime": lambda client: client.get_next_sync_time(),
    "StartSubscriptionManually": lambda client: client.start_sync(),
    "GetServerSyncProgress": lambda client: client.get_sync_progress(),
    "ExecuteSPSearchEventHistory": lambda client: client.get_sync_events(),
    "SetSubscriptionFrequency": lambda client: client.set_subscription_frequency(2),
}
FUZZ = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,  # the time bound is asserted per example instead (a busy CI machine is slow at random)
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _read_row(row):
    """What the state layer does with an OrderedRow: typed reads of every field."""
    for name in row.names():
        for read in (row.get_bool, row.get_int, row.get_datetime):
            try:
                read(name)
            except WsusError:
                pass
    return row.as_dict()


class FakeTransport:
    where = "wsus.example:8530"
    username = "WSUS\\admin"

    def __init__(self, status, data):
        self.answer = (status, data)

    def post(self, operation, body, soap_action, write=False):
        return self.answer

    def close(self):
        pass


def assert_only_typed_errors(operation, fault, data):
    started = time.perf_counter()
    for decode in (
        lambda: soap.decode_response(operation, data),
        lambda: CLIENT_CALLS[operation](WsusClient(FakeTransport(500 if fault else 200, data))),
    ):
        try:
            decode()
        except WsusError as error:
            message = str(error)
            assert message and "\n" not in message, message
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_BOUND, "%s took %.2f s to decode %d bytes" % (operation, elapsed, len(data))


# ------------------------------------------------------------------------------------------------ mutations

TOKENS = [
    b"<!DOCTYPE x>",
    b'<!DOCTYPE soap:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    b'<!ENTITY e SYSTEM "http://evil.example/">',
    b"&a;",
    b"&e;",
    b"&#0;",
    b"&#xD800;",
    b"&#1114112;",
    b"&lt;&gt;&amp;",
    b"<![CDATA[<x>]]>",
    b"<?pi data?>",
    b"<!-- comment -->",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\x00",
    b' xsi:nil="true"',
    b' xsi:type="xsd:int"',
    b' xsi:type="q1:guid"',
    b' xsi:type="xsd:base64Binary"',
    b' xsi:type="xsd:dateTime"',
    b' xsi:type="xsd:double"',
    b' xsi:type="nope:unknown"',
    b"<x>",
    b"</x>",
    b"<soap:Fault><faultstring>x</faultstring></soap:Fault>",
    b"<GenericReadableRow><Values><anyType>1</anyType></Values></GenericReadableRow>",
    b"<html><head><title>502 Bad Gateway</title></head></html>",
]
TEXTS = [
    "",
    " ",
    "-1",
    "0",
    "2147483648",
    "9" * 5000,
    "1e400",
    "NaN",
    "-inf",
    "abc",
    "true",
    "TRUE",
    "2026-13-45T25:61:61",
    "0000-01-01T00:00:00",
    "2026-02-30T00:00:00",
    "2026-01-01T00:00:00+25:00",
    "9999-12-31T23:59:59.9999999",
    "not-a-guid",
    "00000000-0000-0000-0000-00000000000g",
    "===",
    "QUJD",
    "\u00e9\u4e2d\U0001f600",
]
TEXT_RE = re.compile(rb">([^<]*)<")
TYPE_RE = re.compile(rb'xsi:type="[^"]*"')


def _replace_text(data, draw):
    spans = [match.span(1) for match in TEXT_RE.finditer(data)]
    if not spans:
        return data
    start, end = draw(st.sampled_from(spans))
    text = draw(st.sampled_from(TEXTS) if draw(st.integers(0, 4)) else st.text(max_size=20))
    return data[:start] + text.encode("utf-8", "surrogatepass") + data[end:]


def _replace_type(data, draw):
    spans = [match.span() for match in TYPE_RE.finditer(data)]
    if not spans:
        return data
    start, end = draw(st.sampled_from(spans))
    token = draw(st.sampled_from([token for token in TOKENS if token.startswith(b" xsi:")]))
    return data[:start] + token.strip() + data[end:]


@st.composite
def mutated_answers(draw):
    operation, fault, data = draw(st.sampled_from(SEEDS))
    for dummy in range(draw(st.integers(1, 4))):
        size = len(data)
        # element texts carry the values the decoders interpret: they get three times the weight
        kind = draw(
            st.sampled_from(["flip", "insert", "token", "delete", "duplicate", "truncate", "type"] + ["text"] * 3)
        )
        at = draw(st.integers(0, size))
        if kind == "flip" and size:
            at = min(at, size - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif kind == "token":
            data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif kind == "duplicate":
            length = draw(st.integers(1, 256))
            data = data[:at] + data[at : at + length] * draw(st.integers(2, 8)) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "text":
            data = _replace_text(data, draw)
        elif kind == "type":
            data = _replace_type(data, draw)
    return operation, fault, data


@FUZZ
@given(mutated_answers())
def test_mutated_real_answers_give_only_typed_errors(example):
    operation, fault, data = example
    assert_only_typed_errors(operation, fault, data)


@settings(FUZZ, max_examples=150)
@given(st.sampled_from(sorted(CLIENT_CALLS)), st.booleans(), st.binary(max_size=2048))
def test_random_bytes_give_only_typed_errors(operation, fault, data):
    assert_only_typed_errors(operation, fault, data)


@settings(FUZZ, max_examples=100)
@given(
    st.sampled_from(SEEDS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
)
def test_a_real_envelope_with_random_text_inside_gives_only_typed_errors(seed, text):
    operation, fault, data = seed
    at = data.find(b"<soap:Body>") + len(b"<soap:Body>")
    assert_only_typed_errors(operation, fault, data[:at] + text.encode("utf-8") + data[at:])


def test_every_seed_decodes_as_it_is():
    """The seeds are valid answers: the properties start from what a server really sends."""
    assert {operation for operation, fault, data in SEEDS} == set(CLIENT_CALLS)
    for operation, fault, data in SEEDS:
        client = WsusClient(FakeTransport(500 if fault else 200, data))
        if fault:
            try:
                CLIENT_CALLS[operation](client)
            except WsusError as error:
                assert "ArgumentOutOfRange" in str(error)
            else:
                raise AssertionError("the fault seed did not raise")
        else:
            CLIENT_CALLS[operation](client)


def test_every_typed_value_with_every_odd_text_gives_a_value_or_a_typed_error():
    """The value decoders exhaustively (the mutations reach each of them only now and then): every xsi:type
    the decoder knows, in a category row and in an event row, with every text of TEXTS."""
    operation, dummy, categories = next(seed for seed in SEEDS if seed[0] == "ExecuteSPGetCategories")
    row_start = categories.index(b"<GenericReadableRow>")
    row_end = categories.index(b"</GenericReadableRow>") + len(b"</GenericReadableRow>")
    for xsi_type in sorted(soap._SIMPLE_DECODERS):
        for text in TEXTS:
            value = '<anyType xsi:type="xsd:%s">%s</anyType>' % (xsi_type, text)
            row = categories[row_start:row_end].replace(b"<Values>", b"<Values>" + value.encode("utf-8"), 1)
            assert_only_typed_errors(operation, False, categories[:row_start] + row + categories[row_end:])
    operation, dummy, events = next(seed for seed in SEEDS if seed[0] == "ExecuteSPSearchEventHistory")
    for field in ("EventInstanceId", "EventId", "TimeAtServer", "Win32HResult", "UpdateId"):
        for text in TEXTS:
            mutated = re.sub(
                b"<%s>[^<]*</%s>" % (field.encode(), field.encode()),
                b"<%s>%s</%s>" % (field.encode(), text.encode("utf-8"), field.encode()),
                events,
                count=1,
            )
            assert_only_typed_errors(operation, False, mutated)
