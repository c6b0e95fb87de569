#!/usr/bin/env bash
# The service as it runs in production, on this machine: PostgreSQL and Redis on 127.0.0.1,
# migrations, collectstatic, gunicorn with several workers, a Celery worker and Celery beat.
# Configured through the environment and .env (see .env.example; the environment wins over .env).
# Ctrl-C (or SIGTERM) stops gunicorn and Celery; PostgreSQL and Redis keep running as daemons, with
# their data, and are reused next time (the README says how to stop them).
set -euo pipefail
cd "$(dirname "$0")/.."

env_file=${ENV_FILE-.env}
if [ -n "$env_file" ] && [ -f "$env_file" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    name=${line%%=*}
    [ -n "${!name+set}" ] || export "$line"
  done < "$env_file"
fi

PY=${PY:-.venv/bin/python}
bin=$(dirname "$PY")  # celery and gunicorn live beside the interpreter of the virtualenv
export DEBUG=0
# A private PostgreSQL / Redis only when no DATABASE_URL / REDIS_URL is given.
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(bash scripts/postgres.sh "${PGDATA_DIR:-/tmp/hazards-postgres}" "${PGPORT:-55432}" | tail -n 1)
  export DATABASE_URL
fi
if [ -z "${REDIS_URL:-}" ]; then
  REDIS_URL=$(bash scripts/redis.sh "${REDIS_DIR:-/tmp/hazards-redis}" "${REDIS_PORT:-56379}" | tail -n 1)
  export REDIS_URL
fi
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-$REDIS_URL}
if [ -z "${SECRET_KEY:-}" ]; then
  echo "SECRET_KEY is not set: using a random one (sessions end when the service restarts)." >&2
  SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
  export SECRET_KEY
fi
export STATIC_MANIFEST=${STATIC_MANIFEST:-1}
# Plain HTTP on loopback unless a TLS proxy sits in front (then set these to 1).
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0} SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0} CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-0}
bind=${BIND:-127.0.0.1:8000}
export SITE_URL=${SITE_URL:-http://$bind}

"$PY" manage.py migrate --no-input
# Not collected: viewflow's stray copy of a font stylesheet under node_modules, whose fonts it does
# not ship (the manifest storage would refuse it; viewflow/fonts/roboto/ has the complete one), and its
# plotly-dash bundles (tens of MB of JavaScript no page of ours loads).
"$PY" manage.py collectstatic --no-input -v0 --ignore node_modules --ignore dash
if [ "${SEED_DEMO:-1}" = 1 ]; then
  "$PY" manage.py seed_demo
fi

pids=()
stop_all() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$bin/celery" -A config worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" & pids+=($!)
"$bin/celery" -A config beat --loglevel=INFO --schedule="${CELERY_BEAT_SCHEDULE:-/tmp/hazards-celerybeat-schedule}" & pids+=($!)
"$bin/gunicorn" config.wsgi --bind "$bind" --workers "${WEB_CONCURRENCY:-3}" --access-logfile - & pids+=($!)
echo "Serving on http://$bind (gunicorn ×${WEB_CONCURRENCY:-3}, Celery worker and beat, PostgreSQL, Redis)."
# Whichever stops first (a crash, a bad port) takes the others down with it: the EXIT trap.
set +e
wait -n
status=$?
echo "A process stopped (status $status); stopping the others." >&2
exit "$status"
