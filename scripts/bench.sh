#!/usr/bin/env bash
# make bench: run the benchmarks (benchmarks/run.py) with the project's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
exec "$VENV/bin/python" benchmarks/run.py "$@"
