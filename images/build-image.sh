#!/usr/bin/env bash
# Builds the container image of the agent or the hub as a `docker save` archive, without a Docker
# daemon: the base image (build-base.sh: Debian without a shell, a jlinked Java, user 65532) plus one
# layer with the runnable jar, and the image settings of images/<component>.json.
#
# usage: images/build-image.sh agent|hub JAR VERSION OUT.tar
# Load it where there is a container engine: `docker load -i OUT.tar` (or `skopeo copy
# docker-archive:OUT.tar docker://REGISTRY/outpost-dev/outpost-agent:VERSION` to push it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -eq 4 ]] || { echo "usage: $0 agent|hub JAR VERSION OUT.tar" >&2; exit 2; }
component=$1 jar=$2 version=$3 out=$4
settings=$here/$component.json
[[ -f "$settings" ]] || { echo "image: no settings for '$component' ($settings)" >&2; exit 2; }
[[ -f "$jar" ]] || { echo "image: $jar does not exist: build it first (./mvnw package)" >&2; exit 2; }
cache=${OUTPOST_IMAGE_CACHE:-$HOME/.cache/outpost/images}
"$here/build-base.sh"
start=$(date +%s)
resolved=$(mktemp)
trap 'rm -f "$resolved"' EXIT
sed "s/@VERSION@/$version/g" "$settings" > "$resolved"
python3 "$here/image_archive.py" app "$cache/base.tar" "$jar" "ghcr.io/outpost-dev/outpost-$component:$version" "$resolved" "$out"
echo "image: built $out (ghcr.io/outpost-dev/outpost-$component:$version, $(du -h "$out" | cut -f1)) in $(( $(date +%s) - start ))s"
