#!/usr/bin/env bash
# ./dev demo: a local test cluster, a hub on a fresh data directory and an agent, then the README's
# quickstart (the same blocks QuickstartIT runs) deploys the example release; prints what to look
# at and keeps everything up until Ctrl-C, then stops the agent, the hub and the cluster.
# Run it through ./dev demo, which builds the jars and the cluster launcher first.
# Ports: OUTPOST_HTTP_PORT (default 8080) and OUTPOST_GRPC_PORT (default 8443) must be free.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OUTPOST_CLUSTER_CLASSPATH:?run this through ./dev demo}"

for tool in curl jq openssl kubectl; do
  command -v "$tool" > /dev/null || { echo "demo: needs $tool; install it and run ./dev demo again" >&2; exit 1; }
done
export OUTPOST_HTTP_PORT=${OUTPOST_HTTP_PORT:-8080} OUTPOST_GRPC_PORT=${OUTPOST_GRPC_PORT:-8443}
for port in "$OUTPOST_HTTP_PORT" "$OUTPOST_GRPC_PORT"; do
  if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
    echo "demo: port $port is in use (is a hub running?); stop it or pick free ports:" \
      "OUTPOST_HTTP_PORT=18080 OUTPOST_GRPC_PORT=18443 ./dev demo" >&2
    exit 1
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/outpost-demo.XXXXXX")
export WORK OUTPOST_SKIP_BUILD=1 # ./dev demo has just built the jars
CLUSTER_PID='' HUB_PID='' AGENT_PID=''

# stop PID within SECONDS: SIGTERM, then SIGKILL
stop_process() {
  local pid=$1 seconds=$2
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2> /dev/null || return 0
  for _ in $(seq $((seconds * 5))); do kill -0 "$pid" 2> /dev/null || return 0; sleep 0.2; done
  echo "demo: process $pid did not stop within ${seconds}s; killing it" >&2
  kill -9 "$pid" 2> /dev/null || true
}

stop_all() {
  local status=$?
  trap - EXIT INT TERM
  echo "demo: stopping the agent, the hub and the cluster"
  stop_process "$AGENT_PID" 25 # it finishes a running command first (up to 20 s)
  stop_process "$HUB_PID" 15
  stop_process "$CLUSTER_PID" 40 # stops its components one by one
  if [[ $status -ne 0 && $status -ne 130 ]]; then
    for log in "$WORK"/*.log; do echo "--- last lines of $log"; tail -n 15 "$log"; done >&2
    echo "demo: failed; logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

echo "demo: starting a local Kubernetes cluster (logs: $WORK/cluster.log)"
# In a session of its own where possible: Ctrl-C then reaches only this script, which stops the
# cluster's components in order instead of all of them dying at once.
own_session=()
if command -v setsid > /dev/null; then own_session=(setsid); fi
"${own_session[@]}" java -cp "$OUTPOST_CLUSTER_CLASSPATH" dev.outpost.testcluster.LocalCluster --kubeconfig "$WORK/kubeconfig" \
  > "$WORK/cluster.log" 2>&1 &
CLUSTER_PID=$!
for _ in $(seq 180); do
  [[ -s "$WORK/kubeconfig" ]] && break
  kill -0 "$CLUSTER_PID" 2> /dev/null || { echo "demo: the cluster did not start" >&2; exit 1; }
  sleep 1
done
[[ -s "$WORK/kubeconfig" ]] || { echo "demo: the cluster was not ready within 180 s" >&2; exit 1; }
export KUBECONFIG=$WORK/kubeconfig

echo "demo: hub, agent and a deployment, as in the README's quickstart"
# shellcheck source=/dev/null # the blocks come from README.md
source <(scripts/readme-blocks.sh quickstart)

cat << EOF_INFO

Outpost demo is running; Ctrl-C stops everything.
  hub REST API   $OUTPOST (admin token: $TOKEN)
    curl -s -H "Authorization: Bearer $TOKEN" $OUTPOST/api/v1/deployments/$DEPLOYMENT_ID | jq
    curl -s -H "Authorization: Bearer $TOKEN" $OUTPOST/api/v1/operations/$OPERATION_ID | jq
    curl -s -H "Authorization: Bearer $TOKEN" $OUTPOST/api/v1/agents | jq
    $OUTPOST/api/v1/openapi.yaml  $OUTPOST/health  $OUTPOST/metrics
  the cluster    kubectl --kubeconfig $KUBECONFIG get all,configmaps -n acme-apps
  logs           $WORK/hub.log  $WORK/agent.log  $WORK/cluster.log
EOF_INFO
while kill -0 "$CLUSTER_PID" 2> /dev/null; do sleep 1; done
echo "demo: the cluster stopped by itself (see $WORK/cluster.log)" >&2
exit 1
