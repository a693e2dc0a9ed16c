#!/usr/bin/env bash
# Interleaved A/B of two commits on a shared machine: each commit gets its own PostgreSQL database and state (seeded
# once by that commit's own bench/seed.py, since the schemas differ), then A, B, A, B, … each a fresh server
# (bench/serve_snapshot.sh: gunicorn sync × 5, Celery, Redis), the same scenarios, so drifting load hits both alike.
#   bench/ab_commits.sh A B [ROUNDS [SCENARIO ...]]   -> bench/results/abc-<A>-<round>.md, abc-<B>-<round>.md
#   SEED_ARGS (default "--enrol 2000 --face 48 --poll 100 --cases-per-resident 20"), PORT (8100), DURATION (20)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
A=$(git rev-parse --short "$1") B=$(git rev-parse --short "$2")
ROUNDS=${3:-2}
shift 3 || shift $#
SCENARIOS=${*:-Floor Catalogue Polling EnrolSurge}
PORT=${PORT:-8100}
SEED_ARGS=${SEED_ARGS:---enrol 2000 --face 48 --poll 100 --cases-per-resident 20}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
mkdir -p var/ab

prepare() {  # $1 = short commit: database, var dir, demo city, synthetic residents and their session tokens
  local rev=$1 snap=/tmp/yiwang-ab-$1 state=$ROOT/var/ab/$1
  [ -f "$state/tokens.json" ] && return 0
  rm -rf "$snap" "$state" && mkdir -p "$snap" "$state"
  git archive "$rev" | tar -x -C "$snap"
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS yw_ab_$rev" -c "CREATE DATABASE yw_ab_$rev"
  head -c 48 /dev/urandom | base64 > "$state/secret_key"
  (
    cd "$snap"
    export DATABASE_URL=$PG/yw_ab_$rev YIWANG_VAR_DIR=$state SECRET_KEY=$(cat "$state/secret_key") LOG_LEVEL=WARNING
    "$ROOT/.venv/bin/python" manage.py migrate --noinput -v0
    "$ROOT/.venv/bin/python" manage.py load_demo > /dev/null
    "$ROOT/.venv/bin/python" bench/seed.py $SEED_ARGS
  )
  cp "$snap/var/bench/tokens.json" "$state/tokens.json"
}

prepare "$A"
prepare "$B"
for round in $(seq "$ROUNDS"); do
  for rev in "$A" "$B"; do
    DATABASE_URL=$PG/yw_ab_$rev YIWANG_VAR_DIR=$ROOT/var/ab/$rev PORT=$PORT \
      setsid bench/serve_snapshot.sh "$rev" > "var/ab/server-$rev.log" 2>&1 &
    server=$!
    for _ in $(seq 90); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 1; done
    for pid in $(ps -o pid= -g "$server"); do renice -n -5 -p "$pid" >/dev/null || true; done
    BENCH_STATE_DIR=$ROOT/var/ab/$rev .venv/bin/python bench/run.py --host "http://127.0.0.1:$PORT" --users 16 \
      --duration "${DURATION:-20}" --served "$rev" --label "abc-$rev-$round" $SCENARIOS | tail -n +6
    kill -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    sleep 3
  done
done
