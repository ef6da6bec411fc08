"""The execution environment carries Kerberos (meta/execution-environment.yml, bindep.txt): rendered with
ansible-builder create, which needs no container runtime. scripts/quality.sh's ee gate renders the same file;
this checks the Kerberos parts of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from support.paths import REPO

BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")


def read(*parts):
    with open(os.path.join(REPO, *parts), encoding="utf-8") as handle:
        return handle.read()


def test_meta_bindep_is_a_copy_of_the_root_one():
    # the root one is what introspection reads from an installed collection, meta/'s what a build reads
    assert read("meta", "bindep.txt") == read("bindep.txt")


def test_the_ee_installs_the_kerberos_libraries_and_compiles_gssapi(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(os.path.join(REPO, "meta"), copy / "meta")
    for name in ("requirements.txt", "bindep.txt"):
        shutil.copy(os.path.join(REPO, name), copy / name)
    (copy / "ops-wsus-0.0.0.tar.gz").write_bytes(b"")  # what additional_build_files picks up
    context = tmp_path / "context"
    subprocess.run(
        [
            BUILDER,
            "create",
            "-f",
            str(copy / "meta" / "execution-environment.yml"),
            "-c",
            str(context),
            "--output-filename",
            "Containerfile",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    containerfile = (context / "Containerfile").read_text()
    assert (context / "_build" / "bindep.txt").read_text() == read("bindep.txt")
    bindep = read("bindep.txt")
    for package in ("krb5-libs [platform:rpm]", "krb5-workstation [platform:rpm]", "krb5-devel [compile platform:rpm]"):
        assert package in bindep
    builder, final = containerfile.split("FROM base AS final")
    assert "pip wheel --no-cache-dir --wheel-dir /build/kerberos-wheels 'gssapi" in builder
    assert "COPY --from=builder /build/kerberos-wheels /tmp/kerberos-wheels" in final
    assert "import gssapi, krb5" in final
