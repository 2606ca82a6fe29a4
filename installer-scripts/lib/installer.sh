# Shared by install-agent.sh and install-hub.sh (sourced, not run): preflight lines, permission
# checks, and server-side apply of a file of objects reported object by object.
#
# The sourcing script defines: say (prints, masking secrets), kc (kubectl with its --kubeconfig and
# --context), and before applying: objects (the file), field_manager, force_conflicts (true|false),
# before (object_state before applying), EXIT_INSTALL. failed() counts into failures.
# shellcheck shell=bash disable=SC2154 # objects, before, force_conflicts, field_manager: the sourcing script's

failures=0
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
