#!/usr/bin/env bash
# Builds the base image of Outpost's container images, from Debian's packages and the build's JDK,
# without a Docker daemon or a registry: a Debian bookworm root filesystem with no shell and no
# package manager (mmdebstrap --variant=extract: the packages unpacked, no maintainer scripts run),
# a jlinked Java runtime in /opt/java, and a non-root user (65532). Written as a `docker save`
# archive, which jib reads as a `tar://` base.
#
# Output: $OUTPOST_IMAGE_CACHE/base.tar (default ~/.cache/outpost/images). Rebuilt only when this
# script, the package list or the JDK change (a stamp records what built it).
# Needs: mmdebstrap (Debian package; installed here with apt when missing and running as root),
# Debian's package mirror, python3, and the JDK in JAVA_HOME (its jlink).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OUTPOST_IMAGE_CACHE:-$HOME/.cache/outpost/images}
java_home=${JAVA_HOME:?JAVA_HOME must name the JDK whose jlink builds the runtime}
# libc and the libraries a jlinked JDK links against; tzdata for time zones; netbase for /etc/services.
packages=libc6,libgcc-s1,zlib1g,base-files,netbase,tzdata
# What the hub and the agent use of the JDK: `jdeps --print-module-deps --multi-release 21` over both
# shaded jars (java.desktop is java.beans, jdk.jfr Micronaut's events), plus modules only loaded by
# name at run time (EC keys, DNS naming, zip file systems, management beans).
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs

jdk_version=$("$java_home/bin/java" -version 2>&1 | head -1)
stamp=$( (cat "$0" "$here/image_archive.py"; echo "$jdk_version") | sha256sum | cut -c1-16)
if [[ -f "$cache/base.tar" && -f "$cache/base.stamp" && "$(cat "$cache/base.stamp")" == "$stamp" ]]; then
  echo "image-base: $cache/base.tar is up to date"
  exit 0
fi
if ! command -v mmdebstrap > /dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
    apt-get install -y -qq mmdebstrap > /dev/null || { apt-get update -qq && apt-get install -y -qq mmdebstrap > /dev/null; }
  else
    echo "image-base: mmdebstrap is needed: sudo apt-get install mmdebstrap" >&2
    exit 1
  fi
fi
start=$(date +%s)
mkdir -p "$cache"
work=$(mktemp -d "$cache/base-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

mmdebstrap --quiet --variant=extract --include="$packages" bookworm "$work/rootfs.tar"

# lib/modules not zip-compressed: the JVM reads every JDK class from it, and from a compressed one
# the agent keeps 10 MiB more of it resident (13.6 instead of 3.2 MiB; idle 148 -> 137 MiB,
# docs/benchmarks.md, agent memory). Bigger on disk (63 instead of 29 MB), smaller in a registry's
# gzipped layer (20 instead of 28 MB). No CDS archive (--generate-cds-archive): it starts the JVM
# faster but, relocated at each start, is resident whole (13 MiB for ~1,400 classes), 5 MiB more than
# parsing those classes.
# From JDK 25 on, two options are built into the runtime (jlink --add-options), so that they hold
# whatever JAVA_TOOL_OPTIONS a chart sets: compact object headers (JEP 519: 8-byte headers, product
# from 25) and the native heap handed back every minute (what class loading and compiling freed at
# start stays in malloc's arenas otherwise). Together 4.4 MiB of the idle agent's 111 (docs/benchmarks.md).
# JDK 21 refuses the first and has the second only as an experimental option, so it gets neither.
feature=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
runtime_options=()
if (( feature >= 25 )); then
  runtime_options=(--add-options="-XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=60000")
fi
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  "${runtime_options[@]}" --output "$work/java"

# The runtime and the user as a second layer: /opt/java, /etc/passwd and /etc/group (nothing else in
# the image creates them: no maintainer script ran), and a writable /tmp.
mkdir -p "$work/layer/opt" "$work/layer/etc" "$work/layer/tmp"
mv "$work/java" "$work/layer/opt/java"
printf 'root:x:0:0:root:/root:/nonexistent\noutpost:x:65532:65532:outpost:/home/outpost:/nonexistent\n' > "$work/layer/etc/passwd"
printf 'root:x:0:\noutpost:x:65532:\n' > "$work/layer/etc/group"
mkdir -p "$work/layer/home/outpost"
python3 "$here/image_archive.py" base "$work/rootfs.tar" "$work/layer" "$work/base.tar"
mv "$work/base.tar" "$cache/base.tar"
echo "$stamp" > "$cache/base.stamp"
echo "image-base: built $cache/base.tar ($(du -h "$cache/base.tar" | cut -f1)) in $(( $(date +%s) - start ))s"
