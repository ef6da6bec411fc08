#!/usr/bin/env bash
# The collection's docsite, built the Ansible way with antsibull-docs (`make docs`; `make test` runs it
# too). See docs/quality.md.
#
#   copy     the collection (tracked and untracked-but-not-ignored files) to a temporary
#            .../ansible_collections/ops/wsus, where ansible-doc and antsibull-docs read it
#   pages    each docs/*.md becomes an extra doc of that copy, docs/docsite/rst/<page>.rst (pandoc, with
#            scripts/md-to-rst.lua), listed in its docs/docsite/extra-docs.yml under the sections below
#   lint     antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs on the copy: module,
#            plugin and role docs, their markup and references, the extra docs
#   html     antsibull-docs sphinx-init + collection (the module, role and plugin pages from their own docs,
#            the collection index with the extra docs), then sphinx-build -W: build/docs/html/index.html
#
# Usage: [VENV=.venv/docs] bash scripts/docs.sh [lint]      (lint: copy, pages and lint, no HTML)
# Needs what `make docs` installs from requirements-docs.txt. No network: the references to the Ansible
# docsite resolve against a small inventory written here (ANSIBLE_LABELS).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=$(cd "${VENV:-.venv/docs}" 2>/dev/null && pwd) || { echo "docs: no venv at ${VENV:-.venv/docs}: run 'make docs'" >&2; exit 2; }
export PATH="$VENV/bin:$PATH"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1
NS=ops
NAME=wsus
MODE=${1:-html}
case $MODE in html | lint) ;; *) echo "usage: bash scripts/docs.sh [lint]" >&2; exit 2 ;; esac

# The extra docs' sections: "Title|page page ...", pages by their docs/*.md name. A page of docs/ that no
# section names is published too, in a last section (the build says so).
SECTIONS=(
    "Using the collection|role document sync-health kerberos troubleshooting faults comparison"
    "How it is built and tested|architecture protocol-notes evidence performance quality"
)
# Labels of the Ansible docsite that the generated pages refer to ("label path#anchor title"): Sphinx resolves
# them against this inventory instead of downloading docs.ansible.com's. A new one shows up as
# "undefined label" in the build: add it here.
ANSIBLE_DOCS=https://docs.ansible.com/projects/ansible/devel/
ANSIBLE_LABELS=(
    "common_return_values reference_appendices/common_return_values.html#common-return-values Return Values"
    "ansible_configuration_settings reference_appendices/config.html#ansible-configuration-settings Ansible Configuration Settings"
    "action_plugins plugins/action.html#action-plugins Action plugins"
)

HTML=$ROOT/build/docs/html
# The copy and the Sphinx project live outside the work tree: antsibull-docs copies a collection that is in a
# git work tree with git (tracked files only), and build/ is ignored.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ops-wsus-docs.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
COLLECTIONS=$TMP/collections
COPY=$COLLECTIONS/ansible_collections/$NS/$NAME
SITE=$TMP/site
TIMINGS=$TMP/timings
: >"$TIMINGS"
export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS ANSIBLE_HOME=$TMP/ansible-home ANSIBLE_LOCAL_TEMP=$TMP/ansible-tmp

die() {
    echo "docs: $*" >&2
    exit 1
}
step() {
    printf '\n=== %s ===\n' "$*"
}
# run CMD...: print the command, run it, note how long it took.
run() {
    local start=$SECONDS rc=0
    echo "+ $*" >&2
    "$@" || rc=$?
    printf '%4ss  %s%s\n' $((SECONDS - start)) "$*" "$([ $rc = 0 ] || echo "  (exit $rc)")" >>"$TIMINGS"
    return "$rc"
}

step "copy the collection to $COPY"
mkdir -p "$COPY"
list_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else  # not a git checkout (an unpacked tarball): every file but the caches
        find . \( -name .git -o -name .venv -o -name build -o -name .ansible -o -name __pycache__ \
            -o -name .pytest_cache -o -name .hypothesis -o -name '*.egg-info' \) -prune -o \( -type f -o -type l \) -print0 \
            | sed -z 's#^\./##'
    fi
}
list_files | while IFS= read -r -d '' path; do
    # the extra docs are written below, from docs/*.md (a docs/docsite/links.yml or config.yml stays)
    case "$path" in .venv/* | build/* | docs/docsite/extra-docs.yml | docs/docsite/rst/*) continue ;; esac
    if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
done | tar --null --no-recursion -T - -cf - | tar -C "$COPY" -xf -

step "docs/*.md as extra docs (docs/docsite/rst/ of the copy)"
PANDOC=$(python -c 'import pypandoc; print(pypandoc.get_pandoc_path())') || die "no pandoc: run 'make docs'"
mkdir -p "$COPY/docs/docsite/rst"
PAGES=()
for md in docs/*.md; do
    PAGES+=("$(basename "$md" .md)")
done
for page in "${PAGES[@]}"; do
    DOCSITE_PAGE=$page DOCSITE_PAGES="${PAGES[*]}" DOCSITE_PREFIX="ansible_collections.$NS.$NAME.docsite" \
        "$PANDOC" --from gfm --to rst --wrap=preserve --lua-filter scripts/md-to-rst.lua \
        --output "$COPY/docs/docsite/rst/$page.rst" "docs/$page.md"
done
python - "$COPY/docs/docsite/extra-docs.yml" "${PAGES[*]}" "${SECTIONS[@]}" <<'PY'
import sys
import yaml
path, pages, sections = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
index, listed = [], set()
for section in sections:
    title, names = section.split("|")
    names = [name for name in names.split() if name in pages]
    listed.update(names)
    if names:
        index.append({"title": title, "toctree": names})
rest = [name for name in pages if name not in listed]
if rest:
    print("docs: pages in no section of scripts/docs.sh, published under 'More': %s" % " ".join(rest), file=sys.stderr)
    index.append({"title": "More", "toctree": rest})
with open(path, "w") as handle:
    yaml.safe_dump({"sections": index}, handle, sort_keys=False)
PY
echo "${#PAGES[@]} pages: ${PAGES[*]}"

step "antsibull-docs lint-collection-docs"
run_lint() {
    local out=$TMP/lint.txt rc=0
    (cd "$COPY" && antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
        --validate-collection-refs all .) >"$out" 2>&1 || rc=$?
    cat "$out"
    # It exits 3 on findings; any line it prints is one.
    [ "$rc" = 0 ] && [ ! -s "$out" ]
}
run run_lint || die "antsibull-docs lint-collection-docs found the problems above"
[ "$MODE" = html ] || { cat "$TIMINGS"; echo "docs: lint passed"; exit 0; }

step "antsibull-docs sphinx-init + collection, sphinx-build: $HTML"
mkdir -m 755 "$SITE"  # antsibull-docs wants its folders writable by their owner only
version=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$COPY/galaxy.yml")
run antsibull-docs sphinx-init --use-current --squash-hierarchy --dest-dir "$SITE" --project "$NS.$NAME" \
    --copyright "$NS.$NAME maintainers" --title "$NS.$NAME $version" "$NS.$NAME" >/dev/null
python - "$SITE/ansible_devel.inv" "${ANSIBLE_LABELS[@]}" <<'PY'
import sys
import zlib
lines = []
for entry in sys.argv[2:]:
    label, uri, title = entry.split(" ", 2)
    lines.append("%s std:label -1 %s %s\n" % (label, uri, title))
with open(sys.argv[1], "wb") as handle:
    handle.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
                 b"# The remainder of this file is compressed using zlib.\n" + zlib.compress("".join(lines).encode()))
PY
# sphinx-init's conf.py downloads the inventories of docs.python.org, jinja and docs.ansible.com: only the
# Ansible one is referred to, and it is the file above.
cat >>"$SITE/conf.py" <<EOF

# scripts/docs.sh: no network; references to the Ansible docsite resolve against ansible_devel.inv
intersphinx_mapping = {'ansible_devel': ('$ANSIBLE_DOCS', '$SITE/ansible_devel.inv')}
EOF
chmod 755 "$SITE/rst"  # sphinx-init made it
run antsibull-docs --config-file "$SITE/antsibull-docs.cfg" collection --use-current --squash-hierarchy \
    --fail-on-error --dest-dir "$SITE/rst" "$NS.$NAME"
rm -rf "$HTML"
run sphinx-build -b html -c "$SITE" -W --keep-going -q "$SITE/rst" "$HTML"
[ -s "$HTML/index.html" ] || die "sphinx-build wrote no index.html"

step "timings"
cat "$TIMINGS"
echo "docs: $HTML/index.html ($(find "$HTML" -name '*.html' | wc -l) pages)"
