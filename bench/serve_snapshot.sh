#!/usr/bin/env bash
# Serve a committed snapshot of the code (git archive of REV, default HEAD) the way `make serve` does — gunicorn,
# Celery worker and beat on PostgreSQL and Redis — so a benchmark measures one known commit, not a working tree
# that others are editing. Data (var/: media, static, secret key) and the database are the working tree's.
#   bench/serve_snapshot.sh [REV]        (PORT, WEB_CONCURRENCY, DATABASE_URL, REDIS_URL as for make serve)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REV=${1:-HEAD}
SNAP=${SNAPSHOT_DIR:-/tmp/yiwang-snapshot-$(git rev-parse --short "$REV")}
rm -rf "$SNAP" && mkdir -p "$SNAP"
git archive "$REV" | tar -x -C "$SNAP"
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/yiwang}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DEBUG=0 YIWANG_VAR_DIR=${YIWANG_VAR_DIR:-$ROOT/var} PORT=${PORT:-8000}
export SECRET_KEY=${SECRET_KEY:-$(cat "$YIWANG_VAR_DIR/secret_key")}
cd "$SNAP"
"$ROOT/.venv/bin/python" manage.py migrate --noinput -v0
echo "serving $(git -C "$ROOT" rev-parse --short "$REV") from $SNAP on 127.0.0.1:$PORT"
trap 'kill 0' EXIT
"$ROOT/.venv/bin/python" -m celery -A backend worker -Q celery,push,periodic -c 1 -l warning &
"$ROOT/.venv/bin/python" -m celery -A backend beat -l warning -s "$SNAP/celerybeat-schedule" &
"$ROOT/.venv/bin/gunicorn" -c backend/deploy/gunicorn.conf.py backend.wsgi
