#!/usr/bin/env bash
# Removes what install-agent.sh installed: the agent's Deployment, ServiceAccount, join-token Secret
# and NetworkPolicy, its Roles in the managed namespaces and its cluster-wide RBAC and admission
# policy. Keeps the agent's state claim (its identity at the hub) and namespace unless --purge.
#
#   uninstall-agent.sh [--namespace outpost] [--namespaces a,b] [--purge]
#       [--kubeconfig FILE] [--context NAME]
#
# Exit codes: 0 removed (or nothing to remove), 2 usage, 3 cannot reach the cluster, 4 a delete failed.
set -euo pipefail

readonly EXIT_USAGE=2 EXIT_CLUSTER=3 EXIT_DELETE=4
readonly release="outpost-agent"
readonly selector="app.kubernetes.io/instance=$release,app.kubernetes.io/part-of=outpost"
readonly installed_by_label="outpost.dev/installed-by=outpost-installer"
namespace="outpost" namespaces="" purge=false kubeconfig="" context=""

usage() {
  sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  cat << 'TEXT'

Options:
  --namespace NS     the agent's namespace (default outpost)
  --namespaces A,B   the managed namespaces to remove the agent's Role from (default: every
                     namespace holding a RoleBinding of this agent, found by label)
  --purge            also delete the state claim (the agent must enrol again with a new join
                     token) and the namespace, if install-agent.sh created it
  --kubeconfig FILE  kubeconfig to use
  --context NAME     kubeconfig context to use
TEXT
}

usage_error() {
  echo "uninstall-agent.sh: $1" >&2
  echo "Run uninstall-agent.sh --help for the options." >&2
  exit "$EXIT_USAGE"
}
need_value() { [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || usage_error "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace) need_value "$@"; namespace="$2"; shift 2 ;;
    --namespaces) need_value "$@"; namespaces="$2"; shift 2 ;;
    --purge) purge=true; shift ;;
    --kubeconfig) need_value "$@"; kubeconfig="$2"; shift 2 ;;
    --context) need_value "$@"; context="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done
label_re='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ "$namespace" =~ $label_re ]] || usage_error "--namespace '$namespace' is not a valid namespace name"
managed=()
if [[ -n "$namespaces" ]]; then
  IFS=',' read -r -a managed <<< "$namespaces"
  for ns in "${managed[@]}"; do
    [[ "$ns" =~ $label_re ]] || usage_error "--namespaces: '$ns' is not a valid namespace name"
  done
fi

command -v kubectl > /dev/null || { echo "uninstall-agent.sh: kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/)" >&2; exit "$EXIT_CLUSTER"; }
kube=(kubectl)
[[ -n "$kubeconfig" ]] && kube+=(--kubeconfig "$kubeconfig")
[[ -n "$context" ]] && kube+=(--context "$context")
kc() { "${kube[@]}" "$@"; }

if ! answer="$(kc get --raw /version --request-timeout=15s 2>&1)"; then
  echo "uninstall-agent.sh: cannot reach the cluster: $(head -n 1 <<< "$answer")" >&2
  echo "  -> fix: check --kubeconfig/--context (or KUBECONFIG) and that the API server is reachable from here" >&2
  exit "$EXIT_CLUSTER"
fi

failures=0
# Deletes the objects named "kind/name" (in namespace $1, "" for cluster-scoped) and says so.
delete_objects() {
  local ns="$1" object output
  shift
  for object in "$@"; do
    local where=""
    [[ -n "$ns" ]] && where=" in $ns"
    if [[ -n "$ns" ]]; then
      output="$(kc delete "$object" -n "$ns" --ignore-not-found --wait=false 2>&1)" || { report_failure "$object$where" "$output"; continue; }
    else
      output="$(kc delete "$object" --ignore-not-found --wait=false 2>&1)" || { report_failure "$object$where" "$output"; continue; }
    fi
    if [[ -n "$output" ]]; then echo "  deleted  $object$where"; fi
  done
}
report_failure() {
  echo "  FAILED   to delete $1: $(head -n 1 <<< "$2")"
  echo "           -> fix: run as someone who may delete it (a cluster admin), then run uninstall-agent.sh again"
  failures=$((failures + 1))
}
# "kind/name" of the objects of these kinds with the installation's labels (in namespace $1).
labelled() {
  local ns="$1"
  shift
  if [[ -n "$ns" ]]; then
    kc get "$@" -n "$ns" -l "$selector" -o name 2> /dev/null || true
  else
    kc get "$@" -l "$selector" -o name 2> /dev/null || true
  fi
}

echo "Removing the Outpost agent of namespace $namespace:"
helm_args=(--namespace "$namespace")
[[ -n "$kubeconfig" ]] && helm_args+=(--kubeconfig "$kubeconfig")
[[ -n "$context" ]] && helm_args+=(--kube-context "$context")
if command -v helm > /dev/null && helm status "$release" "${helm_args[@]}" > /dev/null 2>&1; then
  if output="$(helm uninstall "$release" "${helm_args[@]}" 2>&1)"; then
    echo "  deleted  helm release $release (helm keeps the state claim)"
  else
    report_failure "helm release $release" "$output"
  fi
fi

# In the agent's namespace: everything but the state claim.
# (read -a, not mapfile: macOS still ships bash 3.2; names hold no spaces)
read -r -a objects <<< "$(labelled "$namespace" deployments.apps,networkpolicies.networking.k8s.io,secrets,serviceaccounts | tr '\n' ' ')"
delete_objects "$namespace" "${objects[@]+"${objects[@]}"}"

# The Roles in the managed namespaces: given, or those whose RoleBinding binds this agent's ServiceAccount.
if [[ ${#managed[@]} -eq 0 ]]; then
  read -r -a managed <<< "$(kc get rolebindings.rbac.authorization.k8s.io -A -l "$selector" \
    -o 'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.subjects[0].namespace}{"\n"}{end}' 2> /dev/null \
    | awk -v agent="$namespace" '$2 == agent {print $1}' | sort -u | tr '\n' ' ')"
fi
for ns in "${managed[@]+"${managed[@]}"}"; do
  read -r -a objects <<< "$(labelled "$ns" roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io | tr '\n' ' ')"
  delete_objects "$ns" "${objects[@]+"${objects[@]}"}"
done

# Cluster-wide (a namespace per deployment): names end in "-<agent namespace>"; the shared
# ClusterRole outpost-agent-deployer goes with the last agent that binds it.
cluster_kinds=clusterroles.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io
# Read the whole list before matching: with pipefail, `| grep -q` may stop kubectl with SIGPIPE and
# turn a match into "not served", which left the admission policy behind.
admission_resources="$(kc api-resources --api-group=admissionregistration.k8s.io -o name 2> /dev/null || true)"
if [[ $'\n'"$admission_resources" == *$'\n'validatingadmissionpolicies.* ]]; then
  cluster_kinds+=,validatingadmissionpolicies.admissionregistration.k8s.io,validatingadmissionpolicybindings.admissionregistration.k8s.io
fi
read -r -a cluster_objects <<< "$(labelled "" "$cluster_kinds" | tr '\n' ' ')"
own=() others=0
for object in "${cluster_objects[@]+"${cluster_objects[@]}"}"; do
  if [[ "$object" == *"-$namespace" ]]; then
    own+=("$object")
  elif [[ "$object" == clusterrolebinding*/*-namespaces-* ]]; then
    others=$((others + 1))
  fi
done
delete_objects "" "${own[@]+"${own[@]}"}"
if [[ " ${cluster_objects[*]-} " == *"clusterrole.rbac.authorization.k8s.io/outpost-agent-deployer "* ]]; then
  if ((others == 0)); then
    delete_objects "" clusterrole.rbac.authorization.k8s.io/outpost-agent-deployer
  else
    echo "  kept     clusterrole.rbac.authorization.k8s.io/outpost-agent-deployer: another agent's namespace-per-deployment RBAC uses it"
  fi
fi

# What stays unless --purge.
claim="persistentvolumeclaim/$release-state"
claim_exists=false
kc get "$claim" -n "$namespace" -o name > /dev/null 2>&1 && claim_exists=true
# Reads the namespace's installed-by label, retrying transient API errors (a busy API server must not
# turn "we created it" into "we did not"). Sets namespace_exists and installed_by (yes, no or unknown).
read_namespace_origin() {
  local attempt answer errors key="${installed_by_label%%=*}"
  namespace_exists=false
  installed_by=unknown
  errors="$(mktemp)"
  for attempt in 1 2 3 4 5; do
    if answer="$(kc get namespace "$namespace" --request-timeout=15s \
      -o "jsonpath={.metadata.labels.${key//./\\.}}" 2> "$errors")"; then
      namespace_exists=true
      if [[ "$answer" == "${installed_by_label#*=}" ]]; then installed_by=yes; else installed_by=no; fi
      break
    elif grep -q -e NotFound -e "not found" "$errors"; then
      namespace_exists=false
      break
    fi
    namespace_error="$(head -n 1 "$errors")"
    namespace_exists=true
    sleep "$attempt"
  done
  rm -f "$errors"
}
read_namespace_origin
if $purge; then
  $claim_exists && delete_objects "$namespace" "$claim"
  if $namespace_exists; then
    case "$installed_by" in
      yes) delete_objects "" "namespace/$namespace" ;;
      no) echo "  kept     namespace/$namespace: install-agent.sh did not create it (delete it yourself if it holds nothing else)" ;;
      *)
        echo "  kept     namespace/$namespace: cannot tell whether install-agent.sh created it: $namespace_error (rerun --purge, or delete it yourself)"
        failures=$((failures + 1))
        ;;
    esac
  fi
else
  $claim_exists && echo "  kept     $claim in $namespace: the agent's key and certificate; a reinstall reuses them (--purge deletes it)"
  $namespace_exists && echo "  kept     namespace/$namespace (--purge deletes it if install-agent.sh created it)"
fi
if [[ -n "$(kc get namespaces -l outpost.dev/managed-by=outpost-agent -o name 2> /dev/null || true)" ]]; then
  echo "  kept     the namespaces agents created for deployments (kubectl get namespaces -l outpost.dev/managed-by=outpost-agent): delete those deployments in the hub first"
fi

if ((failures > 0)); then
  echo "Uninstall incomplete: $failures object(s) could not be deleted (above)."
  exit "$EXIT_DELETE"
fi
echo "Done: the Outpost agent is removed from namespace $namespace. Revoke it in the hub too (POST /api/v1/agents/{id}/revoke)."
