#!/usr/bin/env bash
# Interleaved A/B of gunicorn worker models on a shared machine: A, B, A, B, … each a fresh server from the same
# snapshot, the same scenarios, so drifting background load hits both alike.
#   bench/ab_workers.sh [ROUNDS [SCENARIO ...]]   -> bench/results/ab-<config>-<round>.md
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
shift || true
SCENARIOS=${*:-Polling FaceApply EnrolSurge}
PORT=${PORT:-8100}
declare -A CONFIGS=(
  [gthread3]="WEB_CONCURRENCY=3 GUNICORN_CMD_ARGS=--worker-class=gthread"
  [sync5]="WEB_CONCURRENCY=5 GUNICORN_CMD_ARGS=--worker-class=sync"
)
for round in $(seq "$ROUNDS"); do
  for name in gthread3 sync5; do
    env ${CONFIGS[$name]} PORT=$PORT setsid bench/serve_snapshot.sh > "var/bench/ab-server.log" 2>&1 &
    server=$!
    for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 1; done
    for pid in $(ps -o pid= -g "$server"); do renice -n -5 -p "$pid" >/dev/null || true; done
    .venv/bin/python bench/run.py --host "http://127.0.0.1:$PORT" --users 16 --duration 20 \
      --label "ab-$name-$round" $SCENARIOS | tail -n +6
    kill -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    sleep 3
  done
done
