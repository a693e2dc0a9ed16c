"""Staff permission groups for the Django admin (the clerks' back office, DESIGN §1 and §3.9).

Model permissions say *what kind* of object a member may see or act on; which *rows* (their own department's cases
only) is decided by ``backend/accounts/permissions.py``, which the admin querysets, the staff API and, for every
action, the case engine all call.
Both layers are needed: a group alone would show a clerk every department's cases, a queryset alone would leave the
admin menu and URLs of models nobody meant to open.

The groups are created after every ``migrate`` (``post_migrate``, connected in :class:`AccountsConfig.ready`) and by
the demo loader; creating them is idempotent and only ever *adds* the permissions below, so permissions an
administrator granted by hand survive a deployment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from .models import Role, User

if TYPE_CHECKING:  # for the annotations only: the functions import auth's models when they run, as before
    from django.contrib.auth.models import Group

CLERKS = "窗口工作人员 Clerks"
SUPERVISORS = "督查人员 Supervisors"

# group -> app label -> the permission actions on every model of that app
STAFF_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    # change = may act (approve/reject/return/revoke, close a follow-up) and maintain registry records; nobody adds
    # or deletes cases: residents create them, and the record of a decision is never deleted.
    CLERKS: {"cases": ("view", "change"), "registries": ("view", "change"), "assisted": ("view",)},
    # supervisors watch every department (the cockpit), they do not decide cases
    SUPERVISORS: {"cases": ("view",), "assisted": ("view",)},
}
#: group -> custom permissions (``app_label.codename``) beyond the model actions: counter clerks file for residents
#: at the counter (帮办代办, backend/assisted/); an administrator takes it from a clerk by hand if need be.
STAFF_EXTRA_PERMISSIONS: dict[str, tuple[str, ...]] = {CLERKS: ("assisted.start_assisted_session",)}

ROLE_GROUPS: dict[str, str] = {Role.CLERK: CLERKS, Role.SUPERVISOR: SUPERVISORS}


def ensure_staff_groups(using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """Create the staff groups with their permissions (idempotent); returns the groups by name."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    groups = {}
    for name, grants in STAFF_GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        permissions: list[Permission] = []
        for label, actions in grants.items():
            if label not in {config.label for config in global_apps.get_app_configs()}:
                continue
            config = global_apps.get_app_config(label)
            # post_migrate runs app by app; make sure the permissions of apps migrated after `accounts` exist too.
            create_permissions(config, verbosity=0, using=using)
            content_types = ContentType.objects.db_manager(using).get_for_models(
                *config.get_models(), for_concrete_models=False
            )
            permissions += Permission.objects.using(using).filter(
                content_type__in=content_types.values(),
                codename__in=[f"{a}_{model._meta.model_name}" for model in config.get_models() for a in actions],
            )
        for qualified in STAFF_EXTRA_PERMISSIONS.get(name, ()):
            label, codename = qualified.split(".", 1)
            if label not in {config.label for config in global_apps.get_app_configs()}:
                continue
            create_permissions(global_apps.get_app_config(label), verbosity=0, using=using)
            permissions += Permission.objects.using(using).filter(content_type__app_label=label, codename=codename)
        group.permissions.add(*permissions)
        groups[name] = group
    return groups


def assign_staff_group(user: User, groups: dict[str, Group] | None = None) -> None:
    """Put a clerk or supervisor in the group of their role (residents get none)."""
    name = ROLE_GROUPS.get(user.role)
    if name is None:
        return
    groups = groups or ensure_staff_groups()
    user.groups.add(groups[name])


def on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, plan: Any = None, **kwargs: Any) -> None:
    """After ``migrate`` only: ``flush`` sends post_migrate too (without a plan), and recreating rows there would
    collide with data that tests restore after a flush (serialized rollback)."""
    if plan is None:
        return
    ensure_staff_groups(using)
