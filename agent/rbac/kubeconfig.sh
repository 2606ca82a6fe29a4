#!/usr/bin/env bash
# Writes a kubeconfig for the Outpost agent's ServiceAccount (made by setup.sh), for an agent that runs
# outside the cluster: the cluster's address and CA from your current kubectl context, and a token
# from `kubectl create token`. Pass the file to the agent with --kubeconfig. See agent/rbac/README.md.
#
#   agent/rbac/kubeconfig.sh --agent-namespace outpost --output agent-kubeconfig.yaml [--duration 8760h]
#       [--context NAME]
set -euo pipefail

agent_namespace=""
output=""
duration="8760h"
service_account="outpost-agent"
context=()

fail() {
  echo "kubeconfig.sh: $*" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --agent-namespace) agent_namespace="${2:-}"; shift 2 || fail "--agent-namespace needs a value" ;;
    --output) output="${2:-}"; shift 2 || fail "--output needs a value" ;;
    --duration) duration="${2:-}"; shift 2 || fail "--duration needs a value" ;;
    --context) context=(--context "${2:-}"); shift 2 || fail "--context needs a value" ;;
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
done
[[ -n "$agent_namespace" ]] || fail "--agent-namespace is required (see --help)"
[[ -n "$output" ]] || fail "--output is required (see --help)"

# The API server may cap the duration (--service-account-max-token-expiration); the agent says
# "401 Unauthorized ... write a new kubeconfig" once the token has expired: run this script again.
token="$(kubectl "${context[@]}" create token "$service_account" --namespace "$agent_namespace" --duration "$duration")"
server="$(kubectl "${context[@]}" config view --minify --raw -o 'jsonpath={.clusters[0].cluster.server}')"
ca_data="$(kubectl "${context[@]}" config view --minify --raw -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}')"
if [[ -z "$ca_data" ]]; then
  ca_file="$(kubectl "${context[@]}" config view --minify --raw -o 'jsonpath={.clusters[0].cluster.certificate-authority}')"
  [[ -n "$ca_file" ]] || fail "the current context's cluster has no certificate-authority(-data); cannot write a verified kubeconfig"
  ca_data="$(base64 -w0 < "$ca_file")"
fi
[[ -n "$server" ]] || fail "the current context's cluster has no server"

user="system:serviceaccount:$agent_namespace:$service_account"
umask 077 # the file holds a bearer token
cat > "$output" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: outpost-agent-cluster
    cluster:
      server: $server
      certificate-authority-data: $ca_data
users:
  - name: $user
    user:
      token: $token
contexts:
  - name: outpost-agent
    context:
      cluster: outpost-agent-cluster
      user: $user
      namespace: $agent_namespace
current-context: outpost-agent
YAML
echo "kubeconfig.sh: wrote $output for $user on $server (token valid for $duration, or the server's maximum)" >&2
