#!/usr/bin/env bash
# The service as it runs in production, on this machine: PostgreSQL and Redis on 127.0.0.1,
# migrations, collectstatic, gunicorn with several workers, a Celery worker and Celery beat.
# Everything is configured through the environment (see .env.example); Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
PY=${PY:-.venv/bin/python}
export DEBUG=0
export DATABASE_URL=${DATABASE_URL:-$(bash scripts/postgres.sh "${PGDATA_DIR:-/tmp/hazards-postgres}" "${PGPORT:-55432}" | tail -n 1)}
export REDIS_URL=${REDIS_URL:-$(bash scripts/redis.sh "${REDIS_DIR:-/tmp/hazards-redis}" "${REDIS_PORT:-56379}" | tail -n 1)}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-$REDIS_URL}
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
export STATIC_MANIFEST=${STATIC_MANIFEST:-1}
# Plain HTTP on loopback unless a TLS proxy sits in front (then set these to 1).
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0} SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0} CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-0}
bind=${BIND:-127.0.0.1:8000}

$PY manage.py migrate --no-input
$PY manage.py collectstatic --no-input -v0
$PY manage.py seed_demo

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
.venv/bin/celery -A config worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" & pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --schedule="${CELERY_BEAT_SCHEDULE:-/tmp/hazards-celerybeat-schedule}" & pids+=($!)
.venv/bin/gunicorn config.wsgi --bind "$bind" --workers "${WEB_CONCURRENCY:-3}" --access-logfile - & pids+=($!)
echo "Serving on http://$bind (gunicorn ×${WEB_CONCURRENCY:-3}, Celery worker and beat, PostgreSQL, Redis)."
wait -n
