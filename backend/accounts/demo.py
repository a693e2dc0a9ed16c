"""Demo staff accounts (DESIGN §3.9) and the Django superuser ``admin``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from backend.demo.city import DEMO_PASSWORD, DEPARTMENTS, STAFF_ACCOUNTS, SUPERUSER_USERNAME

from .groups import assign_staff_group, ensure_staff_groups
from .models import Department, Role, User


def load(today: dt.date, log: Callable[[str], None]) -> None:
    for dept in DEPARTMENTS:
        Department.objects.update_or_create(
            code=dept["code"], defaults={"name_zh": dept["name_zh"], "name_en": dept["name_en"]}
        )
    created = 0
    groups = ensure_staff_groups()
    for staff in STAFF_ACCOUNTS:
        phone = "+86" + str(staff["phone"])
        department = Department.objects.get(code=staff["department_code"]) if staff["department_code"] else None
        user, was_created = User.objects.get_or_create(
            phone=phone,
            defaults={
                "username": str(staff["phone"]),
                "phone_verified": True,
                "role": staff["role"],
                "department": department,
                "display_name": staff["name"],
                "is_staff": True,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        assign_staff_group(user, groups)  # admin permissions of the role (backend/accounts/groups.py)
    if not User.objects.filter(username=SUPERUSER_USERNAME).exists():
        User.objects.create_superuser(SUPERUSER_USERNAME, password=DEMO_PASSWORD, role=Role.SUPERVISOR)
        created += 1
    log(f"staff accounts: {created} created, {len(STAFF_ACCOUNTS) + 1 - created} already there")
