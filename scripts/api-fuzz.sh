#!/usr/bin/env bash
# Fuzzes a running hub's REST API from the OpenAPI document it serves, with Schemathesis: positive
# and negative data, every documented operation, all checks except positive_data_acceptance (see
# docs/api.md: the name rule and cross-field rules are not expressible in JSON Schema, so the hub
# rightly refuses some schema-valid requests with documented 4xx).
#
# Usage: OUTPOST_FUZZ_TOKEN=opa_... scripts/api-fuzz.sh http://127.0.0.1:8080 [schemathesis run options...]
#   OUTPOST_FUZZ_SECONDS    time budget of the run (default 120; CI keeps it under 3 minutes)
#   OUTPOST_FUZZ_SEED       random seed (default: random; printed, so a failure can be replayed)
#   OUTPOST_FUZZ_REPORT_DIR where the JUnit report and the generated schemathesis.toml go (default: a temp dir)
#   OUTPOST_FUZZ_TENANT, _ENVIRONMENT, _RELEASE, _DEPLOYMENT, _OPERATION: ids of seeded objects, used
#     for half of the generated {id} path values and id fields, so requests reach real objects too
# Installs Schemathesis on first use into a venv under ~/.cache/outpost (pip, from PyPI).
# Exit code: Schemathesis's (0 when nothing was found).
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
base_url=${1:?usage: scripts/api-fuzz.sh BASE_URL (e.g. http://127.0.0.1:8080) [schemathesis run options...]}
shift
token=${OUTPOST_FUZZ_TOKEN:?set OUTPOST_FUZZ_TOKEN to the hub admin token}
seconds=${OUTPOST_FUZZ_SECONDS:-120}
seed=${OUTPOST_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
report_dir=${OUTPOST_FUZZ_REPORT_DIR:-$(mktemp -d -t outpost-fuzz.XXXXXX)}
venv=${OUTPOST_FUZZ_VENV:-$HOME/.cache/outpost/schemathesis-$SCHEMATHESIS_VERSION}

# A marker written after a complete install: an interrupted one is redone, not half used.
if [[ ! -f "$venv/.installed" ]]; then
  echo "api-fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    # A clean Debian machine may lack python3 or its venv module; as root, install them (as
    # scripts/postgres-up.sh does for PostgreSQL).
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
      rm -rf "$venv"
    fi
    if ! python3 -m venv "$venv"; then
      echo "api-fuzz: python3 cannot create a venv; install python3 (>= 3.10) with its venv module (Debian: apt-get install python3-venv)" >&2
      exit 2
    fi
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$venv/.installed"
fi

mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd) # absolute: the run changes into it
config="$report_dir/schemathesis.toml"
{
  # With fields filled from earlier responses, the coverage phase of Schemathesis 4.32.5 reported a
  # request that had every field it needs as "missing required property /tenantId ... accepted" (a
  # false positive). Without that filling it runs the same negative cases; the seeded dictionaries
  # below aim requests at real objects instead.
  printf '[phases.coverage.extra-data-sources]\nresponses = false\n\n'
  # Seeded objects: half of the values for these parameters are real ids, the rest generated.
  seeded() { # dictionary-name env-value
    [[ -n "$2" ]] && printf '[dictionaries.%s]\nvalues = ["%s"]\n\n' "$1" "$2"
    return 0
  }
  seeded tenants "${OUTPOST_FUZZ_TENANT:-}"
  seeded environments "${OUTPOST_FUZZ_ENVIRONMENT:-}"
  seeded releases "${OUTPOST_FUZZ_RELEASE:-}"
  seeded deployments "${OUTPOST_FUZZ_DEPLOYMENT:-}"
  seeded operations "${OUTPOST_FUZZ_OPERATION:-}"
  bind() { # path-regex dictionary parameter...
    local regex=$1 dictionary=$2; shift 2
    local bindings=()
    for parameter in "$@"; do bindings+=("\"$parameter\" = { dictionary = \"$dictionary\", probability = 0.5 }"); done
    local joined; joined=$(IFS=,; echo "${bindings[*]}")
    printf '[[operations]]\ninclude-path-regex = '"'"'%s'"'"'\nparameters = { %s }\n\n' "$regex" "$joined"
  }
  [[ -n "${OUTPOST_FUZZ_TENANT:-}" ]] && bind '^/api/v1/tenants/\{id\}' tenants path.id
  [[ -n "${OUTPOST_FUZZ_ENVIRONMENT:-}" ]] && bind '^/api/v1/environments/\{' environments path.id path.environmentId
  [[ -n "${OUTPOST_FUZZ_RELEASE:-}" ]] && bind '^/api/v1/releases/\{id\}$' releases path.id
  [[ -n "${OUTPOST_FUZZ_DEPLOYMENT:-}" ]] && bind '^/api/v1/deployments/\{id\}$' deployments path.id
  [[ -n "${OUTPOST_FUZZ_OPERATION:-}" ]] && bind '^/api/v1/operations/\{id\}' operations path.id
  if [[ -n "${OUTPOST_FUZZ_TENANT:-}" ]]; then
    for path in /api/v1/environments /api/v1/tokens; do
      printf '[[operations]]\ninclude-path = "%s"\ninclude-method = "POST"\n' "$path"
      printf 'parameters = { "body.tenantId" = { dictionary = "tenants", probability = 0.5 } }\n\n'
    done
  fi
  if [[ -n "${OUTPOST_FUZZ_ENVIRONMENT:-}" && -n "${OUTPOST_FUZZ_RELEASE:-}" ]]; then
    printf '[[operations]]\ninclude-path = "/api/v1/deployments"\ninclude-method = "POST"\n'
    printf 'parameters = { "body.environmentId" = { dictionary = "environments", probability = 0.5 }, '
    printf '"body.releaseId" = { dictionary = "releases", probability = 0.5 } }\n\n'
  fi
  # GET /api/v1/logs?follow=true is a live tail: its response never ends by design, so a fuzzed
  # follow=true can only time out. The tail has its own tests (AbstractLogIngestIT, e2e LogsUnderFaultsOnPostgresIT).
  printf '[[operations]]\ninclude-path = "/api/v1/logs"\ninclude-method = "GET"\n'
  printf 'parameters = { "query.follow" = "false" }\n\n'
  true
} > "$config"

echo "api-fuzz: $base_url for ${seconds}s, seed $seed, report in $report_dir"
# One worker: with several, Hypothesis parses lambda sources with ast from worker threads at once,
# and CPython 3.11's ast module then fails at random ("AST constructor recursion depth mismatch",
# cpython#106905), which Schemathesis reports as an error of the API operation it was fuzzing.
# Schemathesis keeps a cache (.schemathesis/) in its working directory: keep it with the report.
cd "$report_dir"
exec "$venv/bin/schemathesis" --config-file "$config" run "$base_url/api/v1/openapi.yaml" \
  --url "$base_url" \
  --header "Authorization: Bearer $token" \
  --checks all --exclude-checks positive_data_acceptance \
  --mode all \
  --max-time "$seconds" \
  --seed "$seed" \
  --workers 1 \
  --request-timeout 10 \
  --report junit --report-dir "$report_dir" \
  --output-truncate true \
  "$@"
