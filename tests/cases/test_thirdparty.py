"""A real third-party service package (tests/thirdparty/yiwang-parking: a distribution with ``yiwang.services`` and
``yiwang.apps`` entry points) installed for the test run and discovered through its package metadata.

Installed the way pip lays a package out, offline: the package directory on ``sys.path`` and a ``.dist-info`` with
the METADATA and ``entry_points.txt`` made from its pyproject.toml. It is found but off until the deployment lists
its code in YIWANG_SERVICES; listed, it is in the catalogue, and in a deployment started with it listed (a
subprocess: INSTALLED_APPS are read at start-up) its own Django app and table are installed and its vendor's test
passes through the whole API path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from backend.cases import discovery
from backend.settings import allow_listed_service_apps

ROOT = Path(django_settings.BASE_DIR)
PACKAGE = ROOT / "tests" / "thirdparty" / "yiwang-parking"
CODE = "residential-parking-permit"


def install(site: Path) -> Path:
    """Write the .dist-info pip would write for the package (only what discovery reads) into ``site``."""
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    groups = project["entry-points"]
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n" for group, eps in groups.items()
        )
    )
    return site


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in [m for m in sys.modules if m.startswith("yiwang_parking")]:
        monkeypatch.delitem(sys.modules, name)
    site = install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(PACKAGE))
    monkeypatch.syspath_prepend(str(site))
    discovery.reload()
    yield site
    monkeypatch.undo()
    discovery.reload()


def test_installed_but_off_until_listed(installed) -> None:
    assert CODE in {ep.name for ep in entry_points(group=discovery.ENTRY_POINT_GROUP)}  # installed
    assert CODE not in discovery.all_services()
    assert "yiwang_parking.service" not in sys.modules  # not even imported: its code does not run
    assert allow_listed_service_apps(None) == []


@pytest.mark.django_db
def test_on_when_listed(installed, settings) -> None:
    settings.YIWANG_SERVICES = [*discovery.builtin_codes(), CODE]
    service = discovery.get_service(CODE)
    assert service is not None and service.version == "1.0.0"
    assert CODE in {entry["code"] for entry in APIClient().get("/api/v1/services").json()}
    assert service.setting("permit_prefix") == "P"
    assert allow_listed_service_apps(settings.YIWANG_SERVICES) == ["yiwang_parking.apps.ParkingConfig"]
    settings.YIWANG_SERVICES = [CODE]  # exactly the list: the built-ins not listed are off
    assert list(discovery.all_services()) == [CODE]


@pytest.mark.slow
def test_a_deployment_that_lists_it_installs_its_app_and_runs_it(installed) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["PYTHONPATH"] = os.pathsep.join([str(installed), str(PACKAGE), str(ROOT)])
    env["YIWANG_SERVICES"] = ",".join([*discovery.builtin_codes(), CODE])
    env["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    check = PACKAGE / "tests" / "check_parking.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(check), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
