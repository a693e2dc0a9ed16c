"""Run the load scenarios of bench/locustfile.py one after another and write a results table.

    .venv/bin/python bench/run.py --host http://127.0.0.1:8000 --users 16 --duration 30 --label after

For each scenario: locust headless, closed loop, ``--users`` concurrent users for ``--duration`` seconds; the
table (bench/results/LABEL.md) lists throughput, p50/p95/p99 (locust rounds percentiles above 100 ms to two
significant digits), failures, and the ratio of each scenario's throughput to the floor's.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ["Floor", "Catalogue", "Polling", "FaceApply", "EnrolSurge"]
# the request whose rate is the scenario's throughput (a face flow = one verify; a surge step = one application)
LOAD: dict[str, tuple[float, float]] = {}  # 1-minute load average before / after each scenario (shared machine)
HEADLINE = {"FaceApply": "POST /face/verify (decision)", "EnrolSurge": "POST /cases (enrolment)"}


def locust(scenario: str, args: argparse.Namespace, seconds: int, prefix: Path) -> list[str]:
    return [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "-u", str(args.users), "-r", str(args.users), "-t", f"{seconds}s", "--host", args.host,
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0", scenario,
    ]  # fmt: skip


def run(scenario: str, args: argparse.Namespace, out: Path) -> list[dict[str, str]]:
    prefix = out / f"{args.label}-{scenario}"
    if args.warmup:  # every gunicorn process loads its models and fills its caches before the measured run
        warm = locust(scenario, args, args.warmup, out / f"{args.label}-{scenario}-warmup")
        subprocess.run(warm, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cmd = locust(scenario, args, args.duration, prefix)
    print("$", " ".join(cmd[1:]), flush=True)
    load_before = os.getloadavg()[0]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    LOAD[scenario] = (load_before, os.getloadavg()[0])
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def fmt(value: str) -> str:
    try:
        return f"{float(value):.0f}" if float(value) >= 10 else f"{float(value):.1f}"
    except ValueError:
        return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--label", default="run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unrecorded load before each scenario")
    parser.add_argument("--served", help="the commit the server runs, when it is not this tree's HEAD")
    parser.add_argument("scenarios", nargs="*", default=SCENARIOS)
    args = parser.parse_args()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    results = {scenario: run(scenario, args, out) for scenario in args.scenarios}

    floor = next((float(r["Requests/s"]) for r in results.get("Floor", []) if r["Name"] == "Aggregated"), None)
    rev = args.served or "HEAD"
    commit = subprocess.run(["git", "rev-parse", "--short", rev], capture_output=True, text=True, cwd=ROOT).stdout
    lines = [
        f"# {args.label}: {args.users} users, {args.duration} s per scenario, {os.cpu_count()} CPUs, "
        f"commit {commit.strip()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`.venv/bin/python bench/run.py --host {args.host} --users {args.users} --duration {args.duration} "
        f"--warmup {args.warmup} --label {args.label} {' '.join(args.scenarios)}`",
        "",
        "| scenario | request | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms | vs floor | load |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for scenario, rows in results.items():
        headline = HEADLINE.get(scenario, "Aggregated")
        for row in rows:
            rps = float(row["Requests/s"])
            ratio = ""
            if row["Name"] == headline and floor:
                ratio = f"{rps / floor:.2f}"
            name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
            load = "{:.1f}→{:.1f}".format(*LOAD[scenario]) if row["Name"] == "Aggregated" else ""
            lines.append(
                f"| {scenario} | {name} | {row['Request Count']} | {row['Failure Count']} | {fmt(row['Requests/s'])} "
                f"| {fmt(row['50%'])} | {fmt(row['95%'])} | {fmt(row['99%'])} | {fmt(row['Max Response Time'])} "
                f"| {ratio} | {load} |"
            )
    table = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results" / f"{args.label}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
