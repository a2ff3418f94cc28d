#!/usr/bin/env bash
# Installs schemathesis (the API contract fuzzer) into the project-local virtual environment
# .cache/schemathesis-venv, once per version of the lock file. Prints the schemathesis command on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.cache/schemathesis-venv"
lock="$root/tools/schemathesis/requirements.lock"
stamp="$venv/.installed-$(sha256sum "$lock" | cut -c1-16)"

if [[ ! -f "$stamp" ]]; then
  command -v python3 >/dev/null || { echo "install-schemathesis: Python 3 is required; none on PATH" >&2; exit 1; }
  echo "install-schemathesis: installing schemathesis into $venv..." >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$lock"
  touch "$stamp"
fi
echo "$venv/bin/schemathesis"
