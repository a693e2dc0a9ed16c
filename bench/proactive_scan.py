"""免申即享 scan at city scale: 100,000 residents on PostgreSQL, a full scan, then incremental scans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yw_proactive_bench .venv/bin/python bench/proactive_scan.py \
        [--residents 100000] [--seed 7] [--keep]

Drops and re-creates the database named in ``DATABASE_URL`` (it must be a throw-away one; ``--keep`` reuses it),
migrates it, generates a population shaped like a Chinese city (age pyramid of the 2020 census, roughly: 15 %
children, 63 % aged 15–59, 18.5 % aged 60–79, 3.5 % aged 80+), in households of 2–4, with homes (one per ~3.3
residents; 2 % bought in the last year, most of those first homes with deed tax paid) and provident fund accounts
for 40 % of the adults (ID numbers sealed and blind-indexed as the importer does it), and runs ``ANALYZE`` as
autovacuum would on a live database. Then it times:

1. the first scan (no watermark: full) of every proactive service — the offers of a city on the first day;
2. a second full scan (``--full``: everyone re-read, nothing new to offer);
3. an incremental scan after nothing changed;
4. incremental scans after changing 1 % and 0.1 % of the residents (their ``updated_at`` bumped, as an import of
   changed rows does; one in ten of them also registers a first home bought yesterday), each with the residents it
   evaluated and the offers it made;
5. an incremental scan a week later: nothing changed in the registries, but some residents turned 80 that week.

Each line prints the wall-clock seconds, the residents evaluated, the offers made and the access-log rows written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yw_proactive_bench"


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("yw_") or "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: use a throw-away database whose name starts yw_ and has bench")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str, keep: bool) -> None:
    if not keep:
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


AGE_BANDS = [((0, 14), 0.15), ((15, 59), 0.63), ((60, 79), 0.185), ((80, 104), 0.035)]
REGIONS = ["410102", "410103", "410104", "410105", "410108", "410122", "410181"]
DISTRICTS = ["金水区", "中原区", "二七区", "管城回族区", "郑东新区", "惠济区"]


def generate(residents: int, seed: int, today: dt.date) -> None:
    from decimal import Decimal

    from django.db import transaction

    from backend.demo.city import make_id_number
    from backend.registries.models import Property, ProvidentFundAccount, Resident

    rng = random.Random(seed)
    used: set[str] = set()
    rows: list[Resident] = []
    household = 0
    left_in_household = 0
    for n in range(residents):
        (low, high), _ = rng.choices(AGE_BANDS, weights=[w for _, w in AGE_BANDS])[0]
        born = today - dt.timedelta(days=rng.randint(low * 365 + 1, high * 365 + 364))
        gender = rng.choice("MF")
        while True:
            seq = rng.randrange(1 if gender == "M" else 0, 1000, 2)
            number = make_id_number(rng.choice(REGIONS), born, seq, gender)
            if number not in used:
                used.add(number)
                break
        if left_in_household == 0:
            household += 1
            left_in_household = rng.choice([1, 2, 2, 3, 3, 3, 4, 4])
        left_in_household -= 1
        district = DISTRICTS[household % len(DISTRICTS)]
        person = Resident(
            name=f"居民{n:06d}",
            gender=gender,
            birth_date=born,
            address=f"郑州市{district}第{household % 500}路{household}号",
            district=district,
            household_id=f"HH-B-{household:06d}",
        )
        person.id_number = number  # sealed and blind-indexed, as the importer stores it
        rows.append(person)
    with transaction.atomic():
        Resident.objects.bulk_create(rows, batch_size=5000)
        adults = list(
            Resident.objects.filter(birth_date__lte=today - dt.timedelta(days=18 * 365)).values_list("pk", flat=True)
        )
        homes: list[Property] = []
        owners: list[tuple[int, int]] = []
        for i in range(residents * 3 // 10):
            recent = rng.random() < 0.02
            bought = today - dt.timedelta(days=rng.randint(1, 364) if recent else rng.randint(400, 9000))
            price = Decimal(rng.randint(600_000, 3_000_000))
            first = rng.random() < (0.7 if recent else 0.6)
            homes.append(
                Property(
                    certificate_no=f"豫B{i:07d}",
                    address=f"郑州市某区某路{i}号",
                    district=rng.choice(DISTRICTS),
                    area_m2=Decimal(rng.randint(50, 160)),
                    purchase_date=bought,
                    price=price,
                    deed_tax_paid=(price * Decimal("0.01")).quantize(Decimal("0.01")) if rng.random() < 0.95 else 0,
                    first_home=first,
                )
            )
        Property.objects.bulk_create(homes, batch_size=5000)
        for home in Property.objects.values_list("pk", flat=True):
            for owner in rng.sample(adults, rng.choice([1, 1, 2])):
                owners.append((home, owner))
        through = Property.owners.through
        through.objects.bulk_create(
            [through(property_id=h, resident_id=r) for h, r in owners], batch_size=10000, ignore_conflicts=True
        )
        accounts = [
            ProvidentFundAccount(
                resident_id=pk,
                account_no=f"GJJB{pk:09d}",
                status="active",
                balance=Decimal(rng.randint(0, 200_000)),
                monthly_deposit=Decimal(rng.randint(300, 4000)),
                months_contributed=rng.randint(0, 240),
                bank_card=f"62220202{pk:011d}",
            )
            for pk in adults
            if rng.random() < 0.4
        ]
        ProvidentFundAccount.objects.bulk_create(accounts, batch_size=5000)


def change(fraction: float, seed: int) -> int:
    """Bump ``updated_at`` of a random share of residents (what an import of their changed rows does)."""
    from decimal import Decimal

    from django.utils import timezone

    from backend.registries.models import Property, Resident

    rng = random.Random(seed)
    stamp = timezone.now().strftime("%H%M%S%f")
    pks = list(Resident.objects.values_list("pk", flat=True))
    chosen = rng.sample(pks, max(1, int(len(pks) * fraction)))
    Resident.objects.filter(pk__in=chosen).update(updated_at=timezone.now())
    # one in ten of them also had a first home registered today (the deed-tax offers of the day)
    today = timezone.localdate()
    for pk in chosen[: max(1, len(chosen) // 10)]:
        home = Property.objects.create(
            certificate_no=f"豫N{seed:02d}{pk:09d}-{stamp}",  # unique again with --keep
            address="郑州市某区新房路1号",
            district="金水区",
            area_m2=Decimal("90.00"),
            purchase_date=today - dt.timedelta(days=1),
            price=Decimal("1200000.00"),
            deed_tax_paid=Decimal("12000.00"),
            first_home=True,
        )
        home.owners.add(pk)
    return len(chosen)


def timed(label: str, full: bool = False, today: dt.date | None = None) -> None:
    from backend.proactive.scan import scan_all
    from backend.registries.models import DataAccessLog

    logs = DataAccessLog.objects.count()
    start = time.perf_counter()
    results = scan_all(full=full, today=today)
    seconds = time.perf_counter() - start
    evaluated = sum(r.evaluated for r in results)
    offered = sum(r.offered for r in results)
    detail = ", ".join(f"{r.service_code} {r.evaluated}/{r.offered}" for r in results)
    written = DataAccessLog.objects.count() - logs
    print(
        f"{label:<34} {seconds:7.2f} s  evaluated {evaluated:6d}  offered {offered:6d}  "
        f"access logs {written:6d}  ({detail})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the database (and its population) as it is")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    setup(url, args.keep)
    from django.utils import timezone

    from backend.registries.models import Property, Resident

    today = timezone.localdate()
    if not args.keep:
        start = time.perf_counter()
        generate(args.residents, args.seed, today)
        print(f"generated {Resident.objects.count()} residents, {Property.objects.count()} homes "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        # planner statistics, as autovacuum keeps them on a live database (bulk inserts leave none: the plans of
        # the rules' per-resident reads would be sequential scans)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load = os.getloadavg()
    print(f"load average before the scans: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    timed("first scan (full, no watermark)")
    timed("second full scan (--full)", full=True)
    timed("incremental, nothing changed")
    for fraction, seed in ((0.01, 1), (0.001, 2)):
        changed = change(fraction, args.seed + seed)
        timed(f"incremental after {changed} changed")
    timed("incremental, a week later", today=today + dt.timedelta(days=7))  # those who turned 80 that week


if __name__ == "__main__":
    main()
