#!/usr/bin/env bash
# Checks and tests of the Python SDK (python/). Run from the repository root:
#   bash scripts/test-python.sh [extra pytest arguments]
# Creates python/.venv on first use and (re)installs the package with its test extra whenever
# python/pyproject.toml changed since the last install, so reruns start straight away.
# The end-to-end tests need the built gateway and testkit (`npm run build`); without them they skip.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$root/python"
venv="$pkg/.venv"
py="$venv/bin/python"
stamp="$venv/.meshapi-install-stamp"
export PIP_RETRIES=0 PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x "$py" ]; then
  echo "python: creating $venv"
  "${PYTHON:-python3}" -m venv "$venv"
fi

wanted="$("$py" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$pkg/pyproject.toml")"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "python: installing meshapi[test] into $venv"
  log="$(mktemp)"
  if ! "$py" -m pip install --quiet -e "$pkg[test]" >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    echo "python: pip install failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$wanted" >"$stamp"
fi

cd "$pkg"
echo "python: ruff check"
"$venv/bin/ruff" check .
echo "python: ruff format --check"
"$venv/bin/ruff" format --check .
echo "python: mypy --strict"
"$venv/bin/mypy" --strict
echo "python: pytest"
"$venv/bin/pytest" "$@"
