#!/usr/bin/env bash
# The ansible-core version matrix of the ops.wsus collection (`make matrix`, part of `make test`). See
# docs/quality.md.
#
# A leg is one ansible-core release on one controller Python, defined by tests/matrix/ansible-<LEG>.txt:
# its pins, a "# python: X.Y" line and, for the leg that is the development venv, a "# venv: .venv" line.
# For each leg named:
#
#   venv     its venv (.venv/legs/ansible-<LEG>, made with pythonX.Y found through pyenv), built once and
#            rebuilt only when a requirements file changed; the collection linked into <venv>/collections
#   version  ansible-playbook --version of that venv is the pinned ansible-core on the leg's Python
#   smoke    pytest -m smoke tests/integration tests/matrix, with the venv's python: the integration smoke
#            against the emulator (validate, apply, no-op, sync, report: the role, sync_options, sync, the
#            demo with -v and no deprecation warning) and the version test of tests/matrix/test_leg.py
#   sanity   ansible-test sanity --python X.Y (scripts/quality.sh sanity with VENV=<venv>)
#
# Usage: bash scripts/matrix.sh [--steps version,smoke,sanity] LEG...      (e.g. 2.20 2.21)
# Network: PyPI, the first time a venv is built and the first time ansible-test builds the sanity venvs
# of a Python version (cached in ~/.ansible/test/venv).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MATRIX=${OPS_WSUS_MATRIX:-tests/matrix}  # the leg files (another folder: the tests of this script)
ALL_STEPS=version,smoke,sanity
# where the tests marked smoke (pytest.ini) are
SMOKE_PATHS=(tests/integration tests/matrix)
STEPS=$ALL_STEPS
LEGS=()
while [ $# -gt 0 ]; do
    case $1 in
        --steps) STEPS=${2:?--steps needs a value}; shift 2 ;;
        --steps=*) STEPS=${1#--steps=}; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "matrix: unknown option $1" >&2; exit 2 ;;
        *) LEGS+=("$1"); shift ;;
    esac
done
[ ${#LEGS[@]} -gt 0 ] || { echo "usage: bash scripts/matrix.sh [--steps $ALL_STEPS] LEG..." >&2; exit 2; }
for s in ${STEPS//,/ }; do
    case ",$ALL_STEPS," in *",$s,"*) ;; *) echo "matrix: unknown step '$s' (steps: $ALL_STEPS)" >&2; exit 2 ;; esac
done
has_step() { case ",$STEPS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
TIMINGS=$(mktemp "${TMPDIR:-/tmp}/ops-wsus-matrix.XXXXXX")
trap 'rm -f "$TIMINGS"' EXIT
trap 'exit 130' INT TERM

die() {
    echo "matrix: $*" >&2
    exit 1
}
# timed LABEL CMD...: run, note how long it took; keeps its exit status.
timed() {
    local label=$1 start=$SECONDS rc=0
    shift
    "$@" || rc=$?
    printf '%4ss  %s%s\n' $((SECONDS - start)) "$label" "$([ $rc = 0 ] || echo "  (exit $rc)")" >>"$TIMINGS"
    return "$rc"
}

# leg_field FILE NAME: the value of a "# NAME: value" line of a leg file.
leg_field() {
    sed -n "s/^# $2: *\([^ ]*\).*/\1/p" "$1" | head -1
}

# find_python X.Y: the newest pyenv Python X.Y.*, else pythonX.Y on PATH when it runs; fails clearly.
find_python() {
    local want=$1 root version found=
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root)
        version=$(pyenv versions --bare --skip-aliases 2>/dev/null | grep -E "^${want//./\\.}\.[0-9]+$" | sort -V | tail -1 || true)
        [ -z "$version" ] || found="$root/versions/$version/bin/python$want"
    fi
    if [ -z "$found" ] && command -v "python$want" >/dev/null 2>&1 && "python$want" -c '' >/dev/null 2>&1; then
        found=$(command -v "python$want")
    fi
    if [ -z "$found" ] || ! "$found" -c 'import ssl, venv' >/dev/null 2>&1; then
        echo "matrix: this leg needs Python $want, and there is none: pyenv has none (install it with" \
            "'pyenv install $want'; pyenv root: $(pyenv root 2>/dev/null || echo 'pyenv not found')) and" \
            "python$want is not on PATH" >&2
        return 1
    fi
    echo "$found"
}

# leg_venv LEG FILE: the venv of the leg (relative to the root), built or refreshed as needed.
leg_venv() {
    local leg=$1 file=$2 want venv python stamp
    want=$(leg_field "$file" python)
    [ -n "$want" ] || die "$file has no '# python: X.Y' line"
    venv=$(leg_field "$file" venv)
    if [ -n "$venv" ]; then
        # The development venv is this leg: `make venv` builds it (from requirements-dev.txt, which includes
        # the leg's file).
        [ -x "$venv/bin/python" ] || die "leg $leg is $venv: run 'make venv' first"
        echo "$venv"
        return 0
    fi
    venv=.venv/legs/ansible-$leg
    stamp="$venv/.installed-$({ cat "$file" "$MATRIX/leg.txt" requirements.txt emulator/pyproject.toml 2>/dev/null || true; } | md5sum | cut -c1-12)"
    if [ ! -e "$stamp" ]; then
        python=$(find_python "$want") || exit 1
        echo "=== leg $leg: venv $venv (Python $want: $python) ===" >&2
        if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -c "import sys; sys.exit(sys.version[:len('$want') + 1] != '$want.')"; then
            rm -rf "$venv"  # made with another Python: start again
        fi
        [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$file" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e emulator >&2
        mkdir -p "$venv/collections/ansible_collections/ops"
        ln -sfn "$ROOT" "$venv/collections/ansible_collections/ops/wsus"
        rm -f "$venv"/.installed-*
        touch "$stamp"
    fi
    echo "$venv"
}

# version_check LEG FILE VENV: ansible-playbook --version shows the pinned ansible-core on the leg's Python.
version_check() {
    local leg=$1 file=$2 venv=$3 core want out
    core=$(sed -n 's/^ansible-core==\([0-9.]*\).*/\1/p' "$file" | head -1)
    want=$(leg_field "$file" python)
    out=$("$venv/bin/ansible-playbook" --version)
    echo "$out" | head -1
    if ! grep -q "^ansible-playbook \[core $core\]" <<<"$out"; then
        echo "matrix: leg $leg: $venv/bin/ansible-playbook is not ansible-core $core:"$'\n'"$out" >&2
        return 1
    fi
    if ! grep -qE "^  python version = ${want//./\\.}\." <<<"$out"; then
        echo "matrix: leg $leg: $venv/bin/ansible-playbook does not run on Python $want:"$'\n'"$out" >&2
        return 1
    fi
}

FAILED=()
for leg in "${LEGS[@]}"; do
    file=$MATRIX/ansible-$leg.txt
    if [ ! -f "$file" ]; then
        known=("$MATRIX"/ansible-*.txt)
        known=("${known[@]##*/ansible-}")
        die "no leg $leg: $file does not exist (legs: ${known[*]%.txt})"
    fi
    if ! venv=$(timed "leg $leg: venv" leg_venv "$leg" "$file"); then
        FAILED+=("$leg:venv")
        continue
    fi
    printf '\n=== leg %s: %s ===\n' "$leg" "$venv"
    if has_step version; then
        timed "leg $leg: version" version_check "$leg" "$file" "$venv" || FAILED+=("$leg:version")
    fi
    if has_step smoke; then
        printf '\n=== leg %s: smoke (pytest -m smoke) ===\n' "$leg"
        # Only where smoke tests live: collecting the whole suite would import what the legs do not install
        # (hypothesis, xmlschema).
        timed "leg $leg: smoke" "$venv/bin/python" -m pytest -m smoke "${SMOKE_PATHS[@]}" || FAILED+=("$leg:smoke")
    fi
    if has_step sanity; then
        printf '\n=== leg %s: ansible-test sanity ===\n' "$leg"
        timed "leg $leg: sanity" env VENV="$venv" bash scripts/quality.sh sanity || FAILED+=("$leg:sanity")
    fi
done

printf '\n=== matrix timings ===\n'
cat "$TIMINGS"
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "matrix: FAILED: ${FAILED[*]}, after ${SECONDS}s" >&2
    exit 1
fi
echo "matrix: passed (legs ${LEGS[*]}: ${STEPS//,/ }) in ${SECONDS}s"
