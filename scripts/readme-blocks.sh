#!/usr/bin/env bash
# Prints the shell blocks (```sh fences) of one marked section of README.md, in order, so that what
# the README tells a newcomer to paste is what runs: `./dev demo` runs section "quickstart", and
# e2e's QuickstartIT runs "quickstart" then "quickstart-stop".
# Usage: scripts/readme-blocks.sh SECTION [README]   (a section is <!-- SECTION:begin --> … <!-- SECTION:end -->)
set -euo pipefail
section=${1:?usage: readme-blocks.sh SECTION [README]}
readme=${2:-$(dirname "$0")/../README.md}
awk -v begin="<!-- $section:begin -->" -v end="<!-- $section:end -->" '
  $0 == begin { inside = 1; found = 1; next }
  $0 == end { inside = 0; next }
  inside && /^```sh[[:space:]]*$/ { block = 1; blocks++; next }
  inside && block && /^```[[:space:]]*$/ { block = 0; next }
  inside && block { print }
  END {
    if (!found) { print "readme-blocks: no section \"" begin "\" in " FILENAME > "/dev/stderr"; exit 1 }
    if (!blocks) { print "readme-blocks: section " begin " has no ```sh block" > "/dev/stderr"; exit 1 }
  }' "$readme"
