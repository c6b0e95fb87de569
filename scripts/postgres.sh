#!/usr/bin/env bash
# Start (or reuse) a private PostgreSQL cluster on 127.0.0.1 for tests and `make run-prod`.
# Usage: scripts/postgres.sh DATA_DIR PORT   → prints the DATABASE_URL on its last line.
# Installs Debian's postgresql if absent. initdb refuses root, so the cluster belongs to 'postgres'.
set -euo pipefail
data_dir=$(realpath -m "${1:-var/postgres}")
port=${2:-55432}
db_user=${PGAPP_USER:-hazards}
db_password=${PGAPP_PASSWORD:-hazards-local}
db_name=${PGAPP_DB:-hazards}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  bash "$(dirname "$0")/install-system-deps.sh" postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$data_dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data_dir"; fi
if [ ! -f "$data_dir/PG_VERSION" ]; then
  as_pg "$bin/initdb" -D "$data_dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
  # The port must be free; take another if something else listens there.
  port=$(python3 - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1])
for candidate in [port, *range(port + 1, port + 200)]:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        print(candidate)
        break
PY
)
  as_pg "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
fi
port=$(sed -n 4p "$data_dir/postmaster.pid")  # the port the running cluster listens on
psql_admin() { as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$db_user'")" != "1" ]; then
  psql_admin -c "CREATE ROLE $db_user LOGIN CREATEDB PASSWORD '$db_password'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE $db_name OWNER $db_user"
fi
echo "postgres://$db_user:$db_password@127.0.0.1:$port/$db_name"
