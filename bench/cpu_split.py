"""Where the CPU of a scenario goes: gunicorn processes vs the PostgreSQL backends serving them.

    .venv/bin/python bench/cpu_split.py --host http://127.0.0.1:8000 --database yiwang EnrolSurge Polling

Runs each scenario (bench/locustfile.py, 16 users, 20 s) and reads utime+stime from /proc for the gunicorn
processes (found by command line) and for the backends connected to --database (pg_stat_activity): the ratio sizes
the database tier against the app tier. Both run on this one machine here.

Serve with ``GUNICORN_MAX_REQUESTS=0``: a worker recycled during a scenario takes its CPU time with it (the
script marks such rows with "recycled", and their app figures are too low).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / TICK
        except (FileNotFoundError, IndexError, ProcessLookupError):
            continue
    return found


def used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples by the processes alive at the end (new ones count in full)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def gunicorn_pids(group: int | None) -> list[int]:
    command = ["ps", "-o", "pid=,args=", "-g", str(group)] if group else ["ps", "-eo", "pid=,args="]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "gunicorn" in line and "backend.wsgi" in line]


def backend_pids(database: str) -> list[int]:
    with psycopg.connect(dbname="postgres", host="127.0.0.1", user="postgres") as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).fetchall()
    return [r[0] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--database", default="yiwang")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--pgid", type=int, help="process group of the server (bench/serve_snapshot.sh)")
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args()
    print("| scenario | requests | app CPU s | PostgreSQL CPU s | app ms/request | db ms/request | db share |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scenario in args.scenarios:
        before = cpu_seconds(gunicorn_pids(args.pgid)), cpu_seconds(backend_pids(args.database))
        prefix = ROOT / "var" / "bench" / f"cpu-{scenario}"
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", "16",
             "-r", "16", "-t", f"{args.seconds}s", "--host", args.host, "--csv", str(prefix), "--only-summary",
             "--exit-code-on-error", "0", scenario],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
        )  # fmt: skip
        after_app = cpu_seconds(gunicorn_pids(args.pgid))
        app_s = used(before[0], after_app)
        recycled = " (recycled)" if set(before[0]) - set(after_app) else ""
        db_s = used(before[1], cpu_seconds(backend_pids(args.database)))
        lines = Path(f"{prefix}_stats.csv").read_text().splitlines()
        total = next(int(line.split(",")[2]) for line in lines if ",Aggregated," in line)
        print(
            f"| {scenario}{recycled} | {total} | {app_s:.1f} | {db_s:.1f} | {1000 * app_s / total:.1f} | "
            f"{1000 * db_s / total:.1f} | {db_s / (app_s + db_s):.0%} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
