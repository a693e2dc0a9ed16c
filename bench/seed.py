"""Synthetic residents for the load benchmarks, written into the database of `make serve` (DATABASE_URL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/seed.py --enrol 3000 --face 48 --poll 200 --cases-per-resident 20

* ``--enrol N``: N guardians, each with a child in the enrolment age window (born 1 Sep Y-7 .. 31 Aug Y-6) in one
  household, on streets covered by a school district — the surge of primary-school enrolments.
* ``--face N``: N residents whose registry photo is one of fixtures/photos (Obama, Biden, Harington, Leslie),
  face-enrolled with a *different* photo of the same person — instant applications with a face check.
* ``--poll N``: N residents with ``--cases-per-resident`` cases each (submitted through the case engine) —
  status polling.

Residents go in through :func:`backend.registries.importer.import_registry` (valid GB 11643 ID numbers), accounts
are bound through :func:`backend.registries.identity.bind_real_name`, and each account gets an allauth app session
created in the session store (what a login would create, minus the PBKDF2 cost and allauth's 30 logins/min/IP
limit, which would otherwise throttle the seeding). The session tokens are written to ``var/bench/tokens.json``
for the locustfile. Idempotent: running it again reuses what exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.registries.importer import import_registry  # noqa: E402
from backend.registries.models import Resident  # noqa: E402

OUT = ROOT / "var" / "bench"
PHOTOS = ROOT / "fixtures"
FACE_PEOPLE = [  # registry photo, selfie used for enrolment and every verification
    ("photos/obama_1.jpg", "obama_2.jpg"),
    ("photos/biden_1.jpg", "biden_2.jpg"),
    ("photos/kit_harington_1.jpg", "kit_harington_2.jpg"),
    ("photos/rose_leslie_1.jpg", "rose_leslie_2.jpg"),
]
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
REGION = "410102"  # 中原区: no demo resident lives there


def id_number(birth: dt.date, seq: int) -> str:
    body = f"{REGION}{birth:%Y%m%d}{seq:03d}"
    return body + _CHECK[sum(int(a) * w for a, w in zip(body, _WEIGHTS, strict=True)) % 11]


def person(kind: str, i: int, birth: dt.date, household: str, address: str, **extra) -> dict:
    # (birth date, sequence) makes the ID number unique; kinds use disjoint sequence ranges
    seq = {"guardian": 100, "child": 300, "face": 500, "poll": 700}[kind] + i % 100
    return {
        "id_number": id_number(birth, seq),
        "name": f"测{kind[0]}{i}",
        "gender": "M" if i % 2 else "F",
        "birth_date": birth.isoformat(),
        "address": address,
        "district": "中原区",
        "household_id": household,
        **extra,
    }


def day(base: dt.date, i: int) -> dt.date:
    return base + dt.timedelta(days=i // 100)


def session_token(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(7 * 24 * 3600)
    store.create()
    return store.session_key


def account(record: dict, phone: str) -> User:
    from backend.registries.identity import bind_real_name

    resident = Resident.objects.with_id_number(record["id_number"]).get()
    if resident.account_id:
        return resident.account
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = User(username=f"bench_{phone[3:]}", phone=phone, phone_verified=True)
        user.set_unusable_password()
        user.save()
    bind_real_name(user, record["name"], record["id_number"])
    return user


def seed_enrol(n: int, today: dt.date) -> list[dict]:
    from backend.servicemodules.primary_school_enrolment import age_window

    first, last = age_window(today)
    span = (last - first).days
    guardians, children, rows = [], [], []
    for i in range(n):
        street = f"郑州市中原区建设路{i % 50}"
        household = f"BENCH-E-{i}"
        address = f"{street}号院{i}号楼"
        guardians.append(person("guardian", i, day(dt.date(1985, 1, 1), i), household, address))
        born = first + dt.timedelta(days=(i * 7) % (span + 1))  # with seq = i % 100: unique up to 7 300 children
        children.append(person("child", i, born, household, address))
    districts = [
        {"district": "中原区", "address_prefix": f"郑州市中原区建设路{s}号", "school": f"建设路第{s % 5 + 1}小学"}
        for s in range(50)
    ]
    import_registry({"residents": guardians + children, "school_districts": districts}, PHOTOS)
    for i, (g, c) in enumerate(zip(guardians, children, strict=True)):
        user = account(g, f"+86199{i:08d}")
        rows.append({"token": session_token(user), "child_id_number": c["id_number"]})
    return rows


def seed_face(n: int) -> list[dict]:
    from backend.faceauth import services

    people, rows = [], []
    for i in range(n):
        registry_photo, selfie = FACE_PEOPLE[i % len(FACE_PEOPLE)]
        record = person("face", i, day(dt.date(1988, 1, 1), i), f"BENCH-F-{i}", f"郑州市中原区桐柏路{i}号")
        people.append({**record, "photo": registry_photo})
    import_registry({"residents": people}, PHOTOS)
    for i, record in enumerate(people):
        user = account(record, f"+86198{i:08d}")
        selfie = FACE_PEOPLE[i % len(FACE_PEOPLE)][1]
        if not hasattr(user, "face_template"):
            services.enrol(user, (PHOTOS / "photos" / selfie).read_bytes())
        rows.append({"token": session_token(user), "selfie": selfie})
    return rows


def seed_poll(n: int, per_resident: int) -> list[dict]:
    from backend.cases import services
    from backend.cases.models import Case

    people, rows = [], []
    for i in range(n):
        people.append(person("poll", i, day(dt.date(1991, 1, 1), i), f"BENCH-P-{i}", f"郑州市中原区嵩山路{i}号"))
    import_registry({"residents": people}, PHOTOS)
    for i, record in enumerate(people):
        user = account(record, f"+86197{i:08d}")
        have = Case.objects.filter(applicant=user).count()
        for k in range(have, per_resident):
            degree = ("bachelor", "master", "doctor")[k % 3]
            services.submit(user, "talent-housing-subsidy", {"degree": degree, "employer": "郑州大学"}, True)
        ids = list(Case.objects.filter(applicant=user).values_list("pk", flat=True))
        rows.append({"token": session_token(user), "cases": ids})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enrol", type=int, default=3000, help="at most 7300 (child ID numbers repeat after)")
    parser.add_argument("--face", type=int, default=48)
    parser.add_argument("--poll", type=int, default=200)
    parser.add_argument("--cases-per-resident", type=int, default=20)
    args = parser.parse_args()
    random.seed(7)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    today = timezone.localdate()
    tokens = {
        "enrol": seed_enrol(args.enrol, today),
        "face": seed_face(args.face),
        "poll": seed_poll(args.poll, args.cases_per_resident),
    }
    (OUT / "tokens.json").write_text(json.dumps(tokens))
    print(
        f"seeded {len(tokens['enrol'])} guardians, {len(tokens['face'])} face residents, {len(tokens['poll'])} "
        f"polling residents in {time.monotonic() - started:.0f} s -> {OUT / 'tokens.json'}"
    )


if __name__ == "__main__":
    main()
