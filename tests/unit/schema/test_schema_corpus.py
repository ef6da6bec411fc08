# -*- coding: utf-8 -*-
"""Corpus of realistic documents: corpus/valid/*.yml must pass, corpus/invalid/*.yml must fail.

An invalid document states its expectations in leading comment lines:

    # expect: wsus_sync.proxy.port, wsus_sync.proxy.server     (paths that must be reported)
    # expect-message: must be an integer from 1 to 65535         (text the report must contain)

The YAML is read with yaml.safe_load (YAML 1.1, like Ansible inventories), so the
YAML surprises (unquoted no, 10:30 as a number, ...) are the real thing.
"""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
VALID = sorted(glob.glob(os.path.join(CORPUS, "valid", "*.yml")))
INVALID = sorted(glob.glob(os.path.join(CORPUS, "invalid", "*.yml")))
_EXPECT = re.compile(r"^#\s*expect:\s*(?P<paths>.+?)\s*$")
_EXPECT_MESSAGE = re.compile(r"^#\s*expect-message:\s*(?P<text>.+?)\s*$")


def _load(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    paths, messages = [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _EXPECT.match(line)
        if match:
            paths.extend(p.strip() for p in match.group("paths").split(",") if p.strip())
        match = _EXPECT_MESSAGE.match(line)
        if match:
            messages.append(match.group("text"))
    return yaml.safe_load(text), paths, messages


def _secrets(node, under_secret=False):
    """Every scalar stored under a key that looks like a password."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _secrets(value, under_secret or validate._is_secret_key(key))
    elif isinstance(node, list):
        for value in node:
            yield from _secrets(value, under_secret)
    elif under_secret and node is not None:
        yield node


def _ids(paths):
    return [os.path.basename(p) for p in paths]


def test_corpus_size():
    assert len(VALID) >= 20
    assert len(INVALID) >= 60


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_document(path):
    document, paths, _ = _load(path)
    assert paths == [], "valid documents carry no expectations"
    violations = validate.validate_document(document)
    assert violations == [], validate.format_violations(violations)


@pytest.mark.parametrize("path", INVALID, ids=_ids(INVALID))
def test_invalid_document(path):
    document, paths, messages = _load(path)
    assert paths, "%s: an invalid document needs a '# expect: <path>' line" % path
    violations = validate.validate_document(document)
    report = validate.format_violations(violations)
    assert violations, "%s validated but should not" % path

    reported = [v.path for v in violations]
    for expected in paths:
        assert expected in reported, "%s not reported:\n%s" % (expected, report)
    for text in messages:
        assert text in report, "%r not in the report:\n%s" % (text, report)

    # every message names its path, and the report lists each violation once
    lines = report.splitlines()
    assert lines[0] == "wsus_sync is invalid (%d problem%s):" % (len(violations), "" if len(violations) == 1 else "s")
    assert len(lines) == len(violations) + 1
    for violation, line in zip(violations, lines[1:]):
        assert violation.path.startswith("wsus_sync")
        assert str(violation).startswith(violation.path + ": ")
        assert line == "- " + str(violation)
        assert violation.message and not violation.message.endswith(" ")
    assert len(set(violations)) == len(violations)

    for secret in _secrets(document):
        text = str(secret)
        assert text not in report, "a password leaked into the report of %s" % path
        assert all(text not in repr(v) for v in violations)


def test_distinctive_passwords_are_in_the_corpus():
    """The leak check above must have something to find."""
    found = [s for p in INVALID for s in _secrets(_load(p)[0]) if isinstance(s, str) and "Zebra-Quartz" in s]
    assert len(found) >= 4
