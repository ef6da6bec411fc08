"""The emulator with its packaged catalog (wsus_emulator/data/) instead of the test fixture."""

from __future__ import annotations

import json
import os

import pytest

import wsus_emulator
from wsusclient import MAX_DATE, MIN_DATE, rows

DATA = os.path.join(os.path.dirname(wsus_emulator.__file__), "data")
FILES = ("categories.json", "classifications.json", "languages.json")


def _load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def packaged(emu_factory):
    missing = [name for name in FILES if not os.path.isfile(os.path.join(DATA, name))]
    assert not missing, "packaged catalog data missing: %s" % ", ".join(missing)
    return emu_factory("--control", catalog=None)


def test_packaged_catalog_is_served(packaged):
    client = packaged.client()
    dates = "<fromSyncDate>%s</fromSyncDate><toSyncDate>%s</toSyncDate>" % (MIN_DATE, MAX_DATE)
    found = rows(
        client.ok(
            "ExecuteSPGetCategories",
            "<preferredCulture>en</preferredCulture><retrieveUpdateClassifications>"
            "false</retrieveUpdateClassifications>" + dates,
        ).result("ExecuteSPGetCategories")
    )
    assert len(found) == len(_load("categories.json")["categories"])
    classes = rows(
        client.ok(
            "ExecuteSPGetCategories", "<retrieveUpdateClassifications>true</retrieveUpdateClassifications>" + dates
        ).result("ExecuteSPGetCategories")
    )
    ids = {r[1][1] for r in classes}
    assert len(classes) == len(_load("classifications.json")["classifications"])
    # the default subscription's classifications exist in the packaged catalog
    assert {"e6cf1350-c01b-414d-a61f-263d14d133b4", "0fa1201d-4330-4fa8-8ae9-b877473b6441"} <= ids
    languages = rows(
        client.ok("ExecuteSPGetAllLanguagesWithEnabledState").result("ExecuteSPGetAllLanguagesWithEnabledState")
    )
    # the default live layout [ShortLanguage, Enabled, UssEnabled], the pseudo-language "all" first
    assert len(languages) == len(_load("languages.json")["languages"]) + 1 and languages[0][0] == "all"
    assert [r[0] for r in languages if r[1]] == ["en"]
    top = rows(client.ok("ExecuteSPGetTopLevelCategories", "").result("ExecuteSPGetTopLevelCategories"))
    assert top and all(r[2] == "Company" for r in top)
