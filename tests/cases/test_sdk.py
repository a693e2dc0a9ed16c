"""The SDK boundary (docs/ADDING_A_SERVICE.md): a service module imports ``backend.cases.sdk`` and nothing else from
Yiwang. Read from the source (every import, also inside functions), so a lazy import cannot hide a breach; the
``startservice`` template is held to the same rule, so every scaffolded service starts on the SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backend.cases import sdk

ROOT = Path(__file__).resolve().parents[2]
SERVICEMODULES = sorted((ROOT / "backend" / "servicemodules").glob("*.py"))
TEMPLATE = ROOT / "backend" / "cases" / "management" / "commands" / "startservice_templates" / "service.py-tpl"
ALLOWED = "backend.cases.sdk"


def yiwang_imports(source: str, filename: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a Yiwang module; relative imports count as Yiwang ones."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "backend"]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level or module.split(".")[0] == "backend":
                found.append((node.lineno, "." * node.level + module))
    return found


THIRD_PARTY = sorted((ROOT / "tests" / "thirdparty").glob("*/*/service.py"))


@pytest.mark.parametrize("path", THIRD_PARTY, ids=lambda p: p.parent.name)
def test_the_third_party_example_imports_only_the_sdk_of_yiwang(path: Path) -> None:
    """A package of its own may import its own modules (relative imports); of Yiwang, only the SDK."""
    found = yiwang_imports(path.read_text(encoding="utf-8"), path.name)
    offences = [
        f"{path.name}:{line} imports {name}" for line, name in found if name.startswith("backend") and name != ALLOWED
    ]
    assert THIRD_PARTY and not offences, offences


@pytest.mark.parametrize("path", [*SERVICEMODULES, TEMPLATE], ids=lambda p: p.name)
def test_service_modules_import_only_the_sdk(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".py-tpl":
        source = source.replace("$class_name", "Scaffolded").replace("$name_line", "name = None")
    offences = [
        f"{path.name}:{line} imports {name}" for line, name in yiwang_imports(source, path.name) if name != ALLOWED
    ]
    assert not offences, "service modules import only backend.cases.sdk:\n" + "\n".join(offences)


def test_the_scan_sees_a_breach() -> None:
    """The checker itself: an engine import, a relative import and a lazy one are all caught."""
    source = "from backend.cases.models import Case\nfrom ._x import y\ndef f():\n    import backend.core.crypto\n"
    assert [name for _, name in yiwang_imports(source, "x.py")] == [
        "backend.cases.models",
        "._x",
        "backend.core.crypto",
    ]


def test_everything_exported_exists() -> None:
    missing = [name for name in sdk.__all__ if not hasattr(sdk, name)]
    assert not missing


def test_money_helpers() -> None:
    assert sdk.yuan("12.5") == sdk.Money("12.50")
    assert sdk.yuan("not money") == sdk.Money("0.00")
    assert sdk.format_yuan(sdk.Money("1234.5")) == "1234.50"
