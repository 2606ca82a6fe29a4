#!/usr/bin/env bash
# Checks the shell scripts with shellcheck; installs it from Debian's packages first when it is
# missing and this runs as root (as CI does). The scripts users run (installer-scripts/*.sh) must be
# clean of every finding; the project's own (build, test and dev scripts) of warnings and errors.
#
#   scripts/shellcheck.sh [FILE...]   (default: all of them; given files are checked in full)
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
shellcheck --version | sed -n 's/^version: /shellcheck.sh: shellcheck /p'
if [[ $# -gt 0 ]]; then
  shellcheck --external-sources "$@"
  echo "shellcheck.sh: $# file(s) clean"
  exit 0
fi
users=(installer-scripts/*.sh installer-scripts/lib/*.sh)
own=(dev .ci/run images/*.sh scripts/*.sh e2e/cluster/build.sh agent/rbac/*.sh)
shellcheck --external-sources "${users[@]}"
shellcheck --severity=warning "${own[@]}"
echo "shellcheck.sh: ${#users[@]} installer script(s) clean, ${#own[@]} project script(s) free of warnings"
