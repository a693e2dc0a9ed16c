"""How the school-enrolment duplicate check scales with the number of enrolment cases, with and without an index.

    .venv/bin/python bench/enrolment_lookup.py --database-url postgres://postgres@127.0.0.1:5432/yiwang

The rule ``first_application`` of ``primary-school-enrolment`` asks, for every application, whether the child already
has an open or approved enrolment case: ``Case.objects.filter(service_code=…, form__child_id_number__iexact=…,
status__in=…)``. The only index it can use is ``service_code``: PostgreSQL then reads *every* enrolment case and
evaluates ``UPPER(form ->> 'child_id_number')`` on each — linear in the cases so far, quadratic over a surge.

This script builds a TEMPORARY copy of the relevant columns (nothing is written to the real tables), fills it with N
enrolment cases, and times the rule's exact SQL (as Django generates it) before and after the expression index the
cases app should add::

    models.Index(Upper(KT("form__child_id_number")), condition=Q(service_code="primary-school-enrolment"),
                 name="case_enrolment_child_idx")
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg

QUERY = (
    "SELECT id FROM t_case WHERE UPPER((form ->> 'child_id_number')::text) = UPPER(%s) "
    "AND service_code = 'primary-school-enrolment' "
    "AND status IN ('pending_face', 'returned', 'in_review', 'approved') ORDER BY submitted_at DESC, id DESC"
)
INDEX = (
    "CREATE INDEX t_case_enrolment_child_idx ON t_case (UPPER((form ->> 'child_id_number'))) "
    "WHERE service_code = 'primary-school-enrolment'"
)


def timed(conn: psycopg.Connection, n: int, probes: int = 200) -> float:
    samples = []
    for i in range(probes):
        child = f"41010220200{(i * 7919) % max(n, 1):07d}"
        start = time.perf_counter()
        conn.execute(QUERY, (child,)).fetchall()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/yiwang")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    print("| enrolment cases | without index: median ms | with index: median ms | plan with index |")
    print("| ---: | ---: | ---: | --- |")
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        for n in args.sizes:
            conn.execute("DROP TABLE IF EXISTS t_case")
            conn.execute(
                "CREATE TEMP TABLE t_case (id bigserial PRIMARY KEY, service_code varchar(80), status varchar(20), "
                "form jsonb, submitted_at timestamptz DEFAULT now())"
            )
            conn.execute("CREATE INDEX ON t_case (service_code)")
            conn.execute(
                "INSERT INTO t_case (service_code, status, form) SELECT 'primary-school-enrolment', 'in_review', "
                "jsonb_build_object('child_id_number', '41010220200' || lpad(g::text, 7, '0')) "
                "FROM generate_series(1, %s) g",
                (n,),
            )
            conn.execute(
                "INSERT INTO t_case (service_code, status, form) SELECT 'talent-housing-subsidy', 'approved', "
                "'{}'::jsonb FROM generate_series(1, %s) g",
                (n,),
            )
            conn.execute("ANALYZE t_case")
            before = timed(conn, n)
            conn.execute(INDEX)
            conn.execute("ANALYZE t_case")
            after = timed(conn, n)
            plan = conn.execute("EXPLAIN " + QUERY, ("410102202000000001",)).fetchall()
            uses = "index scan" if any("t_case_enrolment_child_idx" in row[0] for row in plan) else "seq/filter"
            print(f"| {n:,} | {before:.2f} | {after:.3f} | {uses} |", flush=True)


if __name__ == "__main__":
    main()
