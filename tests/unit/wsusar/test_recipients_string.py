"""A recipient list as the one string WSUS keeps (_wsusar/recipients.py): read tolerantly, written one way, and
the validator measures the same string the client writes."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._wsusar import recipients
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import join_recipients, split_recipients
from ansible_collections.ops.wsus.plugins.plugin_utils._validate import extra


@pytest.mark.parametrize(
    "stored, addresses",
    [
        ("a@x.example", ["a@x.example"]),
        ("a@x.example, b@y.example", ["a@x.example", "b@y.example"]),
        ("a@x.example;b@y.example", ["a@x.example", "b@y.example"]),
        ("a@x.example; b@y.example,c@z.example", ["a@x.example", "b@y.example", "c@z.example"]),
        # MailAddressCollection.ToString() of an entry with a display name: the comma is the name's
        ('"Doe, John" <j@x.example>, k@x.example', ["j@x.example", "k@x.example"]),
        ('"Doe; John" <j@x.example>;k@x.example', ["j@x.example", "k@x.example"]),
        ('"Say \\"hi, there\\"" <j@x.example>', ["j@x.example"]),
        ("Doe <d@x.example>, <e@x.example>", ["d@x.example", "e@x.example"]),
        ("d@x.example (Doe, John), e@x.example", ["d@x.example", "e@x.example"]),
        ("   a@x.example  ,   b@y.example   ", ["a@x.example", "b@y.example"]),
        ("a@x.example,", ["a@x.example"]),
        ("a@x.example; ;, ,b@y.example;", ["a@x.example", "b@y.example"]),
        ("", []),
        (None, []),
        (" , ; ", []),
    ],
)
def test_a_stored_list_reads_as_its_plain_addresses(stored, addresses):
    assert split_recipients(stored) == addresses


def test_an_entry_that_is_no_address_is_kept_so_the_plan_shows_it():
    assert split_recipients("a@x.example, CONTOSO-mail") == ["a@x.example", "CONTOSO-mail"]


def test_what_is_written_reads_back_as_the_same_list():
    addresses = ["a@x.example", "B@Y.example", "o'neil+tag@z.example"]
    assert join_recipients(addresses) == "a@x.example, B@Y.example, o'neil+tag@z.example"
    assert split_recipients(join_recipients(addresses)) == addresses


def test_the_validator_measures_the_string_the_client_writes():
    # One constant: the validator imports it (a copy could drift from what the client writes).
    assert extra.RECIPIENTS_SEPARATOR is recipients.RECIPIENTS_SEPARATOR
    assert join_recipients(["a@x.example", "b@x.example"]) == "a@x.example" + extra.RECIPIENTS_SEPARATOR + "b@x.example"
