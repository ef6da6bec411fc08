# -*- coding: utf-8 -*-
"""Make ``ansible_collections.ops.wsus`` importable for the schema tests.

If the collection cannot be imported already (it is not installed in an
``ansible_collections`` tree on sys.path), build a temporary
``ansible_collections/ops/`` directory holding a symlink ``wsus`` -> the repository
root and put it first on sys.path. Self-contained on purpose; a shared conftest
may replace it later.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CORPUS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
_MODULE = "ansible_collections.ops.wsus.plugins.plugin_utils._validate.validate"


def _importable(name):
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _ensure_collection_importable():
    if _importable(_MODULE):
        return
    tmp = tempfile.mkdtemp(prefix="ops_wsus_schema_tests_")
    os.makedirs(os.path.join(tmp, "ansible_collections", "ops"))
    os.symlink(REPO_ROOT, os.path.join(tmp, "ansible_collections", "ops", "wsus"))
    sys.path.insert(0, tmp)
    # rmtree unlinks the symlink; it does not follow it into the repository.
    atexit.register(shutil.rmtree, tmp, True)
    importlib.invalidate_caches()
    for name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
        # a namespace package imported before the path change recomputes its __path__,
        # but drop cached failures of our own subpackages
        if name.startswith("ansible_collections.ops"):
            del sys.modules[name]
    importlib.import_module(_MODULE)


_ensure_collection_importable()
