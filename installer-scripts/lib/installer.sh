# Shared by install-agent.sh and install-hub.sh (sourced, not run): preflight lines, permission
# checks, and server-side apply of a file of objects reported object by object.
#
# The sourcing script defines: say (prints, masking secrets), kc (kubectl with its --kubeconfig and
# --context), and before applying: objects (the file), field_manager, force_conflicts (true|false),
# before (object_state before applying), EXIT_INSTALL. failed() counts into failures; check_cluster
# and check_own_namespace set cluster_ok, version_json and namespace_exists.
# shellcheck shell=bash disable=SC2154,SC2034 # objects, before, context, ...: the sourcing script's; what check_* set, it reads

failures=0 cluster_ok=false namespace_exists=false
ok() { say "  ok      $*"; }
warn() { say "  WARN    $1"; say "          -> $2"; }
failed() {
  say "  FAILED  $1"
  say "          -> fix: $2"
  failures=$((failures + 1))
}

# Prints the verbs of $3 that kubectl auth can-i denies for resource $1 (in namespace $2).
denied_verbs() {
  local verb denied=()
  for verb in $3; do
    if [[ -n "$2" ]]; then
      kc auth can-i "$verb" "$1" -n "$2" > /dev/null 2>&1 || denied+=("$verb")
    else
      kc auth can-i "$verb" "$1" > /dev/null 2>&1 || denied+=("$verb")
    fi
  done
  echo "${denied[*]-}"
}

check_permission() { # resource, namespace ("" for cluster-wide), [verbs, default "get create patch"]
  local where="cluster-wide" denied verbs="${3:-get create patch}"
  [[ -n "$2" ]] && where="in namespace $2"
  denied="$(denied_verbs "$1" "$2" "$verbs")"
  if [[ -z "$denied" ]]; then
    if [[ "$verbs" == "get create patch" ]]; then ok "may get, create and patch $1 $where"; else ok "may ${verbs// /, } $1 $where"; fi
  else
    failed "you may not ${denied// /, } $1 $where (kubectl auth can-i says no)" \
      "run the installer as someone who may (a cluster admin), or have one grant you ${denied// /, } on $1 $where"
  fi
}

# A StorageClass for a claim: $1 the one asked for (empty: the cluster's default), $2 the claim
# ("the agent's state claim"), $3 its size and access mode, for the message without a default.
check_storage_class() {
  local class="$1" claim="$2" detail="$3" answer classes default_class
  if [[ -n "$class" ]]; then
    if answer="$(kc get storageclass "$class" -o name 2>&1)"; then
      ok "StorageClass $class exists"
    elif [[ "$answer" == *NotFound* || "$answer" == *"not found"* ]]; then
      failed "StorageClass $class does not exist" "pass one that does (kubectl get storageclass lists them)"
    else
      warn "cannot check StorageClass $class: $(head -n 1 <<< "$answer")" "make sure it exists, or $claim stays Pending"
    fi
  elif classes="$(kc get storageclass -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}{"\n"}{end}' 2>&1)"; then
    default_class="$(awk '$2 == "true" {print $1; exit}' <<< "$classes")"
    if [[ -n "$default_class" ]]; then
      ok "default StorageClass $default_class provisions $claim"
    else
      warn "no default StorageClass: $claim $detail binds only to a PersistentVolume made for it" \
        "pass --storage-class NAME (kubectl get storageclass lists them), or create a matching PersistentVolume"
    fi
  else
    warn "cannot list StorageClasses: $(head -n 1 <<< "$classes")" \
      "if the cluster has no default StorageClass, pass --storage-class NAME, or $claim stays Pending"
  fi
}

version_at_least() { # major minor wanted_major wanted_minor
  (($1 > $3 || ($1 == $3 && $2 >= $4)))
}


# "Kind name namespace resourceVersion" of each object of the file that exists.
object_state() {
  kc get -f "$objects" --ignore-not-found \
    -o 'jsonpath={range .items[*]}{.kind}{" "}{.metadata.name}{" "}{.metadata.namespace}{" "}{.metadata.resourceVersion}{"\n"}{end}'
}
# "Kind name namespace" of each object of the file, without asking the cluster.
object_list() {
  awk '/^---$/ {if (kind != "") print kind, name, ns; kind = ""; name = ""; ns = ""; meta = 0; next}
    /^kind: / {kind = $2} /^metadata:/ {meta = 1; next} /^[a-zA-Z]/ {meta = 0}
    meta && /^  name: / {name = $2} meta && /^  namespace: / {ns = $2}
    END {if (kind != "") print kind, name, ns}' "$objects"
}
# The resourceVersion of kind $1 name $2 (namespace $3) in the state $4, empty when it did not exist.
version_in() {
  awk -v k="$1" -v n="$2" -v s="${3:-}" '$1 == k && $2 == n && (s == "" || $3 == s) {print $NF}' <<< "$4"
}
describe() { # kind name namespace
  if [[ -n "${3:-}" ]]; then echo "$1/$2 in $3"; else echo "$1/$2"; fi
}

explain_apply_failure() {
  local output="$1"
  say "$output" | sed 's/^/    /'
  if [[ "$output" == *"conflict"* ]]; then
    say "  -> fix: someone else changed these fields since (e.g. kubectl edit); rerun with --force-conflicts to take them back"
  elif [[ "$output" == *"attempting to grant RBAC permissions not currently held"* || "$output" == *"escalat"* ]]; then
    say "  -> fix: you must hold every permission the Roles you install grant: run the installer as a cluster admin"
  elif [[ "$output" == *"forbidden"* || "$output" == *"Forbidden"* ]]; then
    say "  -> fix: you lack a permission named above: run the installer as a cluster admin, or have one grant it"
  else
    say "  -> fix: correct what kubectl says above and run the installer again (it is safe to rerun)"
  fi
}

# Applies $objects server-side and prints each object as created, configured or unchanged.
apply_and_report() {
  local apply_args after old new state kind name ns output
  apply_args=(apply --server-side --field-manager="$field_manager" -f "$objects")
  $force_conflicts && apply_args+=(--force-conflicts)
  if ! output="$(kc "${apply_args[@]}" 2>&1)"; then
    say "FAILED: kubectl apply refused (objects before the failing one may have been applied; rerunning is safe):"
    explain_apply_failure "$output"
    exit "$EXIT_INSTALL"
  fi
  after="$(object_state 2>&1)" || after=""
  while read -r kind name ns; do
    old="$(version_in "$kind" "$name" "$ns" "$before")"
    new="$(version_in "$kind" "$name" "$ns" "$after")"
    if [[ -z "$old" ]]; then
      state="created"
    elif [[ "$old" == "$new" ]]; then
      state="unchanged"
    else
      state="configured"
    fi
    say "  $(printf '%-10s' "$state") $(describe "$kind" "$name" "$ns")"
  done < <(object_list)
}

# The kubectl and cluster lines of a preflight: sets cluster_ok, and version_json (the API server's
# /version) when it answers.
check_cluster() {
  local server
  cluster_ok=false
  if ! command -v kubectl > /dev/null; then
    failed "kubectl is not on PATH" "install kubectl (https://kubernetes.io/docs/tasks/tools/) or add it to PATH"
    return
  fi
  ok "kubectl found: $(command -v kubectl)"
  if version_json="$(kc get --raw /version --request-timeout=15s 2>&1)"; then
    cluster_ok=true
    server="$(kc config view --minify -o 'jsonpath={.clusters[0].cluster.server}' 2> /dev/null || true)"
    ok "cluster reachable: ${server:-the API server} (context ${context:-$(kc config current-context 2> /dev/null || echo none)})"
  else
    failed "cannot reach the cluster: $(head -n 1 <<< "$version_json")" \
      "check --kubeconfig/--context (or KUBECONFIG), that the API server is reachable from here (VPN, firewall) and that your credentials have not expired"
  fi
}

# The line on the installer's own namespace $1: sets namespace_exists; checks it may be created.
check_own_namespace() {
  local answer
  namespace_exists=false
  if answer="$(kc get namespace "$1" -o name 2>&1)"; then
    namespace_exists=true
    ok "namespace $1 exists"
  elif [[ "$answer" == *NotFound* || "$answer" == *"not found"* ]]; then
    ok "namespace $1 does not exist yet: it will be created"
    check_permission namespaces "" "get create"
  else
    failed "cannot read namespace $1: $(head -n 1 <<< "$answer")" "have a cluster admin grant you get on namespaces, or run the installer as a cluster admin"
  fi
}

# Prints what applying $objects would do to each object, given the state before ($before).
print_plan() {
  local kind name ns
  while read -r kind name ns; do
    if [[ -n "$(version_in "$kind" "$name" "$ns" "$before")" ]]; then
      say "  would apply (exists)  $(describe "$kind" "$name" "$ns")"
    else
      say "  would create          $(describe "$kind" "$name" "$ns")"
    fi
  done < <(object_list)
}

# Splits the image reference $1 into image_repository and image_tag (empty for a digest or no tag).
split_image() {
  image_repository="${1%:*}" image_tag="${1##*:}"
  if [[ "$1" != *:* || "$image_tag" == */* || "$1" == *@* ]]; then
    image_repository="$1" image_tag=""
  fi
}
