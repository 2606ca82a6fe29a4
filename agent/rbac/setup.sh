#!/usr/bin/env bash
# Prints (or applies) the Outpost agent's least-privilege RBAC: its ServiceAccount in the agent's
# namespace, a Role + RoleBinding in every namespace it manages (--namespaces) and, with
# --per-deployment, what it needs to create a namespace per deployment. Nothing else cluster-wide
# unless --with-cluster-facts is given. See agent/rbac/README.md.
#
#   agent/rbac/setup.sh --agent-namespace outpost [--per-deployment] [--namespaces acme-apps,acme-data]
#       [--create-namespaces] [--with-cluster-facts] [--apply [--context NAME]]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
agent_namespace=""
namespaces=""
create_namespaces=false
cluster_facts=false
per_deployment=false
apply=false
context=()

usage() {
  sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  cat <<'TEXT'
Options:
  --agent-namespace NS    namespace of the agent's ServiceAccount (created with --create-namespaces)
  --per-deployment        let the agent create a namespace per deployment (per-deployment.yaml: create
                          and get namespaces, bind itself to outpost-agent-deployer in those it created)
  --namespaces A,B        the existing namespaces the agent manages: the same list as the agent's
                          --namespaces (required without --per-deployment)
  --create-namespaces     also print the Namespace objects (kubectl apply leaves existing ones as they are)
  --with-cluster-facts    also grant get/list on nodes and storage classes (cluster-facts-clusterrole.yaml),
                          so the hub shows node count and platform instead of "unknown", and a
                          plan's preflight checks storage classes
  --apply                 apply with kubectl instead of printing
  --context NAME          kubectl context for --apply
TEXT
}

fail() {
  echo "setup.sh: $*" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --agent-namespace) agent_namespace="${2:-}"; shift 2 || fail "--agent-namespace needs a value" ;;
    --namespaces) namespaces="${2:-}"; shift 2 || fail "--namespaces needs a value" ;;
    --create-namespaces) create_namespaces=true; shift ;;
    --with-cluster-facts) cluster_facts=true; shift ;;
    --per-deployment) per_deployment=true; shift ;;
    --apply) apply=true; shift ;;
    --context) context=(--context "${2:-}"); shift 2 || fail "--context needs a value" ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
done

label='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ -n "$agent_namespace" ]] || fail "--agent-namespace is required (see --help)"
[[ "$agent_namespace" =~ $label ]] || fail "--agent-namespace: '$agent_namespace' is not a valid namespace name"
managed=()
if [[ -n "$namespaces" ]]; then
  IFS=',' read -r -a managed <<< "$namespaces"
  [[ ${#managed[@]} -gt 0 ]] || fail "--namespaces must name at least one namespace"
elif ! $per_deployment; then
  fail "--namespaces is required unless --per-deployment is given (see --help)"
fi
for ns in "${managed[@]+"${managed[@]}"}"; do
  [[ "$ns" =~ $label ]] || fail "--namespaces: '$ns' is not a valid namespace name"
done

# Placeholders are whole words in the templates, so plain substitution is exact.
fill() {
  sed -e "s/MANAGED_NAMESPACE/$2/g" -e "s/AGENT_NAMESPACE/$agent_namespace/g" "$here/$1" | grep -v '^#'
}

namespace_object() {
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$1"
}

render() {
  if $create_namespaces; then
    namespace_object "$agent_namespace"
    for ns in "${managed[@]+"${managed[@]}"}"; do
      [[ "$ns" == "$agent_namespace" ]] || { echo '---'; namespace_object "$ns"; }
    done
    echo '---'
  fi
  fill service-account.yaml ""
  for ns in "${managed[@]+"${managed[@]}"}"; do
    echo '---'
    fill namespace-role.yaml "$ns"
  done
  if $per_deployment; then
    echo '---'
    fill per-deployment.yaml ""
  fi
  if $cluster_facts; then
    echo '---'
    fill cluster-facts-clusterrole.yaml ""
  fi
}

if $apply; then
  render | kubectl "${context[@]}" apply -f -
else
  render
fi
