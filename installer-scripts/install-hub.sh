#!/usr/bin/env bash
# Installs an Outpost hub into the current Kubernetes cluster to try it: one replica on embedded H2
# with its data on a claim. Checks first (preflight), then installs idempotently (helm when it is on
# PATH, else kubectl server-side apply of the manifest shipped next to this script), then waits for
# the hub and says how to reach it. For production (PostgreSQL, replicas, a CA from a Secret) use the
# chart charts/outpost-hub with Helm (docs/charts.md). See installer-scripts/README.md.
#
#   install-hub.sh [--namespace outpost] [--hostname NAME[,NAME...]] [--image REGISTRY/REPO:TAG]
#       [--storage-class NAME] [--kubeconfig FILE] [--context NAME] [--dry-run] [--timeout 300s]
#       [--no-helm] [--force-conflicts]
#
# Exit codes: 0 installed, 2 usage, 3 preflight failed (nothing changed), 4 install failed,
# 5 timed out waiting for the hub.
set -euo pipefail
shopt -u patsub_replacement 2> /dev/null || true

readonly EXIT_USAGE=2 EXIT_PREFLIGHT=3 EXIT_INSTALL=4 EXIT_TIMEOUT=5
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="${OUTPOST_MANIFESTS_DIR:-$here/manifests}/outpost-hub.yaml"
chart="${OUTPOST_HUB_CHART:-$here/../charts/outpost-hub}"
# The chart's default image (a test in charts/ keeps the shipped manifest equal to the chart).
default_image="ghcr.io/outpost-dev/outpost-hub:0.1.0"
readonly release="outpost-hub" field_manager="outpost-installer"
readonly installed_by_label="outpost.dev/installed-by=outpost-installer"
# Agents on the vendor's machine dial the gateway through kubectl port-forward: these names too.
readonly local_hostnames="localhost,127.0.0.1"

namespace="outpost" hostnames="" image="$default_image" storage_class="" kubeconfig="" context=""
dry_run=false timeout="300s" use_helm=true force_conflicts=false

usage() {
  sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  cat << 'TEXT'

Options:
  --namespace NS         the hub's namespace (default outpost; created when missing)
  --hostname A,B         names agents dial the gateway by (they go in its certificate), besides
                         localhost, 127.0.0.1 and the gateway Service's own names
  --image IMAGE          the hub's image (default ghcr.io/outpost-dev/outpost-hub:0.1.0)
  --storage-class NAME   StorageClass of the hub's data claim (default: the cluster's default)
  --kubeconfig FILE      kubeconfig to use (default: kubectl's)
  --context NAME         kubeconfig context to use
  --dry-run              run the preflight and show what would be applied; change nothing
  --timeout DURATION     how long to wait for the hub, e.g. 300s or 5m (default 300s)
  --no-helm              apply the shipped manifest with kubectl even when helm is on PATH
  --force-conflicts      take over fields another field manager owns
TEXT
}

say() { printf '%s\n' "$*"; }
usage_error() {
  say "install-hub.sh: $1" >&2
  echo "Run install-hub.sh --help for the options." >&2
  exit "$EXIT_USAGE"
}
need_value() { [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || usage_error "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace) need_value "$@"; namespace="$2"; shift 2 ;;
    --hostname) need_value "$@"; hostnames="${hostnames:+$hostnames,}$2"; shift 2 ;;
    --image) need_value "$@"; image="$2"; shift 2 ;;
    --storage-class) need_value "$@"; storage_class="$2"; shift 2 ;;
    --kubeconfig) need_value "$@"; kubeconfig="$2"; shift 2 ;;
    --context) need_value "$@"; context="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    --timeout) need_value "$@"; timeout="$2"; shift 2 ;;
    --no-helm) use_helm=false; shift ;;
    --force-conflicts) force_conflicts=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done

dns_label='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ "$namespace" =~ $dns_label ]] || usage_error "--namespace '$namespace' is not a namespace name (lower-case letters, digits and '-')"
[[ -z "$hostnames" || "$hostnames" =~ ^[A-Za-z0-9.:-]+(,[A-Za-z0-9.:-]+)*$ ]] \
  || usage_error "--hostname '$hostnames' must be host names or IP addresses, comma-separated"
[[ "$image" =~ ^[^[:space:]\"]+$ ]] || usage_error "--image '$image' is not an image reference"
[[ -z "$storage_class" || "$storage_class" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]] \
  || usage_error "--storage-class '$storage_class' is not a StorageClass name"
[[ "$timeout" =~ ^([0-9]+)(s|m)?$ ]] || usage_error "--timeout '$timeout' is not a duration such as 300s or 5m"
timeout_seconds=${BASH_REMATCH[1]}
[[ "${BASH_REMATCH[2]}" == m ]] && timeout_seconds=$((timeout_seconds * 60))
all_hostnames="$local_hostnames${hostnames:+,$hostnames}"

kube=(kubectl)
[[ -n "$kubeconfig" ]] && kube+=(--kubeconfig "$kubeconfig")
[[ -n "$context" ]] && kube+=(--context "$context")
kc() { "${kube[@]}" "$@"; }

work="$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/outpost-install-hub.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- preflight -----------------------------------------------------------------------------------
# shellcheck source=installer-scripts/lib/installer.sh
source "$here/lib/installer.sh"

say "Outpost hub installer: namespace $namespace, gateway names $all_hostnames$($dry_run && echo ' (dry run: nothing is changed)')"
say "Preflight:"
check_cluster

if $cluster_ok; then
  git_version="$(sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' <<< "$version_json" | head -n 1)"
  if [[ "$git_version" =~ ^v?([0-9]+)\.([0-9]+) ]] && ! version_at_least "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" 1 27; then
    failed "Kubernetes $git_version is too old: the hub's chart needs 1.27 or later" "upgrade the cluster, or install into another one"
  else
    ok "Kubernetes ${git_version:-(version unknown)} is supported (1.27+)"
  fi
  check_own_namespace "$namespace"
  for resource in serviceaccounts services persistentvolumeclaims deployments.apps poddisruptionbudgets.policy; do
    check_permission "$resource" "$namespace"
  done
  check_storage_class "$storage_class" "the hub's data claim" "($release-data, ReadWriteOnce)"
fi

if ((failures > 0)); then
  say "Preflight failed: $failures check(s) FAILED (above). Nothing was changed."
  exit "$EXIT_PREFLIGHT"
fi
say "Preflight passed."

# --- the objects ---------------------------------------------------------------------------------
[[ -r "$manifest" ]] || {
  say "install-hub.sh: cannot read $manifest: keep install-hub.sh next to its manifests/ folder (or set OUTPOST_MANIFESTS_DIR)" >&2
  exit "$EXIT_INSTALL"
}
objects="$work/objects.yaml"
{
  if ! $namespace_exists; then
    printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    %s: %s\n---\n' \
      "$namespace" "${installed_by_label%%=*}" "${installed_by_label#*=}"
  fi
  text="$(< "$manifest")"
  [[ -z "$storage_class" ]] && text="$(sed '/^ *storageClassName: "__OUTPOST_STORAGE_CLASS__"$/d' <<< "$text")"
  text="${text//__OUTPOST_HUB_NAMESPACE__/"$namespace"}"
  text="${text//__OUTPOST_HUB_HOSTNAMES__/"$all_hostnames"}"
  text="${text//__OUTPOST_IMAGE__/"$image"}"
  text="${text//__OUTPOST_STORAGE_CLASS__/"$storage_class"}"
  if [[ "$text" =~ __OUTPOST_[A-Z_]+__ ]]; then
    say "install-hub.sh: $manifest has a placeholder this script does not know: ${BASH_REMATCH[0]}" >&2
    exit "$EXIT_INSTALL"
  fi
  printf '%s\n' "$text"
} > "$objects"

before="$(object_state 2> /dev/null || true)"
helm_used=false
$use_helm && command -v helm > /dev/null && [[ -f "$chart/Chart.yaml" ]] && helm_used=true
if $dry_run; then
  say "Dry run: would apply$($helm_used && echo " with helm (chart $chart)" || echo " with kubectl server-side apply (field manager $field_manager)"):"
  print_plan
  say "Dry run: nothing was changed. Run again without --dry-run to install."
  exit 0
fi

say "Installing$($helm_used && echo " with helm (chart $chart)" || echo " with kubectl server-side apply (field manager $field_manager)"):"
if $helm_used; then
  split_image "$image"
  {
    printf 'image: {registry: "", repository: "%s", tag: "%s"}\n' "$image_repository" "$image_tag"
    printf 'gateway: {hostnames: [%s]}\n' "$all_hostnames"
    [[ -n "$storage_class" ]] && printf 'persistence: {storageClass: "%s"}\n' "$storage_class"
    true
  } > "$work/values.yaml"
  helm_args=(upgrade --install "$release" "$chart" --namespace "$namespace" --create-namespace --values "$work/values.yaml")
  [[ -n "$kubeconfig" ]] && helm_args+=(--kubeconfig "$kubeconfig")
  [[ -n "$context" ]] && helm_args+=(--kube-context "$context")
  if output="$(helm "${helm_args[@]}" 2>&1)"; then
    say "$output" | grep -E '^(Release|NAME|STATUS|REVISION)' | sed 's/^/  helm: /' || true
  else
    say "FAILED: helm upgrade --install refused:"
    explain_apply_failure "$output"
    exit "$EXIT_INSTALL"
  fi
else
  apply_and_report
fi

# --- waiting for the hub -------------------------------------------------------------------------
say "Waiting up to ${timeout_seconds}s for the hub's Deployment to roll out:"
if output="$(kc rollout status "deployment/$release" -n "$namespace" --timeout="${timeout_seconds}s" 2>&1)"; then
  say "  ok      $(tail -n 1 <<< "$output")"
else
  say "  FAILED  the hub's Deployment did not become ready within ${timeout_seconds}s: $(tail -n 1 <<< "$output")"
  if [[ "$(kc get pvc "$release-data" -n "$namespace" -o 'jsonpath={.status.phase}' 2> /dev/null || true)" == Pending ]]; then
    say "          -> the data claim $release-data is Pending: no StorageClass provisioned it."
    say "             fix: rerun with --storage-class NAME (kubectl get storageclass), or create a PersistentVolume for it"
  fi
  say "          see: kubectl -n $namespace describe pods -l app.kubernetes.io/instance=$release"
  say "               kubectl -n $namespace logs deploy/$release"
  say "The objects are installed; rerun the installer (it is safe) once the cause is fixed."
  exit "$EXIT_TIMEOUT"
fi

say ""
say "Done: the Outpost hub runs in namespace $namespace (embedded H2, data on the claim $release-data)."
say "Next:"
say "  - the admin API token, printed once at the hub's first start:"
say "      kubectl -n $namespace logs deploy/$release | grep 'Admin API token'"
say "  - the REST API on this machine:  kubectl -n $namespace port-forward svc/$release 8080:8080"
say "  - the agent gateway, for agents: $release-gateway.$namespace.svc:8443 in this cluster;"
say "      from here: kubectl -n $namespace port-forward svc/$release-gateway 8443:8443 (then localhost:8443)"
say "  - then create a tenant, an environment and a join token (README.md, Quickstart), and install the"
say "    agent with $(dirname "${BASH_SOURCE[0]}")/install-agent.sh"
