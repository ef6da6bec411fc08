#!/usr/bin/env bash
# make kerberos-deps: what tests/kerberos/ (a real MIT KDC on loopback) needs, installed on a fresh machine.
#
# 1. System packages, only those missing (dpkg -s): krb5-kdc and krb5-admin-server (krb5kdc, kdb5_util,
#    kadmin.local for the throwaway realm), krb5-user (kinit, klist), libkrb5-dev (krb5-config and the headers
#    gssapi and krb5 compile against), gcc. apt-get update runs only when an install fails without it.
# 2. The Python packages of requirements-kerberos.txt in $VENV. gssapi and krb5 have no Linux wheels on PyPI,
#    so pip would compile them on every fresh venv (about 4.5 min on 2 cores). They are compiled once, both at
#    the same time and with CFLAGS="-O0 -g0" (about a minute), into ~/.cache/ops-wsus-wheels/<key>/, the key
#    naming the Python and the libkrb5 version; later venvs install those wheels in seconds.
# Nothing is done when everything is there already (a few hundred milliseconds).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=$VENV/bin/python
REQUIREMENTS=requirements-kerberos.txt
CACHE_ROOT=${OPS_WSUS_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ops-wsus-wheels}
APT_PACKAGES=(krb5-kdc krb5-admin-server krb5-user libkrb5-dev gcc)
PIP=("$PY" -m pip --disable-pip-version-check)

say() { printf 'kerberos-deps: %s\n' "$*"; }
pinned() { sed -n "s/^$1==\([^ #]*\).*/\1/p" "$REQUIREMENTS"; }

# ------------------------------------------------------------------ 1. system packages
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        say "installing system packages needs root (or sudo): $*" >&2
        return 1
    fi
}

if command -v dpkg >/dev/null 2>&1; then
    missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if ! "$PY" -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
        missing+=(python3-dev)  # a venv of the system Python: its headers
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        say "apt-get install ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt_install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
        if ! as_root "${apt_install[@]}" >/dev/null; then
            say "apt-get update, then install again"
            as_root apt-get update -qq
            as_root "${apt_install[@]}" >/dev/null
        fi
    fi
else
    for command in krb5kdc kdb5_util kadmin.local kinit krb5-config; do
        if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ]; then
            say "no dpkg here and $command is missing: install the MIT Kerberos KDC, admin server, client tools" \
                "and development files (e.g. krb5-server krb5-workstation krb5-devel on Fedora)" >&2
            exit 1
        fi
    done
fi

# ------------------------------------------------------------------ 2. Python packages
GSSAPI=$(pinned gssapi)
KRB5=$(pinned krb5)
K5TEST=$(pinned k5test)

installed() {
    # exit 0 when $PY has exactly the pinned versions and both compiled packages import
    "$PY" - "$GSSAPI" "$KRB5" "$K5TEST" <<'EOF' 2>/dev/null
import sys
from importlib import metadata
wanted = dict(zip(("gssapi", "krb5", "k5test"), sys.argv[1:]))
for name, version in wanted.items():
    if metadata.version(name) != version:
        raise SystemExit(1)
import gssapi, krb5, k5test  # noqa: E401,F401
EOF
}

if installed; then
    exit 0
fi

LIBKRB5=$(krb5-config --version 2>/dev/null | awk '{print $NF}')
TAG=$("$PY" -c 'import sys, sysconfig; print("cp%d%d-%s" % (sys.version_info[0], sys.version_info[1], sysconfig.get_platform()))')
CACHE="$CACHE_ROOT/$TAG-krb5-${LIBKRB5:-unknown}"
mkdir -p "$CACHE"

have_wheel() { compgen -G "$CACHE/$1-$2-*.whl" >/dev/null; }

build=()
have_wheel gssapi "$GSSAPI" || build+=("gssapi==$GSSAPI")
have_wheel krb5 "$KRB5" || build+=("krb5==$KRB5")
if [ ${#build[@]} -gt 0 ]; then
    say "compiling ${build[*]} against libkrb5 ${LIBKRB5:-?} (once; wheels kept in $CACHE)"
    start=$(date +%s)
    logs=$(mktemp -d)
    pids=()
    for requirement in "${build[@]}"; do
        CFLAGS="-O0 -g0" "${PIP[@]}" wheel --quiet --no-deps --no-binary "${requirement%%==*}" \
            --wheel-dir "$CACHE" "$requirement" >"$logs/${requirement%%==*}.log" 2>&1 &
        pids+=($!)
    done
    failed=0
    for index in "${!pids[@]}"; do
        if ! wait "${pids[$index]}"; then
            failed=1
            say "building ${build[$index]} failed:" >&2
            tail -n 30 "$logs/$(basename "${build[$index]%%==*}").log" >&2
        fi
    done
    rm -rf "$logs"
    [ $failed -eq 0 ] || exit 1
    say "compiled in $(($(date +%s) - start)) s"
fi

say "installing $REQUIREMENTS into $VENV"
"${PIP[@]}" install --quiet --find-links "$CACHE" -r "$REQUIREMENTS"
installed || { say "gssapi/krb5/k5test still do not import in $VENV" >&2; exit 1; }
