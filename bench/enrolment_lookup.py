"""How the school-enrolment duplicate check scales with the number of enrolment cases: before and after the fix.

    .venv/bin/python bench/enrolment_lookup.py --database-url postgres://postgres@127.0.0.1:5432/yiwang

The rule ``first_application`` of ``primary-school-enrolment`` asks, for every application, whether the child already
has an open or approved enrolment case. It used to filter ``form__child_id_number__iexact``: the only index it could
use was ``service_code``, so PostgreSQL read *every* enrolment case and evaluated ``UPPER(form ->> …)`` on each —
linear in the cases so far, quadratic over a surge. Now the child's number is not in the form at all (it is sealed,
backend/cases/identifiers.py); the case stores its keyed blind index in ``subject_index``, covered by the partial index
``case_service_subject_idx (service_code, subject_index) WHERE subject_index <> ''``, and the rule filters on it.

This script builds TEMPORARY tables with the relevant columns (nothing is written to the real tables), fills them with
N enrolment cases and N other cases, and times both queries exactly as Django generates them (median of 200).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time

import psycopg

STATUSES = "('pending_face', 'returned', 'in_review', 'approved')"
BEFORE = (
    "SELECT id FROM t_case WHERE UPPER((form ->> 'child_id_number')::text) = UPPER(%s) "
    f"AND service_code = 'primary-school-enrolment' AND status IN {STATUSES} ORDER BY submitted_at DESC, id DESC"
)
AFTER = (
    "SELECT id FROM t_case WHERE service_code = 'primary-school-enrolment' AND subject_index IN (%s) "
    f"AND status IN {STATUSES} ORDER BY submitted_at DESC, id DESC"
)
INDEX = "CREATE INDEX t_case_subject_idx ON t_case (service_code, subject_index) WHERE NOT (subject_index = '')"


def probe(i: int, n: int, after: bool) -> str:
    g = (i * 7919) % max(n, 1) + 1
    number = f"41010220200{g:07d}"
    return hashlib.sha256(number.encode()).hexdigest() if after else number


def timed(conn: psycopg.Connection, n: int, after: bool, probes: int = 200) -> float:
    samples = []
    for i in range(probes):
        value = probe(i, n, after)
        start = time.perf_counter()
        conn.execute(AFTER if after else BEFORE, (value,)).fetchall()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/yiwang")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    print("| enrolment cases | before: JSON field, median ms | after: subject_index, median ms | plan after |")
    print("| ---: | ---: | ---: | --- |")
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        for n in args.sizes:
            conn.execute("DROP TABLE IF EXISTS t_case")
            conn.execute(
                "CREATE TEMP TABLE t_case (id bigserial PRIMARY KEY, service_code varchar(80), status varchar(20), "
                "form jsonb, subject_index varchar(64) DEFAULT '', submitted_at timestamptz DEFAULT now())"
            )
            conn.execute("CREATE INDEX ON t_case (service_code)")
            conn.execute(
                "INSERT INTO t_case (service_code, status, form, subject_index) SELECT 'primary-school-enrolment', "
                "'in_review', jsonb_build_object('child_id_number', '41010220200' || lpad(g::text, 7, '0')), "
                "encode(sha256(('41010220200' || lpad(g::text, 7, '0'))::bytea), 'hex') "
                "FROM generate_series(1, %s) g",
                (n,),
            )
            conn.execute(
                "INSERT INTO t_case (service_code, status, form) SELECT 'talent-housing-subsidy', 'approved', "
                "'{}'::jsonb FROM generate_series(1, %s) g",
                (n,),
            )
            conn.execute("ANALYZE t_case")
            before = timed(conn, n, after=False)
            conn.execute(INDEX)
            conn.execute("ANALYZE t_case")
            after = timed(conn, n, after=True)
            plan = conn.execute("EXPLAIN " + AFTER, (probe(1, n, True),)).fetchall()
            uses = "index scan" if any("t_case_subject_idx" in row[0] for row in plan) else "seq/filter"
            print(f"| {n:,} | {before:.2f} | {after:.3f} | {uses} |", flush=True)


if __name__ == "__main__":
    main()
