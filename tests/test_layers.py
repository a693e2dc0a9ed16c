"""Dependencies point one way (docs/ARCHITECTURE.md). These tests read the imports of every backend module (also
the ones inside functions, which a lazy import would otherwise hide) and name the file and line that breaks a rule.

* ``backend.core`` is the bottom layer: it imports no other backend app.
* ``backend.workflow`` (the clock and the transition core shared by cases and city events) imports neither of them.
* ``accounts`` and ``registries`` never import ``cases``.
* Every app imports only apps of lower layers (:data:`LAYERS`, drawn in docs/ARCHITECTURE.md).
* Domain code (``services.py``, ``tasks.py``, ``models.py``, ``workflow/``, ``servicemodules/``, ``cases/faces.py``…)
  imports no presentation layer: no ``api``, ``views``, ``serializers``, ``admin`` or ``urls`` module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parent.parent / "backend"
PRESENTATION = {"api", "views", "serializers", "admin", "urls", "open311", "open311_urls", "face_api"}
#: docs/ARCHITECTURE.md's layers: an app may import apps of lower layers only. ``demo`` (the demo city's data,
#: imported by each app's ``demo.py``) is outside them.
LAYERS = {
    "core": 0,
    "accounts": 1,
    "notifications": 2,
    "registries": 2,
    "workflow": 3,
    "faceauth": 3,
    "cases": 4,
    "cityevents": 4,
    "cockpit": 5,
    "catalogue": 5,
    "servicemodules": 5,
    "drafts": 5,
    "appointments": 5,  # an identity-check booking names a case (issue 14); nothing below imports appointments
    "delegation": 5,
    "assisted": 5,  # 帮办代办: files through the case engine (issue 14); nothing imports assisted
    "proactive": 5,  # 免申即享 offers name a case and a resident; nothing imports proactive
}
DOMAIN_NAMES = {"services", "tasks", "models", "selectors", "transitions", "faces", "push", "permissions"}


def module_name(path: Path) -> str:
    parts = path.relative_to(BACKEND.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # ``from . import serializers`` imports a module, not a name
                yield node.lineno, f"{module}.{alias.name}"


def python_files(*under: str) -> list[Path]:
    return sorted(p for part in under for p in (BACKEND / part).rglob("*.py") if "migrations" not in p.parts)


def offences(files: list[Path], forbidden: callable) -> list[str]:
    return [
        f"{path.relative_to(BACKEND.parent)}:{line} imports {name}"
        for path in files
        for line, name in imports(path)
        if forbidden(name)
    ]


def app_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "backend" else None


def test_the_scanner_sees_lazy_and_relative_imports() -> None:
    """The rules below are only as good as the scan: a function-level import and ``from . import x`` count."""
    cases = {name for _line, name in imports(BACKEND / "cases" / "services.py")}
    assert "backend.cases.transitions" in cases  # ``from . import ..., transitions``
    assert "backend.workflow.steps.Workflow" in cases
    # ``from .tasks import push_notification`` inside ``_queue_push``
    assert "backend.notifications.tasks.push_notification" in {
        name for _line, name in imports(BACKEND / "notifications" / "services.py")
    }


def test_core_imports_no_app_above_it() -> None:
    assert offences(python_files("core"), lambda name: app_of(name) not in (None, "core")) == []


def test_every_app_is_in_a_layer() -> None:
    apps = {p.name for p in BACKEND.iterdir() if (p / "apps.py").exists()}
    assert apps == set(LAYERS)


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_apps_import_only_lower_layers(app: str) -> None:
    def upward(name: str) -> bool:
        other = app_of(name)
        return other in LAYERS and other != app and LAYERS[other] >= LAYERS[app]

    assert offences(python_files(app), upward) == []


def test_workflow_imports_neither_cases_nor_city_events() -> None:
    above = {"cases", "cityevents", "servicemodules", "cockpit", "catalogue", "demo"}
    assert offences(python_files("workflow"), lambda name: app_of(name) in above) == []


@pytest.mark.parametrize("app", ["accounts", "registries"])
def test_accounts_and_registries_never_import_cases(app: str) -> None:
    assert offences(python_files(app), lambda name: app_of(name) in {"cases", "servicemodules"}) == []


def domain_files() -> list[Path]:
    files = [p for p in python_files(".") if p.stem in DOMAIN_NAMES and p.parent != BACKEND]
    files += python_files("workflow", "servicemodules")
    return sorted(set(files))


def test_domain_code_imports_no_views_serializers_or_admin() -> None:
    def presentation(name: str) -> bool:
        parts = name.split(".")
        return parts[0] == "backend" and any(part in PRESENTATION for part in parts[2:])

    files = domain_files()
    assert BACKEND / "cases" / "faces.py" in files and BACKEND / "cases" / "services.py" in files
    assert offences(files, presentation) == []
