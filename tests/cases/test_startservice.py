"""``manage.py startservice`` (DESIGN §3.10): it validates the code, and what it scaffolds is registered, listed in
the catalogue, lint-clean, and its test passes as generated.

The scaffolding test works on a temporary copy of the project, so a generated service never appears in the working
tree (other tests running at the same time would see it in the catalogue).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from backend.cases import discovery

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
SERVICEMODULES = ROOT / "backend" / "servicemodules"
CODE = "yw-scaffold-check"
MODULE = "yw_scaffold_check"


def listing() -> set[Path]:
    """The files a scaffold would add to the working tree."""
    return set(SERVICEMODULES.glob("*.py")) | set((ROOT / "tests").glob("servicemodules/*.py"))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Housing-Repair", "not a valid service code"),
        ("housing_repair", "not a valid service code"),
        ("housing-", "not a valid service code"),
        ("housing--repair", "not a valid service code"),
        ("1-housing", "not a valid service code"),
        ("housing repair", "not a valid service code"),
        ("a" * 61, "not a valid service code"),
        ("import", "cannot be used as a module name"),
        ("tests", "cannot be used as a module name"),
        ("apps", "cannot be used as a module name"),
        ("public-rental-housing", "already registered"),
    ],
)
def test_invalid_or_taken_codes_are_refused(code: str, message: str) -> None:
    before = listing()
    with pytest.raises(CommandError, match=message):
        call_command("startservice", code)
    assert listing() == before


def test_unknown_department_is_refused() -> None:
    before = listing()
    with pytest.raises(CommandError, match="Unknown department 'parks'"):
        call_command("startservice", CODE, department="parks")
    assert listing() == before


def test_existing_file_is_not_overwritten(tmp_path: Path, settings) -> None:
    settings.BASE_DIR = tmp_path
    existing = tmp_path / "tests" / "servicemodules" / f"test_{MODULE}.py"
    existing.parent.mkdir(parents=True)
    existing.write_text("# mine\n")
    before = listing()
    with pytest.raises(CommandError, match="already exists"):
        call_command("startservice", CODE)
    assert existing.read_text() == "# mine\n"
    assert listing() == before
    assert discovery.get_service(CODE) is None


# -- scaffolding, on a copy of the project ---------------------------------------------------------------------------
def project_copy(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in ("backend", "tests", "fixtures"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("manage.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    return target


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH"}}
    env["PYTHONPATH"] = str(cwd)  # the copy's `backend`, not the working tree's
    env["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_scaffolded_service_is_registered_and_its_test_passes(tmp_path: Path, api, monkeypatch, settings) -> None:
    project = project_copy(tmp_path / "project")
    try:
        created = run([sys.executable, "manage.py", "startservice", CODE], project)
        assert created.returncode == 0, created.stderr
        assert f"Registered service '{CODE}' (review, housing)" in created.stdout
        module = project / "backend" / "servicemodules" / f"{MODULE}.py"
        test = project / "tests" / "servicemodules" / f"test_{MODULE}.py"
        assert module.exists() and test.exists()
        assert (project / "tests" / "servicemodules" / "__init__.py").exists()
        source = module.read_text()
        assert "mode = Mode.REVIEW" in source and "requires_face = False" in source and "service = " in source

        ruff = Path(sys.executable).with_name("ruff")
        if ruff.exists():
            lint = run([str(ruff), "check", str(module), str(test)], project)
            assert lint.returncode == 0, lint.stdout
            style = run([str(ruff), "format", "--check", str(module), str(test)], project)
            assert style.returncode == 0, style.stdout

        result = run([sys.executable, "-m", "pytest", str(test), "-v", "-p", "no:cacheprovider"], project)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        for name in ("test_listed_in_the_catalogue", "test_apply_review_and_approve", "test_form_is_validated"):
            assert f"{name} PASSED" in result.stdout, result.stdout[-4000:]

        # The generated module also works in this process: listed by GET /api/v1/services once discovered.
        spec = importlib.util.spec_from_file_location(f"scaffolded_{MODULE}", module)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        monkeypatch.setattr(discovery, "_third_party", lambda: [(loaded.service, str(module))])
        settings.YIWANG_SERVICES = [*discovery.builtin_codes(), CODE]  # a module from outside is off until listed
        discovery.reload()
        listed = {entry["code"]: entry for entry in api.get("/api/v1/services").json()}
        assert listed[CODE]["mode"] == "review" and listed[CODE]["requires_face"] is False
    finally:
        monkeypatch.undo()
        discovery.reload()
        shutil.rmtree(project, ignore_errors=True)
    assert not (SERVICEMODULES / f"{MODULE}.py").exists()
    assert discovery.get_service(CODE) is None
