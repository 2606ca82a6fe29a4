#!/usr/bin/env bash
# Checks that the agent's grpc-okhttp, of an older gRPC release than the rest of its gRPC (the
# newest Maven Central serves here), references only classes, methods and fields the agent's gRPC
# jars have (scripts/GrpcLinkage.java). Run after the agent's dependencies are resolved (./dev test
# or ./mvnw install); needs JDK 24 or later in JAVA_HOME, as CI's.
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
classpath=$(mktemp)
trap 'rm -f "$classpath"' EXIT
./mvnw -B -q -pl agent dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$classpath" > /dev/null
mapfile -t jars < <(tr ':' '\n' < "$classpath" | grep '/io/grpc/')
okhttp=$(printf '%s\n' "${jars[@]}" | grep '/grpc-okhttp-')
others=$(printf '%s\n' "${jars[@]}" | grep -v '/grpc-okhttp-')
# shellcheck disable=SC2086 # one argument per jar
"$java" scripts/GrpcLinkage.java "$okhttp" $others
