#!/usr/bin/env bash
# Makes a local PostgreSQL ready for the test suite: installs it from Debian's packages when missing
# (needs root), starts the cluster, and creates role `outpost` (password `outpost`, CREATEDB: each
# test class creates and drops its own database) and database `outpost`. Safe to run again.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "postgres-up: PostgreSQL is not installed; install it (apt-get install postgresql) or run as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
pg_isready -h 127.0.0.1
psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
if [[ -z $(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='outpost'") ]]; then
  psql_admin "CREATE ROLE outpost LOGIN CREATEDB PASSWORD 'outpost'"
fi
if [[ -z $(psql_admin "SELECT 1 FROM pg_database WHERE datname='outpost'") ]]; then
  psql_admin "CREATE DATABASE outpost OWNER outpost"
fi
echo "postgres-up: PostgreSQL $version ready at 127.0.0.1:5432 (role outpost, database outpost)"
