#!/usr/bin/env bash
# Installs the Outpost agent into the current Kubernetes cluster: checks first (preflight), then
# installs idempotently (helm when it is on PATH, else kubectl server-side apply of the manifests
# shipped next to this script), then waits for the agent. See installer-scripts/README.md.
#
#   install-agent.sh --hub HOST:PORT --token TOKEN --ca-hash sha256:HEX
#       [--namespace outpost] [--namespaces a,b | per-deployment mode when omitted]
#       [--kubeconfig FILE] [--context NAME] [--https-proxy URL] [--no-proxy LIST]
#       [--image REGISTRY/REPO:TAG] [--storage-class NAME] [--dry-run] [--timeout 300s]
#       [--hub-api URL --api-token TOKEN --environment ID] [--no-helm] [--force-conflicts]
#
# Exit codes: 0 installed, 2 usage, 3 preflight failed (nothing changed), 4 install failed,
# 5 timed out waiting for the agent.
set -euo pipefail
# bash 5.2: "&" in a ${var//pattern/replacement} would stand for the match; placeholders are literal.
shopt -u patsub_replacement 2> /dev/null || true

readonly EXIT_USAGE=2 EXIT_PREFLIGHT=3 EXIT_INSTALL=4 EXIT_TIMEOUT=5
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifests="${OUTPOST_MANIFESTS_DIR:-$here/manifests}"
chart="${OUTPOST_AGENT_CHART:-$here/../charts/outpost-agent}"
# The chart's defaults (a test in charts/ keeps them equal to charts/outpost-agent).
default_image="ghcr.io/outpost-dev/outpost-agent:0.1.0"
default_no_proxy="localhost,127.0.0.1,kubernetes.default.svc,.svc,.cluster.local"
readonly release="outpost-agent" field_manager="outpost-installer"
readonly installed_by_label="outpost.dev/installed-by=outpost-installer"

hub="" token="${OUTPOST_JOIN_TOKEN:-}" ca_hash="" namespace="outpost" namespaces="" kubeconfig="" context=""
https_proxy_url="" no_proxy="" image="$default_image" storage_class="" dry_run=false timeout="300s"
hub_api="" api_token="${OUTPOST_API_TOKEN:-}" environment="" use_helm=true force_conflicts=false
allowed_images="" denied_images="" allowed_kinds="" denied_kinds="" proxy_credentials_secret=""

usage() {
  sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  cat << 'TEXT'

Options:
  --hub HOST:PORT        the hub's agent gateway (the join-token answer's host and gatewayPort)
  --token TOKEN          the join token (or env OUTPOST_JOIN_TOKEN, which keeps it out of `ps`)
  --ca-hash sha256:HEX   the hub CA's fingerprint (the join-token answer's caFingerprint)
  --namespace NS         the agent's own namespace (default outpost; created when missing)
  --namespaces A,B       existing namespaces the agent may deploy into, a Role in each; without it
                         the agent creates a namespace per deployment (needs Kubernetes 1.30+)
  --kubeconfig FILE      kubeconfig to use (default: kubectl's, i.e. $KUBECONFIG or ~/.kube/config)
  --context NAME         kubeconfig context to use
  --https-proxy URL      http://HOST[:PORT] of an HTTP CONNECT proxy for the agent's outbound traffic
  --no-proxy LIST        hosts, .domains and CIDRs reached directly, comma-separated (default
                         localhost,127.0.0.1,kubernetes.default.svc,.svc,.cluster.local; add the
                         cluster's service CIDR, e.g. 10.96.0.0/12)
  --proxy-credentials-secret NAME
                         a Secret in the agent's namespace with keys username and password, for a
                         proxy that wants Basic credentials (with --https-proxy)
  --allowed-images LIST  the customer's policy: only images under these registries or prefixes,
                         comma-separated, e.g. registry.vendor.example,ghcr.io/vendor/ (default any)
  --denied-images LIST   images refused even when allowed
  --allowed-kinds LIST   only objects of these kinds, e.g. Deployment,Service,ConfigMap (default any)
  --denied-kinds LIST    kinds refused even when allowed, e.g. Secret
  --image IMAGE          the agent's image (default ghcr.io/outpost-dev/outpost-agent:0.1.0)
  --storage-class NAME   StorageClass of the agent's state claim (default: the cluster's default)
  --dry-run              run the preflight and show what would be applied; change nothing
  --timeout DURATION     how long to wait for the agent, e.g. 300s or 5m (default 300s)
  --hub-api URL          the hub's REST API (e.g. https://hub.example.com), to wait until the hub
                         shows the agent online; needs --api-token and --environment
  --api-token TOKEN      a hub API token (or env OUTPOST_API_TOKEN)
  --environment ID       the environment the join token belongs to
  --no-helm              apply the shipped manifests with kubectl even when helm is on PATH
  --force-conflicts      take over fields another field manager owns (after `kubectl edit`, say)
TEXT
}

# Everything printed goes through mask: the join token and the API token never appear.
mask() {
  local text="$*"
  # (tokens are refused below 8 characters; a shorter one would mask ordinary letters)
  ((${#token} >= 8)) && text="${text//"$token"/****}"
  ((${#api_token} >= 8)) && text="${text//"$api_token"/****}"
  printf '%s\n' "$text"
}
say() { mask "$@"; }
err() { mask "install-agent.sh: $*" >&2; }
usage_error() {
  err "$1"
  echo "Run install-agent.sh --help for the options." >&2
  exit "$EXIT_USAGE"
}

need_value() { [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || usage_error "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hub) need_value "$@"; hub="$2"; shift 2 ;;
    --token) need_value "$@"; token="$2"; shift 2 ;;
    --ca-hash) need_value "$@"; ca_hash="$2"; shift 2 ;;
    --namespace) need_value "$@"; namespace="$2"; shift 2 ;;
    --namespaces) need_value "$@"; namespaces="$2"; shift 2 ;;
    --kubeconfig) need_value "$@"; kubeconfig="$2"; shift 2 ;;
    --context) need_value "$@"; context="$2"; shift 2 ;;
    --https-proxy) need_value "$@"; https_proxy_url="$2"; shift 2 ;;
    --no-proxy) need_value "$@"; no_proxy="$2"; shift 2 ;;
    --proxy-credentials-secret) need_value "$@"; proxy_credentials_secret="$2"; shift 2 ;;
    --allowed-images) need_value "$@"; allowed_images="$2"; shift 2 ;;
    --denied-images) need_value "$@"; denied_images="$2"; shift 2 ;;
    --allowed-kinds) need_value "$@"; allowed_kinds="$2"; shift 2 ;;
    --denied-kinds) need_value "$@"; denied_kinds="$2"; shift 2 ;;
    --image) need_value "$@"; image="$2"; shift 2 ;;
    --storage-class) need_value "$@"; storage_class="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    --timeout) need_value "$@"; timeout="$2"; shift 2 ;;
    --hub-api) need_value "$@"; hub_api="${2%/}"; shift 2 ;;
    --api-token) need_value "$@"; api_token="$2"; shift 2 ;;
    --environment) need_value "$@"; environment="$2"; shift 2 ;;
    --no-helm) use_helm=false; shift ;;
    --force-conflicts) force_conflicts=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
done

# --- arguments ----------------------------------------------------------------------------------
label_re='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
[[ -n "$hub" ]] || usage_error "--hub HOST:PORT is required: the hub's agent gateway, e.g. --hub hub.example.com:8443"
[[ "$hub" =~ ^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})$ ]] \
  || usage_error "--hub '$hub' is not HOST:PORT (an IPv6 address in brackets: [2001:db8::1]:8443)"
hub_host="${BASH_REMATCH[1]}" hub_port="${BASH_REMATCH[2]}"
hub_host="${hub_host#[}" hub_host="${hub_host%]}"
((10#$hub_port >= 1 && 10#$hub_port <= 65535)) || usage_error "--hub: port $hub_port is not from 1 to 65535"
hub_port=$((10#$hub_port))
[[ -n "$token" ]] || usage_error "--token is required: the join token the vendor gave you (or set OUTPOST_JOIN_TOKEN)"
[[ "$token" =~ ^[[:graph:]]+$ && "$token" != *[\"\\]* ]] \
  || usage_error "--token: the join token has spaces, quotes or backslashes; copy it again from the join-token answer"
((${#token} >= 8)) || usage_error "--token is too short to be a join token (it looks like jt_....<secret>); copy it again"
[[ -n "$ca_hash" ]] || usage_error "--ca-hash is required: the join-token answer's caFingerprint (sha256:<64 hex>)"
[[ "$ca_hash" =~ ^sha256:[0-9a-fA-F]{64}$ ]] || usage_error "--ca-hash '$ca_hash' is not sha256:<64 hex digits> (the join-token answer's caFingerprint)"
ca_hash="sha256:$(tr 'A-F' 'a-f' <<< "${ca_hash#sha256:}")"
[[ "$namespace" =~ $label_re ]] || usage_error "--namespace '$namespace' is not a valid namespace name (lower-case letters, digits, '-')"
managed=()
if [[ -n "$namespaces" ]]; then
  IFS=',' read -r -a managed <<< "$namespaces"
  [[ ${#managed[@]} -gt 0 ]] || usage_error "--namespaces must name at least one namespace"
  for ns in "${managed[@]}"; do
    [[ "$ns" =~ $label_re ]] || usage_error "--namespaces: '$ns' is not a valid namespace name"
  done
  mode="existing"
else
  mode="per-deployment"
fi
[[ "$image" =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] || usage_error "--image '$image' is not an image reference (REGISTRY/REPOSITORY:TAG)"
[[ -z "$storage_class" || "$storage_class" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]] \
  || usage_error "--storage-class '$storage_class' is not a valid StorageClass name"
proxy_host="" proxy_port=""
if [[ -n "$https_proxy_url" ]]; then
  [[ "$https_proxy_url" =~ ^http://([A-Za-z0-9.-]+)(:([0-9]{1,5}))?/?$ ]] \
    || usage_error "--https-proxy '$https_proxy_url' is not http://HOST[:PORT] (a plain-HTTP CONNECT proxy, no credentials in the URL)"
  proxy_host="${BASH_REMATCH[1]}" proxy_port="${BASH_REMATCH[3]:-80}"
  no_proxy="${no_proxy:-$default_no_proxy}"
  [[ "$no_proxy" =~ ^[^,[:space:]\|]+(,[^,[:space:]\|]+)*$ ]] \
    || usage_error "--no-proxy '$no_proxy' must be a comma-separated list without spaces or '|'"
elif [[ -n "$no_proxy" ]]; then
  usage_error "--no-proxy only applies with --https-proxy"
fi
if [[ -n "$proxy_credentials_secret" ]]; then
  [[ -n "$proxy_host" ]] || usage_error "--proxy-credentials-secret only applies with --https-proxy"
  [[ "$proxy_credentials_secret" =~ ^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$ ]] \
    || usage_error "--proxy-credentials-secret '$proxy_credentials_secret' is not a valid Secret name"
fi
# The customer's policy, checked as the agent checks it: at most 50 entries, each an image prefix or a kind.
check_policy_list() { # option value entry-regex what
  local entry count=0
  local -a entries
  [[ -z "$2" ]] && return 0
  IFS=',' read -r -a entries <<< "$2"
  for entry in "${entries[@]}"; do
    count=$((count + 1))
    [[ "$entry" =~ $3 ]] || usage_error "$1: '$entry' is not $4"
  done
  ((count <= 50)) || usage_error "$1: at most 50 entries ($count given)"
}
image_rule_re='^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$' kind_re='^[A-Z][A-Za-z0-9]{0,62}$'
check_policy_list --allowed-images "$allowed_images" "$image_rule_re" "a registry or image prefix (e.g. registry.vendor.example)"
check_policy_list --denied-images "$denied_images" "$image_rule_re" "a registry or image prefix (e.g. docker.io/)"
check_policy_list --allowed-kinds "$allowed_kinds" "$kind_re" "a Kubernetes kind (e.g. Deployment)"
check_policy_list --denied-kinds "$denied_kinds" "$kind_re" "a Kubernetes kind (e.g. Secret)"
[[ "$timeout" =~ ^([0-9]+)(s|m)?$ ]] || usage_error "--timeout '$timeout' is not a duration such as 300s or 5m"
timeout_seconds=${BASH_REMATCH[1]}
[[ "${BASH_REMATCH[2]}" == m ]] && timeout_seconds=$((timeout_seconds * 60))
if [[ -n "$hub_api" ]]; then
  [[ "$hub_api" =~ ^https?://[^[:space:]]+$ ]] || usage_error "--hub-api '$hub_api' is not an http(s) URL"
  [[ -n "$api_token" ]] || usage_error "--hub-api needs --api-token (or OUTPOST_API_TOKEN): a hub API token"
  [[ ${#api_token} -ge 8 && "$api_token" =~ ^[[:graph:]]+$ ]] || usage_error "--api-token does not look like a hub API token (opa_... or opt_...)"
  [[ -n "$environment" ]] || usage_error "--hub-api needs --environment ID: the environment the join token belongs to"
  [[ "$environment" =~ ^[A-Za-z0-9._-]+$ ]] || usage_error "--environment '$environment' is not an environment id"
elif [[ -n "$environment" ]]; then
  usage_error "--environment only applies with --hub-api"
fi

kube=(kubectl)
[[ -n "$kubeconfig" ]] && kube+=(--kubeconfig "$kubeconfig")
[[ -n "$context" ]] && kube+=(--context "$context")
kc() { "${kube[@]}" "$@"; }

work="$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/outpost-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- preflight -----------------------------------------------------------------------------------
# shellcheck source=installer-scripts/lib/installer.sh
source "$here/lib/installer.sh"
# Connects to $1:$2 within 5 s, directly or through the proxy with CONNECT; prints why not on failure.
tcp_check() {
  local host="$1" port="$2"
  if ! command -v timeout > /dev/null; then
    echo "no 'timeout' command (GNU coreutils) to bound the check"
    return 2
  fi
  if [[ -z "$proxy_host" ]]; then
    # shellcheck disable=SC2016 # $1 and $2 are the child shell's arguments
    timeout 5 bash -c 'exec 3<> "/dev/tcp/$1/$2"' _ "$host" "$port" 2>&1 | sed -n 's/^.*connect: //p;s/^.*: \(Name or service not known\)/\1/p' | head -n 1
    return "${PIPESTATUS[0]}"
  fi
  local answer
  # shellcheck disable=SC2016 # the child shell's arguments
  answer="$(timeout 10 bash -c 'exec 3<> "/dev/tcp/$1/$2" || exit 7
    printf "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" "$3" "$3" >&3
    IFS= read -r line <&3 && printf "%s" "${line%$'"'"'\r'"'"'}"' _ "$proxy_host" "$proxy_port" "$hub" 2> /dev/null)" || {
    echo "cannot connect to the proxy $proxy_host:$proxy_port"
    return 1
  }
  [[ "$answer" =~ ^HTTP/1\.[01]\ 200 ]] && return 0
  echo "the proxy answered '${answer:-nothing}' to CONNECT $hub"
  return 1
}

say "Outpost agent installer: hub $hub, namespace $namespace, $(
  if [[ $mode == existing ]]; then echo "manages existing namespaces ${managed[*]}"; else echo "a namespace per deployment"; fi
)$($dry_run && echo ' (dry run: nothing is changed)')"
say "Preflight:"
check_cluster

if $cluster_ok; then
  git_version="$(sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' <<< "$version_json" | head -n 1)"
  if [[ "$git_version" =~ ^v?([0-9]+)\.([0-9]+) ]]; then
    major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
    if ! version_at_least "$major" "$minor" 1 27; then
      failed "Kubernetes $git_version is too old: the agent needs 1.27 or later" "upgrade the cluster, or install into another one"
    elif [[ $mode == per-deployment ]] && ! version_at_least "$major" "$minor" 1 30; then
      failed "Kubernetes $git_version: a namespace per deployment needs 1.30+ (ValidatingAdmissionPolicy v1)" \
        "pass --namespaces A,B to let the agent deploy into existing namespaces only, or upgrade the cluster"
    else
      ok "Kubernetes $git_version is supported (1.27+$([[ $mode == per-deployment ]] && echo '; 1.30+ for a namespace per deployment'))"
    fi
  else
    warn "cannot tell the Kubernetes version (the API server answered no gitVersion)" "the agent needs 1.27+ (1.30+ without --namespaces)"
  fi

  check_own_namespace "$namespace"
  for ns in "${managed[@]+"${managed[@]}"}"; do
    if answer="$(kc get namespace "$ns" -o name 2>&1)"; then
      ok "managed namespace $ns exists"
    elif [[ "$answer" == *NotFound* || "$answer" == *"not found"* ]]; then
      failed "managed namespace $ns does not exist" "create it first (kubectl create namespace $ns) or leave it out of --namespaces"
    else
      warn "cannot check that managed namespace $ns exists: $(head -n 1 <<< "$answer")" "make sure it exists: the agent deploys only into existing namespaces"
    fi
  done

  for resource in serviceaccounts secrets persistentvolumeclaims deployments.apps networkpolicies.networking.k8s.io; do
    check_permission "$resource" "$namespace"
  done
  for ns in "${managed[@]+"${managed[@]}"}"; do
    check_permission roles.rbac.authorization.k8s.io "$ns"
    check_permission rolebindings.rbac.authorization.k8s.io "$ns"
  done
  if [[ $mode == per-deployment ]]; then
    for resource in clusterroles.rbac.authorization.k8s.io clusterrolebindings.rbac.authorization.k8s.io \
      validatingadmissionpolicies.admissionregistration.k8s.io validatingadmissionpolicybindings.admissionregistration.k8s.io; do
      check_permission "$resource" ""
    done
  fi
  # Kubernetes refuses a Role granting what its creator does not hold, unless they may escalate.
  if [[ $mode == existing ]]; then
    for ns in "${managed[@]}"; do
      kc auth can-i escalate roles.rbac.authorization.k8s.io -n "$ns" > /dev/null 2>&1 || kc auth can-i '*' '*' -n "$ns" > /dev/null 2>&1 \
        || warn "you may not escalate roles in $ns: the API server refuses the agent's Role unless you hold every permission it grants" \
          "run the installer as an admin of $ns (or a cluster admin)"
    done
  elif ! kc auth can-i escalate clusterroles.rbac.authorization.k8s.io > /dev/null 2>&1 && ! kc auth can-i '*' '*' > /dev/null 2>&1; then
    warn "you may not escalate ClusterRoles: the API server refuses the agent's ClusterRoles unless you hold every permission they grant" \
      "run the installer as a cluster admin"
  fi

  check_storage_class "$storage_class" "the agent's state claim" "($release-state, 1Gi, ReadWriteOnce)"

  if [[ -n "$proxy_credentials_secret" ]]; then
    create_hint="kubectl -n $namespace create secret generic $proxy_credentials_secret --from-literal=username=... --from-literal=password=..."
    if ! $namespace_exists; then
      failed "Secret $proxy_credentials_secret cannot exist yet: namespace $namespace does not" \
        "create both first: kubectl create namespace $namespace && $create_hint"
    elif keys="$(kc get secret "$proxy_credentials_secret" -n "$namespace" \
      -o 'jsonpath={.data.username}{" "}{.data.password}' 2> /dev/null)"; then
      if [[ "$keys" =~ ^[^[:space:]]+\ [^[:space:]]+$ ]]; then
        ok "Secret $proxy_credentials_secret holds the proxy's username and password"
      else
        failed "Secret $proxy_credentials_secret in $namespace lacks the key username or password" "$create_hint"
      fi
    else
      failed "Secret $proxy_credentials_secret not found in namespace $namespace" "$create_hint"
    fi
  fi
fi

if reason="$(tcp_check "$hub_host" "$hub_port")"; then
  ok "hub $hub reachable from here$([[ -n "$proxy_host" ]] && echo " through the proxy $proxy_host:$proxy_port")"
elif [[ $? -eq 2 ]]; then
  warn "hub $hub not checked: $reason" "make sure the cluster may connect to $hub"
else
  failed "cannot connect to the hub at $hub: ${reason:-no answer within 5 s}" \
    "$(if [[ -n "$proxy_host" ]]; then echo "check --https-proxy (reachable from here, allowing CONNECT to $hub) and --hub"; else echo "check --hub (the gateway's HOST:PORT from the join-token answer), DNS and firewalls; behind a proxy pass --https-proxy http://HOST:PORT"; fi)"
fi

if ((failures > 0)); then
  say "Preflight failed: $failures check(s) FAILED (above). Nothing was changed."
  exit "$EXIT_PREFLIGHT"
fi
say "Preflight passed."

# --- the objects ---------------------------------------------------------------------------------
fill() { # file [managed namespace] -> stdout
  local text java_hosts="" entry file="$1"
  [[ -r "$file" ]] || return 1
  text="$(< "$file")"
  if [[ -z "$storage_class" ]]; then
    text="$(sed '/^ *storageClassName: "__OUTPOST_STORAGE_CLASS__"$/d' <<< "$text")"
  fi
  # A policy list left empty has no entry at all, as the chart renders it.
  local variable value
  for variable in ALLOWED_IMAGES DENIED_IMAGES ALLOWED_KINDS DENIED_KINDS; do
    case "$variable" in
      ALLOWED_IMAGES) value="$allowed_images" ;; DENIED_IMAGES) value="$denied_images" ;;
      ALLOWED_KINDS) value="$allowed_kinds" ;; *) value="$denied_kinds" ;;
    esac
    if [[ -z "$value" ]]; then
      text="$(sed "/^ *- name: OUTPOST_${variable}\$/{N;/value: \"__OUTPOST_${variable}__\"/d;}" <<< "$text")"
    fi
  done
  if [[ -z "$proxy_credentials_secret" ]]; then
    # The proxy manifests read the credentials from a Secret; without one, no such entries.
    text="$(sed '/^ *# Basic credentials for the proxy/,/^ *secretKeyRef: {name: "__OUTPOST_PROXY_CREDENTIALS_SECRET__", key: password}$/d' <<< "$text")"
  fi
  if [[ -n "$proxy_host" ]]; then
    local -a entries
    IFS=',' read -r -a entries <<< "$no_proxy"
    for entry in "${entries[@]}"; do
      [[ "$entry" =~ /[0-9]+$ ]] && continue # Java's nonProxyHosts takes no CIDRs
      [[ "$entry" == .* ]] && entry="*$entry"
      java_hosts="${java_hosts:+$java_hosts|}$entry"
    done
  fi
  # Pairs of placeholder and value (no associative arrays: macOS still ships bash 3.2).
  set -- __OUTPOST_AGENT_NAMESPACE__ "$namespace" __OUTPOST_HUB__ "$hub" __OUTPOST_HUB_PORT__ "$hub_port" \
    __OUTPOST_CA_HASH__ "$ca_hash" __OUTPOST_JOIN_TOKEN__ "$token" __OUTPOST_NAMESPACES__ "$namespaces" \
    __OUTPOST_MANAGED_NAMESPACE__ "${2:-}" __OUTPOST_IMAGE__ "$image" __OUTPOST_STORAGE_CLASS__ "$storage_class" \
    __OUTPOST_HTTPS_PROXY__ "$https_proxy_url" __OUTPOST_PROXY_HOST__ "$proxy_host" __OUTPOST_PROXY_PORT__ "$proxy_port" \
    __OUTPOST_NO_PROXY__ "$no_proxy" __OUTPOST_JAVA_NON_PROXY_HOSTS__ "$java_hosts" \
    __OUTPOST_ALLOWED_IMAGES__ "$allowed_images" __OUTPOST_DENIED_IMAGES__ "$denied_images" \
    __OUTPOST_ALLOWED_KINDS__ "$allowed_kinds" __OUTPOST_DENIED_KINDS__ "$denied_kinds" \
    __OUTPOST_PROXY_CREDENTIALS_SECRET__ "$proxy_credentials_secret"
  while [[ $# -ge 2 ]]; do
    text="${text//"$1"/"$2"}"
    shift 2
  done
  if [[ "$text" =~ __OUTPOST_[A-Z_]+__ ]]; then
    err "$file has a placeholder this script does not know: ${BASH_REMATCH[0]} (the manifests are newer than the script?)"
    return 1
  fi
  printf '%s\n' "$text"
}

main_manifest="outpost-agent"
[[ $mode == per-deployment ]] && main_manifest+="-per-deployment"
[[ -n "$proxy_host" ]] && main_manifest+="-proxy"
objects="$work/objects.yaml"
{
  if ! $namespace_exists; then
    printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    %s: %s\n---\n' \
      "$namespace" "${installed_by_label%%=*}" "${installed_by_label#*=}"
  fi
  fill "$manifests/$main_manifest.yaml"
  for ns in "${managed[@]+"${managed[@]}"}"; do
    printf -- '---\n'
    fill "$manifests/outpost-agent-namespace.yaml" "$ns"
  done
} > "$objects" || {
  err "cannot read the manifests in $manifests: keep install-agent.sh next to its manifests/ folder (or set OUTPOST_MANIFESTS_DIR)"
  exit "$EXIT_INSTALL"
}

before="$(object_state 2> /dev/null || true)"
if $dry_run; then
  say "Dry run: would apply with kubectl server-side apply (field manager $field_manager):"
  print_plan
  if $namespace_exists; then
    if output="$(kc apply --server-side --field-manager="$field_manager" --dry-run=server -f "$objects" 2>&1)"; then
      say "The API server accepts every object (server-side dry run)."
    else
      say "The API server refuses the objects (server-side dry run):"
      explain_apply_failure "$output"
      exit "$EXIT_INSTALL"
    fi
  else
    say "(namespace $namespace does not exist yet, so the objects in it were not sent for a server-side dry run)"
  fi
  if $use_helm && command -v helm > /dev/null && [[ -f "$chart/Chart.yaml" ]]; then
    say "(without --dry-run, helm upgrade --install would make these objects from $chart)"
  fi
  say "Dry run: nothing was changed. Run again without --dry-run to install."
  exit 0
fi

helm_used=false
if $use_helm && command -v helm > /dev/null && [[ -f "$chart/Chart.yaml" ]]; then
  helm_used=true
fi

say "Installing$($helm_used && echo " with helm (chart $chart)" || echo " with kubectl server-side apply (field manager $field_manager)"):"
if $helm_used; then
  if ! $namespace_exists; then
    printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    %s: %s\n' \
      "$namespace" "${installed_by_label%%=*}" "${installed_by_label#*=}" > "$work/namespace.yaml"
    if ! output="$(kc apply --server-side --field-manager="$field_manager" -f "$work/namespace.yaml" 2>&1)"; then
      say "FAILED to create namespace $namespace:"
      explain_apply_failure "$output"
      exit "$EXIT_INSTALL"
    fi
    say "  created  Namespace/$namespace"
  fi
  values="$work/values.yaml"
  split_image "$image"
  {
    printf 'hub: {address: "%s", caHash: "%s"}\n' "$hub" "$ca_hash"
    printf 'joinToken: {value: "%s"}\n' "$token"
    printf 'namespaceMode: %s\n' "$mode"
    [[ $mode == existing ]] && printf 'namespaces: [%s]\n' "$namespaces"
    printf 'image: {registry: "", repository: "%s", tag: "%s"}\n' "$image_repository" "$image_tag"
    [[ -n "$storage_class" ]] && printf 'persistence: {storageClass: "%s"}\n' "$storage_class"
    [[ -n "$proxy_host" ]] && printf 'proxy: {httpsProxy: "%s", noProxy: [%s], credentialsSecret: "%s"}\n' \
      "$https_proxy_url" "$no_proxy" "$proxy_credentials_secret"
    printf 'policy: {allowedImages: [%s], deniedImages: [%s], allowedKinds: [%s], deniedKinds: [%s]}\n' \
      "$allowed_images" "$denied_images" "$allowed_kinds" "$denied_kinds"
    true
  } > "$values"
  helm_args=(upgrade --install "$release" "$chart" --namespace "$namespace" --values "$values")
  [[ -n "$kubeconfig" ]] && helm_args+=(--kubeconfig "$kubeconfig")
  [[ -n "$context" ]] && helm_args+=(--kube-context "$context")
  if output="$(helm "${helm_args[@]}" 2>&1)"; then
    say "$output" | grep -E '^(Release|NAME|STATUS|REVISION)' | sed 's/^/  helm: /' || true
    say "  (helm reports the release, not each object: helm get manifest $release -n $namespace lists them)"
  else
    say "FAILED: helm upgrade --install refused:"
    explain_apply_failure "$output"
    exit "$EXIT_INSTALL"
  fi
else
  apply_and_report
fi

# --- waiting for the agent -------------------------------------------------------------------------
started=$SECONDS
say "Waiting up to ${timeout_seconds}s for the agent's Deployment to roll out:"
if output="$(kc rollout status "deployment/$release" -n "$namespace" --timeout="${timeout_seconds}s" 2>&1)"; then
  say "  ok      $(tail -n 1 <<< "$output")"
else
  say "  FAILED  the agent's Deployment did not become ready within ${timeout_seconds}s: $(tail -n 1 <<< "$output")"
  claim_phase="$(kc get pvc "$release-state" -n "$namespace" -o 'jsonpath={.status.phase}' 2> /dev/null || true)"
  if [[ "$claim_phase" == Pending ]]; then
    say "          -> the state claim $release-state is Pending: no StorageClass provisioned it."
    say "             fix: rerun with --storage-class NAME (kubectl get storageclass), or create a PersistentVolume for it"
  fi
  waiting="$(kc get pods -n "$namespace" -l "app.kubernetes.io/instance=$release" \
    -o 'jsonpath={range .items[*]}{.status.containerStatuses[*].state.waiting.reason}{" "}{end}' 2> /dev/null || true)"
  if [[ "$waiting" == *ImagePull* || "$waiting" == *ErrImage* ]]; then
    say "          -> the image $image cannot be pulled: check --image and the cluster's access to the registry"
  fi
  say "          see: kubectl -n $namespace describe pods -l app.kubernetes.io/instance=$release"
  say "               kubectl -n $namespace logs deploy/$release"
  say "The objects are installed; rerun the installer (it is safe) once the cause is fixed."
  exit "$EXIT_TIMEOUT"
fi

if [[ -n "$hub_api" ]]; then
  remaining=$((timeout_seconds - (SECONDS - started)))
  ((remaining < 10)) && remaining=10
  say "Waiting up to ${remaining}s for the hub to show environment $environment's agent online:"
  printf 'Authorization: Bearer %s\n' "$api_token" > "$work/auth-header"
  deadline=$((SECONDS + remaining)) status="" last=""
  while :; do
    if answer="$(curl -sS --max-time 10 -H "@$work/auth-header" -w '\n%{http_code}' "$hub_api/api/v1/environments/$environment" 2>&1)"; then
      code="${answer##*$'\n'}" body="${answer%$'\n'*}"
      case "$code" in
        200)
          # agentStatus: online, offline, revoked or null (no agent yet); agentCondition.state: ready or degraded.
          status="$(sed -nE 's/.*"agentStatus" *: *"([a-z]+)".*/\1/p' <<< "$body" | head -n 1)"
          state="$(sed -nE 's/.*"state" *: *"([a-z]+)".*/\1/p' <<< "$body" | head -n 1)"
          if [[ "$status" == online && "$state" != degraded ]]; then
            say "  ok      the hub shows the agent online"
            break
          fi
          reason="$(sed -nE 's/.*"reason" *: *"([^"]*)".*/\1/p' <<< "$body" | head -n 1)"
          last="agentStatus ${status:-null (no agent has enrolled yet)}${state:+, $state}${reason:+: $reason}"
          ;;
        401 | 403)
          say "  FAILED  the hub refused the API token ($code)"
          say "          -> fix: pass a valid hub API token for the environment's tenant with --api-token"
          exit "$EXIT_INSTALL"
          ;;
        404)
          say "  FAILED  the hub knows no environment $environment (404)"
          say "          -> fix: pass the id of the environment the join token was made for (--environment)"
          exit "$EXIT_INSTALL"
          ;;
        *) last="the hub answered HTTP $code" ;;
      esac
    else
      last="cannot reach $hub_api: $(tail -n 1 <<< "$answer")"
    fi
    if ((SECONDS >= deadline)); then
      say "  FAILED  the hub does not show the agent online after ${remaining}s (last: $last)"
      say "          see: kubectl -n $namespace logs deploy/$release (enrolment errors name the cause: token, CA hash, network)"
      exit "$EXIT_TIMEOUT"
    fi
    sleep 3
  done
fi

say ""
say "Done: the Outpost agent is installed in namespace $namespace ($(
  if [[ $mode == existing ]]; then echo "deploys into ${managed[*]}"; else echo "creates a namespace per deployment"; fi
))."
say "Next:"
if [[ -z "$hub_api" ]]; then
  say "  - check the hub shows the agent online: GET /api/v1/environments/<id> has agentStatus online"
  say "    (or rerun with --hub-api URL --api-token TOKEN --environment ID to wait for it)"
fi
say "  - the agent's log: kubectl -n $namespace logs deploy/$release"
say "  - once enrolled the join token is spent: kubectl -n $namespace delete secret $release-join-token"
say "  - to remove the agent: $(dirname "${BASH_SOURCE[0]}")/uninstall-agent.sh --namespace $namespace"
