"""``manage.py startservice CODE``: scaffold a new government service module and a test that passes as generated.

Writes ``backend/servicemodules/<code_with_underscores>.py`` (a review-mode :class:`ServiceModule` with one example
rule, a one-field form and placeholder names) and ``tests/servicemodules/test_<code_with_underscores>.py`` (the
whole path through the HTTP API on the demo city). Discovery is automatic, so the service is registered and in the
catalogue at once; docs/ADDING_A_SERVICE.md walks through what to change next.
"""

from __future__ import annotations

import importlib
import json
import keyword
import re
import unicodedata
from pathlib import Path
from string import Template
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from backend.cases import discovery

TEMPLATES = Path(__file__).with_name("startservice_templates")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_CODE_LENGTH = 60  # Case.service_code holds 80; 60 keeps the generated imports on one line
LINE_LENGTH = 120  # the project's ruff line length: generated code is lint-clean
RESERVED_MODULES = {"tests", "apps", "urls", "models", "admin", "migrations"}


def _departments() -> dict[str, str]:
    """Known departments: those in the database, else (no database yet) the demo city's."""
    from backend.demo.city import DEPARTMENTS

    known = {d["code"]: d["name_zh"] for d in DEPARTMENTS}
    try:
        from backend.accounts.models import Department

        known.update(dict(Department.objects.values_list("code", "name_zh")))
    except DatabaseError:
        pass
    return known


def _docstring_safe(text: str) -> str:
    return " ".join(text.replace("\\", "/").replace('"""', "'''").split())


def _width(text: str) -> int:
    """Display width as ruff counts it: wide (CJK) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap(text: str, indent: int = 3) -> str:
    """Greedy word wrap to the line length; the first line starts after the docstring's opening quotes."""
    lines: list[str] = []
    line, used = "", indent
    for word in text.split():
        if line and used + 1 + _width(word) > LINE_LENGTH:
            lines.append(line)
            line, used = "", 0
        line, used = (f"{line} {word}", used + 1 + _width(word)) if line else (word, used + _width(word))
    return "\n".join([*lines, line])


def _name_line(name_zh: str, name_en: str) -> str:
    """``name = Text("…", "…")`` as ruff would format it (split when it does not fit on one line)."""
    zh, en = json.dumps(name_zh, ensure_ascii=False), json.dumps(name_en, ensure_ascii=False)
    line = f"name = Text({zh}, {en})"
    if _width(line) + 4 <= LINE_LENGTH:
        return line
    return f"name = Text(\n        {zh},\n        {en},\n    )"


def _class_name(module: str) -> str:
    name = "".join(part.capitalize() for part in module.split("_"))
    return name if name.endswith("Service") else f"{name}Service"


def render(code: str, department: str, department_name: str, name_zh: str = "", name_en: str = "") -> tuple[str, str]:
    """The scaffolded module's and its test's source for a valid ``code`` (the templates filled in)."""
    module = code.replace("-", "_")
    name_en = name_en.strip() or code.replace("-", " ").capitalize()
    name_zh = name_zh.strip() or f"新服务 {code}"
    names = f"{_docstring_safe(name_zh)} {_docstring_safe(name_en)}"
    department_name = _docstring_safe(department_name)
    values = {
        "code": code,
        "module": module,
        "class_name": _class_name(module),
        "department": department,
        "intro": _wrap(f"{names} (`{code}`): a government service of the {department_name} (`{department}`)."),
        "test_intro": _wrap(f"{names} (`{code}`) through the HTTP API, on the demo city."),
        "name_line": _name_line(name_zh, name_en),
    }
    service_source = Template((TEMPLATES / "service.py-tpl").read_text()).substitute(values)
    test_source = Template((TEMPLATES / "test.py-tpl").read_text()).substitute(values)
    return service_source, test_source


class Command(BaseCommand):
    help = "Scaffold a new service module (review mode, one example rule) and its passing test."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the service code: a lowercase slug such as housing-repair-subsidy")
        parser.add_argument(
            "--department", default="housing", help="code of the department that decides it (default: housing)"
        )
        parser.add_argument("--name", dest="name_zh", default="", help="Chinese name (default: a placeholder)")
        parser.add_argument("--name-en", dest="name_en", default="", help="English name (default: from the code)")

    def handle(self, *args: Any, code: str, department: str, name_zh: str, name_en: str, **options: Any) -> None:
        code = code.strip()
        if len(code) > MAX_CODE_LENGTH or not CODE_PATTERN.match(code):
            raise CommandError(
                f"{code!r} is not a valid service code: use lowercase letters, digits and single hyphens, starting "
                f"with a letter, at most {MAX_CODE_LENGTH} characters (e.g. housing-repair-subsidy)."
            )
        module = code.replace("-", "_")
        if keyword.iskeyword(module) or module in RESERVED_MODULES:
            raise CommandError(f"{code!r} cannot be used as a module name; choose another code.")
        if discovery.get_service(code) is not None:
            raise CommandError(f"A service with the code {code!r} is already registered.")
        departments = _departments()
        if department not in departments:
            raise CommandError(f"Unknown department {department!r}; one of: {', '.join(sorted(departments))}.")

        package_file = importlib.import_module(discovery.BUILTIN_PACKAGE).__file__
        if package_file is None:  # a namespace package has no __init__.py to write next to
            raise CommandError(f"{discovery.BUILTIN_PACKAGE} is not a regular package.")
        package_dir = Path(package_file).parent
        module_path = package_dir / f"{module}.py"
        tests_dir = Path(settings.BASE_DIR) / "tests" / "servicemodules"
        test_path = tests_dir / f"test_{module}.py"
        for path in (module_path, package_dir / module, test_path):
            if path.exists():
                raise CommandError(f"{path} already exists; not overwriting it.")

        service_source, test_source = render(code, department, departments[department], name_zh, name_en)

        module_path.write_text(service_source)
        created_tests_dir = not tests_dir.exists()
        tests_dir.mkdir(parents=True, exist_ok=True)
        if not (tests_dir / "__init__.py").exists():
            (tests_dir / "__init__.py").write_text("")
        test_path.write_text(test_source)

        discovery.reload()
        try:
            registered = discovery.installed_services().get(code, (None, ""))[0]
            if registered is None:
                raise ImportError(f"{module_path.name} defines no `service`")
        except Exception as exc:  # the new module must load, or nothing is left behind
            module_path.unlink()
            test_path.unlink()
            if created_tests_dir:
                (tests_dir / "__init__.py").unlink()
                tests_dir.rmdir()
            discovery.reload()
            raise CommandError(f"The scaffolded module does not load: {exc}") from exc

        # A running `runserver` restarts when a module it loaded changes; the package's __init__ makes it rediscover
        # the services (a new file alone is not watched).
        (package_dir / "__init__.py").touch()

        base = Path(settings.BASE_DIR)

        def shown(path: Path) -> Path:
            return path.relative_to(base) if path.is_relative_to(base) else path

        self.stdout.write(self.style.SUCCESS(f"Registered service {code!r} ({registered.mode}, {department})."))
        if discovery.get_service(code) is None:
            self.stdout.write(self.style.WARNING(f"  YIWANG_SERVICES is set: add {code} to it to switch it on."))
        self.stdout.write(f"  module: {shown(module_path)}")
        self.stdout.write(f"  test:   {shown(test_path)}")
        self.stdout.write(
            "Next: edit the names, data, form and rules (docs/ADDING_A_SERVICE.md), then run\n"
            f"  python -m pytest {shown(test_path)}"
        )
