#!/usr/bin/env bash
# Checks the shell scripts users run (installer-scripts/*.sh) with shellcheck; installs it from
# Debian's packages first when it is missing and this runs as root (as CI does).
#
#   scripts/shellcheck.sh [FILE...]   (default: installer-scripts/*.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck > /dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
    apt-get update -qq && apt-get install -y -qq shellcheck > /dev/null
  else
    echo "shellcheck.sh: shellcheck is not installed: apt-get install shellcheck (or brew install shellcheck)" >&2
    exit 2
  fi
fi

if [[ $# -eq 0 ]]; then
  set -- installer-scripts/*.sh
fi
shellcheck --version | sed -n 's/^version: /shellcheck.sh: shellcheck /p'
shellcheck "$@"
echo "shellcheck.sh: $# file(s) clean"
