#!/usr/bin/env bash
# Quality gates of the ops.wsus collection (`make quality`, part of `make test`). See docs/quality.md.
#
#   sanity    ansible-test sanity --python X.Y (the venv's Python), on a physical copy at .../ansible_collections/ops/wsus
#   lint      ansible-lint, profile production, offline
#   yamllint  yamllint (.yamllint) over the repository's YAML
#   changelog antsibull-changelog lint (changelogs/fragments/) and lint-changelog-yaml; then, in a scratch
#             copy, the changelog of the next release (printed), or that CHANGELOG.md is what generate writes
#   build     ansible-galaxy collection build + install; ansible-doc of every module (and of the role)
#             from the installed copy; one playbook from the installed copy against the WSUS emulator
#   ee        ansible-builder create with meta/execution-environment.yml (renders the build context only)
#
# Usage: [VENV=.venv] bash scripts/quality.sh [STEP...]        (no STEP: all of them, in that order)
# Needs only what `make venv` installs. Network: PyPI, the first time ansible-test builds its sanity venvs
# (cached in ~/.ansible/test/venv), and apt-get when shellcheck is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=$(cd "${VENV:-.venv}" && pwd)
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
NS=ops
NAME=wsus

ALL_STEPS=(sanity lint yamllint changelog build ee)
STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=("${ALL_STEPS[@]}")
for s in "${STEPS[@]}"; do
    case " ${ALL_STEPS[*]} " in
        *" $s "*) ;;
        *) echo "unknown step '$s' (steps: ${ALL_STEPS[*]})" >&2; exit 2 ;;
    esac
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ops-wsus-quality.XXXXXX")
: >"$TMP/timings"
EMULATOR_PID=
cleanup() {
    local rc=$?
    rm -rf "$TMP"
    exit "$rc"
}
stop_emulator() {
    if [ -n "$EMULATOR_PID" ]; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
        EMULATOR_PID=
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run CMD...: print the command, run it, note how long it took; keeps its exit status.
run() {
    local start=$SECONDS rc=0
    echo "+ $*" >&2
    "$@" || rc=$?
    printf '%4ss  %s%s\n' $((SECONDS - start)) "$*" "$([ $rc = 0 ] || echo "  (exit $rc)")" >>"$TMP/timings"
    return "$rc"
}
# run_in DIR CMD...: run, from DIR.
run_in() {
    local dir=$1 rc=0
    shift
    pushd "$dir" >/dev/null
    run "$@" || rc=$?
    popd >/dev/null
    return "$rc"
}
step() {
    printf '\n=== %s ===\n' "$*"
}
die() {
    echo "quality: $*" >&2
    exit 1
}

# --- the copy ---------------------------------------------------------------------------------------
# ansible-test needs the collection at a physical .../ansible_collections/ops/wsus (no symlink); the
# same copy gives ansible-lint the collection so that ops.wsus.* resolves offline. It holds the tracked
# and the untracked-but-not-ignored files, as they are in the working tree now.
COLLECTIONS="$TMP/collections"
COPY="$COLLECTIONS/ansible_collections/$NS/$NAME"
FILES="$TMP/files.txt"
make_copy() {
    step "copy the working tree to $COPY"
    mkdir -p "$COPY"
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' path; do
                case "$path" in .git/* | .venv/* | .ansible/* | tests/output/*) continue ;; esac
                # a tracked file deleted in the working tree is not part of it
                if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
            done >"$FILES.z"
    else
        (cd "$ROOT" && find . \( -name .git -o -name .venv -o -name .ansible -o -path ./tests/output -o -name __pycache__ \
            -o -name .pytest_cache -o -name .hypothesis -o -name '*.egg-info' \) -prune -o \( -type f -o -type l \) -print0 \
            | sed -z 's#^\./##') >"$FILES.z"
    fi
    tr '\0' '\n' <"$FILES.z" | sort >"$FILES"
    tar -C "$ROOT" --null --no-recursion -T "$FILES.z" -cf - | tar -C "$COPY" -xf -
    echo "$(wc -l <"$FILES") files"
}

# --- sanity -----------------------------------------------------------------------------------------
sanity() {
    step "ansible-test sanity"
    # ansible-test bootstraps pip in each of its sanity venvs by downloading get-pip-<version>.py from
    # ci-files.testing.ansible.com, which is unreachable. Pre-seed its cache with a shim of our own: it
    # installs pip from a pip wheel kept beside it (fetched from PyPI once), which is also 4x faster than
    # get-pip; without the wheel it falls back to ensurepip.
    local at_dir pipv cache shim
    at_dir=$("$PY" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
    pipv=$(grep -oP "pip='\K[0-9.]+" "$at_dir/_internal/python_requirements.py" | head -1)
    [ -n "$pipv" ] || die "cannot find the pip version ansible-test bootstraps"
    cache="$HOME/.ansible/test/cache"
    shim="$cache/get_pip_${pipv//./_}.py"
    mkdir -p "$cache"
    if [ ! -f "$cache/pip-$pipv-py3-none-any.whl" ]; then
        run "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
            "pip==$pipv" -d "$cache" || echo "no pip $pipv wheel: the shim will use ensurepip" >&2
    fi
    cat >"$shim.tmp.$$" <<'PY'
# get-pip replacement written by ops.wsus scripts/quality.sh (ansible-test runs: python get_pip_X.py [pip options] pip==X)
import ensurepip, os, re, subprocess, sys
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
options = [a for a in args if a.startswith("-")]
packages = [a for a in args if not a.startswith("-")]
wanted = re.fullmatch(r"pip==([0-9.]+)", packages[0]) if len(packages) == 1 else None
if wanted:
    wheel = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-%s-py3-none-any.whl" % wanted.group(1))
    if os.path.isfile(wheel):
        sys.exit(subprocess.call([sys.executable, os.path.join(wheel, "pip"), "install", "--no-index"] + options + [wheel]))
env = dict(os.environ)  # ensurepip sets PIP_CONFIG_FILE=/dev/null in os.environ; keep the real pip config
ensurepip.bootstrap(upgrade=True, default_pip=True)
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
PY
    mv -f "$shim.tmp.$$" "$shim"

    # The shellcheck test needs shellcheck as soon as the collection has a .sh file (scripts/ has).
    if ! command -v shellcheck >/dev/null 2>&1 && grep -q '\.sh$' "$FILES"; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-cache show shellcheck >/dev/null 2>&1 || run apt-get update -qq
            run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
        else
            die "the shellcheck sanity test needs shellcheck: install it (apt-get install shellcheck)"
        fi
    fi

    # tests/ holds pytest suites (`make pytest`), not ansible-test units or integration targets: sanity
    # would lint them as collection code, so they are excluded as targets. emulator/ and every other
    # Python file stay in and must pass compile, pep8 and pylint.
    # --python: the venv's own (3.11 for .venv; a leg of the version matrix runs this step with its venv,
    # scripts/matrix.sh), so that ansible-test uses that interpreter and finds no other.
    local python
    python=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    run_in "$COPY" ansible-test sanity --python "$python" --color no --exclude tests/
}

# --- lint -------------------------------------------------------------------------------------------
lint() {
    step "ansible-lint (profile production, offline)"
    # Offline, ansible-lint does not install the collection it lints: ANSIBLE_COLLECTIONS_PATH gives it
    # the copy. --project-dir: the copy has no .git to find the project root by.
    run_in "$COPY" env ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1 \
        ansible-lint --offline --profile production --project-dir . --nocolor
}

# --- yamllint ---------------------------------------------------------------------------------------
yaml_lint() {
    step "yamllint"
    run_in "$COPY" yamllint --strict --config-file .yamllint --format parsable .
}

# --- changelog --------------------------------------------------------------------------------------
changelog() {
    step "antsibull-changelog lint"
    # Every fragment: a known section, a list of strings (release_summary: one string), valid RST.
    run_in "$COPY" antsibull-changelog lint
    run_in "$COPY" antsibull-changelog lint-changelog-yaml --strict changelogs/changelog.yaml

    # A scratch copy of what antsibull-changelog reads (galaxy.yml, changelogs/, and the plugins and roles it
    # lists as new from their version_added): the working tree and the copy are not touched.
    local preview="$TMP/changelog/$NAME" version path
    mkdir -p "$preview"
    for path in galaxy.yml CHANGELOG.md changelogs plugins roles meta; do
        [ ! -e "$COPY/$path" ] || cp -a "$COPY/$path" "$preview/"
    done
    version=$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$preview/galaxy.yml")
    if "$PY" -c 'import sys, yaml; sys.exit(sys.argv[2] not in ((yaml.safe_load(open(sys.argv[1])) or {}).get("releases") or {}))' \
        "$preview/changelogs/changelog.yaml" "$version"; then
        step "CHANGELOG.md is what antsibull-changelog generate writes ($version is released)"
        run_in "$preview" antsibull-changelog generate
        if ! cmp -s "$preview/CHANGELOG.md" "$COPY/CHANGELOG.md"; then
            diff -u "$COPY/CHANGELOG.md" "$preview/CHANGELOG.md" >&2 || true
            die "CHANGELOG.md differs from what antsibull-changelog generate writes: it is generated, do not edit it by hand"
        fi
    else
        step "the changelog of $version (unreleased): a preview of antsibull-changelog release, in $preview"
        run_in "$preview" antsibull-changelog release --version "$version"
        cat "$preview/CHANGELOG.md"
    fi
}

# --- build ------------------------------------------------------------------------------------------
TARBALL=
build_tarball() {
    if [ -s "$TMP/tarball" ]; then TARBALL=$(cat "$TMP/tarball"); return 0; fi
    [ ! -e "$TMP/tarball.failed" ] || die "no collection tarball: the build failed (above)"
    touch "$TMP/tarball.failed"
    step "ansible-galaxy collection build"
    local out="$TMP/build" listing="$TMP/tarball.txt" bad=0 entry
    mkdir -p "$out"
    # From the working tree itself, so that galaxy.yml's build_ignore is what is tested.
    run ansible-galaxy collection build --force --output-path "$out" "$ROOT"
    TARBALL=$(ls "$out"/$NS-$NAME-*.tar.gz)
    tar -tzf "$TARBALL" | sed 's#^\./##' >"$listing"
    for entry in MANIFEST.json FILES.json README.md CHANGELOG.md changelogs/changelog.yaml meta/runtime.yml \
        plugins/modules/ schemas/ docs/ $([ -d "$ROOT/roles" ] && echo roles/); do
        grep -q "^$entry" "$listing" || { echo "the tarball lacks $entry" >&2; bad=1; }
    done
    for entry in .venv/ .git/ .ansible/ tests/output/ .hypothesis/ .pytest_cache/ emulator/ .ci/; do
        if grep -q "^$entry" "$listing"; then echo "the tarball must not contain $entry" >&2; bad=1; fi
    done
    # Nothing git ignores (caches, local builds, results) may slip in: every file of the tarball is one of
    # the tracked or untracked-but-not-ignored files.
    if grep -v '/$' "$listing" | grep -vxE 'MANIFEST\.json|FILES\.json' | sort | comm -23 - "$FILES" | grep .; then
        echo "the tarball holds the files above, which git ignores: add them to build_ignore in galaxy.yml" >&2
        bad=1
    fi
    [ "$bad" = 0 ] || die "bad tarball $(basename "$TARBALL")"
    echo "$(basename "$TARBALL"): $(grep -vc '/$' "$listing") files, $(du -k "$TARBALL" | cut -f1) KiB"
    echo "$TARBALL" >"$TMP/tarball"
    rm -f "$TMP/tarball.failed"
}

build() {
    build_tarball
    step "ansible-galaxy collection install"
    local installed="$TMP/installed" where module modules=()
    # Only the installed copy: not this checkout, not ~/.ansible/collections.
    export ANSIBLE_COLLECTIONS_PATH="$installed"
    run ansible-galaxy collection install --offline --force -p "$installed" "$TARBALL"
    where="$installed/ansible_collections/$NS/$NAME"

    step "ansible-doc, from the installed collection"
    for module in "$where"/plugins/modules/*.py; do
        module=$(basename "$module" .py)
        [ "$module" = __init__ ] || modules+=("$NS.$NAME.$module")
    done
    doc_check module "$where" "${modules[@]}"
    if [ -d "$where/roles/wsus_sync" ]; then
        doc_check role "$where" "$NS.$NAME.wsus_sync"
    fi

    step "a playbook from the installed collection, against the WSUS emulator"
    smoke "$where"
    unset ANSIBLE_COLLECTIONS_PATH
}

# doc_check TYPE DIR FQCN...: ansible-doc renders every one of them without error, from DIR.
doc_check() {
    local type=$1 where=$2 fqcn
    shift 2
    run ansible-doc -t "$type" "$@" >"$TMP/doc.txt"
    for fqcn in "$@"; do
        grep -qE "^> ${type^^}:? [*]?${fqcn//./[.]}[*]?( |$)" "$TMP/doc.txt" || die "ansible-doc did not render $fqcn"
    done
    ansible-doc -t "$type" --json "$@" >"$TMP/doc.json"
    "$PY" - "$TMP/doc.json" "$where" <<'PY'
import json, os, sys
docs, where = json.load(open(sys.argv[1])), os.path.realpath(sys.argv[2])
for fqcn, data in sorted(docs.items()):
    doc = data.get("doc") or {}
    path = doc.get("filename") or data.get("path") or ""
    if not os.path.realpath(path).startswith(where + os.sep) and os.path.realpath(path) != where:
        sys.exit("%s is documented from %r, not from the installed copy %s" % (fqcn, path, where))
    summary = doc.get("short_description") or ((data.get("entry_points") or {}).get("main") or {}).get("short_description")
    print("    %s: %s" % (fqcn, summary))
PY
}

smoke() {
    local where=$1 info="$TMP/emulator.json" port waited=0 run_no
    # Started here, stopped by its pid (below, or by the step's EXIT trap).
    "$PY" -m wsus_emulator --port 0 --control --sync-seconds 1 >"$info" 2>"$TMP/emulator.err" &
    EMULATOR_PID=$!
    until [ -s "$info" ]; do
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null || [ $waited -ge 150 ]; then
            cat "$TMP/emulator.err" >&2
            die "the emulator did not start"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    echo "emulator: $(head -1 "$info")"
    port=$("$PY" -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["ports"][0])' "$info")
    export ANSIBLE_LOCAL_TEMP="$TMP/ansible-tmp" ANSIBLE_HOME="$TMP/ansible-home" ANSIBLE_RETRY_FILES_ENABLED=0

    if [ -f "$where/examples/site.yml" ] && [ -f "$where/examples/inventory/emulator.yml" ]; then
        # The example site playbook (role ops.wsus.wsus_sync) against the emulator, the way scripts/demo.sh
        # runs it: inventory examples/inventory/emulator.yml, the emulator's port as an extra variable, the
        # proxy password the example documents read from the environment. emulator.yml has no replicas,
        # so the second play matches no host. Twice: the first run changes the server, the second nothing.
        for run_no in 1 2; do
            run_in "$TMP" env WSUS_PROXY_PASSWORD=quality-only-proxy-secret ANSIBLE_HOST_PATTERN_MISMATCH=ignore \
                ansible-playbook -i "$where/examples/inventory/emulator.yml" "$where/examples/site.yml" \
                -e "wsus_port=$port" -e wsus_auth=ntlm -e wsus_sync_poll_interval=1 | tee "$TMP/site-$run_no.log"
            recap_check "$TMP/site-$run_no.log" "$run_no"
        done
    else
        # No example to run (yet): the collection's own smoke playbook, which asserts changed, then not changed.
        run_in "$TMP" ansible-playbook -i localhost, -e "wsus_port=$port" "$where/tests/quality/installed_smoke.yml"
    fi
    stop_emulator
}

# recap_check LOG RUN: run 1 changed something, run 2 changed nothing; neither failed.
recap_check() {
    local log=$1 run_no=$2 recap
    recap=$(sed -n '/^PLAY RECAP/,$p' "$log" | grep -E ' changed=[0-9]+ ') || die "no PLAY RECAP in run $run_no"
    ! grep -qE ' (failed|unreachable)=[1-9]' <<<"$recap" || die "run $run_no failed"
    if [ "$run_no" = 1 ]; then
        grep -qE ' changed=[1-9]' <<<"$recap" || die "the first run changed nothing: the emulator should have needed changes"
    else
        ! grep -qE ' changed=[1-9]' <<<"$recap" || die "the second run changed something: not idempotent"
    fi
}

# --- ee ---------------------------------------------------------------------------------------------
ee() {
    build_tarball
    step "ansible-builder create (the build context only: no container runtime needed)"
    local context="$TMP/ee-context"
    # ansible-builder reads `python: requirements.txt` relative to meta/ (see meta/execution-environment.yml).
    cmp -s "$ROOT/requirements.txt" "$ROOT/meta/requirements.txt" \
        || die "meta/requirements.txt differs from requirements.txt: cp requirements.txt meta/requirements.txt"
    # The definition picks the tarball up from the repository root (../ops-wsus-*.tar.gz from meta/):
    # put it there in the copy, not in the working tree.
    rm -f "$COPY"/$NS-$NAME-*.tar.gz
    cp "$TARBALL" "$COPY/"
    run ansible-builder create -f "$COPY/meta/execution-environment.yml" -c "$context" \
        --output-filename Containerfile
    [ -s "$context/Containerfile" ] || die "ansible-builder wrote no Containerfile"
    ls "$context"/_build/collection/$NS-$NAME-*.tar.gz >/dev/null 2>&1 || die "the collection tarball is not in the build context"
    cmp -s "$context/_build/requirements.txt" "$ROOT/requirements.txt" || die "the build context lacks requirements.txt"
    grep -q '^FROM ' "$context/Containerfile" || die "the Containerfile has no FROM"
    echo "Containerfile: $(wc -l <"$context/Containerfile") lines, $(grep -c '^FROM ' "$context/Containerfile") stages"
}

make_copy
# Every step runs, each in a subshell with errexit; the script fails at the end if any of them failed.
FAILED=()
for s in "${STEPS[@]}"; do
    set +e
    (
        set -e
        trap stop_emulator EXIT
        trap 'exit 130' INT TERM
        case $s in
            sanity) sanity ;;
            lint) lint ;;
            yamllint) yaml_lint ;;
            changelog) changelog ;;
            build) build ;;
            ee) ee ;;
        esac
    )
    rc=$?
    set -e
    [ "$rc" != 130 ] || exit 130
    [ "$rc" = 0 ] || FAILED+=("$s")
done

step "timings"
cat "$TMP/timings"
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "quality: FAILED: ${FAILED[*]} (of ${STEPS[*]}), after ${SECONDS}s" >&2
    exit 1
fi
echo "quality: passed (${STEPS[*]}) in ${SECONDS}s"
