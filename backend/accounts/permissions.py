"""Who may see and act on what: the one home of staff authority for the API, the admin, the cockpit and the
domain functions of cases, city events, appointments and the face check.

Three kinds of account matter here (see :class:`~backend.accounts.models.Role`):

* a *department clerk* (``role == "clerk"`` with a department) sees and acts on the objects of their own
  department only;
* a *supervisor* (``role == "supervisor"``) or a superuser sees every department, read-only: they watch (the
  cockpit, the admin), they do not decide;
* everyone else (residents, anonymous callers) is no staff member at all.

The functions are written over the object's department id and the user's role and groups (Django model
permissions, ``backend/accounts/groups.py``), never over a case or a report, so that ``accounts`` imports no app
above it: an object only has to have a ``department_id`` (:class:`DepartmentOwned`). Querysets are narrowed by the
name of their department field (``"department"``, ``"case__department"`` …).

An inactive account is never staff: Django refuses it a login, and every check here says no as well.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from django.db.models import Q, QuerySet

from .models import Role

# The queryset's own class goes through the filters, so a ``CaseQuerySet`` keeps its methods (``.overdue()``).
QS = TypeVar("QS", bound=QuerySet[Any, Any])


class DepartmentOwned(Protocol):
    """Anything that belongs to one department: a case, a follow-up, a city-event report.

    Read-only, so that a model whose department is required (``int``) matches as well as one where it is optional."""

    @property
    def department_id(self) -> int | None: ...


def sees_all_departments(user: Any) -> bool:
    """Supervisors and superusers read every department's objects (and act on none of them)."""
    return bool(getattr(user, "is_active", False) and (user.is_superuser or user.role == Role.SUPERVISOR))


def is_department_clerk(user: Any) -> bool:
    """A clerk with a department: the only account that decides cases and works city events."""
    return bool(getattr(user, "is_active", False) and user.role == Role.CLERK and user.department_id)


def is_staff_member(user: Any) -> bool:
    """Staff of the city government in any role: a department clerk, a supervisor or a superuser."""
    return sees_all_departments(user) or is_department_clerk(user)


def is_clerk_of(user: Any, department_id: int | None) -> bool:
    """Is ``user`` a clerk of exactly this department?"""
    return bool(department_id is not None and is_department_clerk(user) and user.department_id == department_id)


def may_see(user: Any, obj: DepartmentOwned) -> bool:
    """May ``user`` look at ``obj``: their own department's as a clerk, anything as a supervisor or superuser."""
    return sees_all_departments(user) or is_clerk_of(user, obj.department_id)


def may_act(user: Any, obj: DepartmentOwned, permission: str | None = None) -> bool:
    """May ``user`` act on ``obj`` (decide a case, close a follow-up, dispatch a report)?

    Only a clerk of the object's own department does, and, where ``permission`` names a Django model permission
    (``"cases.change_case"``), only while their staff group grants it. Supervisors never act."""
    if not is_clerk_of(user, obj.department_id):
        return False
    return permission is None or bool(user.has_perm(permission))


def _department_filter(user: Any, department_field: str) -> Q:
    return Q(**{f"{department_field}_id": user.department_id})


def visible_to(qs: QS, user: Any, department_field: str = "department") -> QS:
    """The rows of ``qs`` that ``user`` may see (:func:`may_see` as a query); none for anyone but staff."""
    if sees_all_departments(user):
        return qs
    if is_department_clerk(user):
        return qs.filter(_department_filter(user, department_field))
    return qs.none()


def actionable_by(qs: QS, user: Any, department_field: str = "department") -> QS:
    """The rows of ``qs`` that ``user`` works on as a clerk: their own department's; none for anyone else
    (supervisors included: the staff API is the clerks' desk, not a window onto other departments)."""
    if is_department_clerk(user):
        return qs.filter(_department_filter(user, department_field))
    return qs.none()
