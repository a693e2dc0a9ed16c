"""Staff authority, written once in ``backend/accounts/permissions.py``: who is staff, who sees which department's
objects, who acts on them. The API, the admin, the cockpit, city events, appointments and the face check all ask
these functions; here they are asked directly, over real users, groups and departments."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.accounts import permissions
from backend.accounts.groups import assign_staff_group
from backend.accounts.models import Department, Role, User

pytestmark = pytest.mark.django_db


@dataclass
class Owned:
    """Anything with a department: what the permission functions need of a case or a report."""

    department_id: int | None


@pytest.fixture
def people() -> dict[str, User]:
    housing = Department.objects.get(code="housing")

    def make(name: str, **fields) -> User:
        user = User.objects.create_user(username=name, password="x-Pass-2026!", **fields)
        assign_staff_group(user)
        return user

    return {
        "resident": make("resident"),
        "clerk": make("clerk", role=Role.CLERK, department=housing, is_staff=True),
        "inactive_clerk": make("inactive", role=Role.CLERK, department=housing, is_active=False),
        "supervisor": make("supervisor", role=Role.SUPERVISOR, is_staff=True),
        "superuser": make("root", is_superuser=True, is_staff=True),
        "django_staff_resident": make("ops", is_staff=True),
    }


def test_who_is_staff(people) -> None:
    staff = {name for name, user in people.items() if permissions.is_staff_member(user)}
    assert staff == {"clerk", "supervisor", "superuser"}
    assert {n for n, u in people.items() if permissions.sees_all_departments(u)} == {"supervisor", "superuser"}
    assert {n for n, u in people.items() if permissions.is_department_clerk(u)} == {"clerk"}
    assert not permissions.is_staff_member(AnonymousUser())


def test_see_and_act_follow_the_objects_department(people) -> None:
    housing = Owned(Department.objects.get(code="housing").pk)
    education = Owned(Department.objects.get(code="education").pk)
    clerk, supervisor = people["clerk"], people["supervisor"]

    assert permissions.may_see(clerk, housing) and not permissions.may_see(clerk, education)
    assert permissions.may_see(supervisor, housing) and permissions.may_see(supervisor, education)
    assert not permissions.may_see(people["resident"], housing)

    assert permissions.may_act(clerk, housing, "cases.change_case")
    assert not permissions.may_act(clerk, education, "cases.change_case")
    assert not permissions.may_act(clerk, Owned(None))
    assert not permissions.may_act(supervisor, housing)  # supervisors watch, they do not decide
    assert not permissions.may_act(people["superuser"], housing)
    assert not permissions.may_act(people["inactive_clerk"], housing)
    # The clerks' group grants change on cases, not on (say) user accounts.
    assert not permissions.may_act(clerk, housing, "accounts.change_user")


def test_querysets_are_narrowed_the_same_way(people) -> None:
    # Staff accounts are department-owned rows too (``User.department``): any such queryset is narrowed alike.
    housing = Department.objects.filter(code="housing")
    staff = User.objects.filter(role__in=[Role.CLERK, Role.SUPERVISOR])
    assert set(permissions.visible_to(staff, people["supervisor"])) == set(staff)
    assert set(permissions.visible_to(staff, people["clerk"])) == set(staff.filter(department__in=housing))
    assert not permissions.visible_to(staff, people["resident"]).exists()
    assert set(permissions.actionable_by(staff, people["clerk"])) == set(staff.filter(department__in=housing))
    assert not permissions.actionable_by(staff, people["supervisor"]).exists()
