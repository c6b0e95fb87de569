#!/usr/bin/env bash
# Start (or reuse) a private Redis on 127.0.0.1. Usage: scripts/redis.sh DIR PORT → prints REDIS_URL.
set -euo pipefail
dir=$(realpath -m "${1:-/tmp/hazards-redis}")
port=${2:-56379}
command -v redis-server >/dev/null || bash "$(dirname "$0")/install-system-deps.sh" redis-server >&2
mkdir -p "$dir"
if ! { [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; }; then
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --pidfile "$dir/redis.pid" \
    --dir "$dir" --logfile "$dir/redis.log" --appendonly yes >/dev/null
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "redis://127.0.0.1:$port/0"
