"""docs/API.md is the public contract: these tests keep it true to the code, in both directions.

They parse API.md by the conventions its section "How this file is checked" describes and compare it with the
OpenAPI schema drf-spectacular generates (what ``/api/v1/schema/`` serves), with the URL configuration (for the
endpoints outside the schema: allauth, Open311, the cockpit, the schema and docs pages) and with the source (error
codes raised in ``backend/``, reason codes of the service modules, automation identifiers of ``mobileapp/``).

A failure says what to add to (or remove from) API.md. When the code is right and API.md is behind, update API.md
and add a bullet to docs/CHANGES.md; when API.md is right, the code drifted from the contract.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

ROOT = Path(settings.BASE_DIR)
DOC = ROOT / "docs" / "API.md"
DOC_NAME = "docs/API.md"

METHODS = ("get", "post", "put", "patch", "delete")
PAGE_PARAMS = {"page", "page_size"}

#: Endpoints outside the DRF schema that API.md documents; they are checked against the URL conf instead.
NON_SCHEMA_PREFIXES = ("/_allauth/", "/open311/", "/cockpit/", "/api/v1/schema/", "/api/v1/docs/")
#: Of these, every route of the URL conf must be documented (allauth: only the subset API.md names is contract).
FULLY_DOCUMENTED_PREFIXES = ("open311/v2/", "cockpit/", "api/v1/schema/", "api/v1/docs/")
#: Sample values for path parameters when resolving a documented path in the URL conf.
SAMPLE_PARAMS = {"id": "1", "code": "garbage"}

#: Query parameters the views read but the schema does not declare (no ``OpenApiParameter``), so API.md documents
#: them beyond the schema. Declaring one in the view's ``extend_schema`` makes its entry here fail: then delete it.
UNDECLARED_QUERY_PARAMS: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/cases"): {"status": "CaseListCreateView.get_queryset filters by it"},
    ("GET", "/api/v1/events"): {"status": "EventListCreateView.get_queryset filters by it"},
    ("GET", "/api/v1/staff/events"): {
        "status": "StaffEventListView.get_queryset",
        "overdue": "StaffEventListView.get_queryset",
        "category": "StaffEventListView.get_queryset",
        "district": "StaffEventListView.get_queryset",
    },
    ("GET", "/api/v1/staff/follow-ups"): {"open": "StaffFollowUpListView.get_queryset"},
    ("GET", "/api/v1/notifications"): {"unread": "NotificationListView.get_queryset"},
    ("GET", "/api/v1/appointments"): {"status": "BookingListCreateView.get_queryset"},
    ("GET", "/api/v1/appointments/venues"): {"kind": "VenueListView.get_queryset", "service": "VenueListView"},
}

#: Error codes raised in backend/ that are deliberately not in API.md's error table, with the reason.
INTERNAL_ERROR_CODES: dict[str, str] = {
    "face_error": "default code of faceauth.engine.FaceEngineError; faceauth.services maps every engine error to "
    "invalid_image, no_face or multiple_faces before it reaches a client",
}

#: The error-raising callables whose first argument (or ``code=``) is an API error code.
ERROR_CALLS = {"DomainError", "Conflict", "Forbidden", "NotFound", "Unprocessable", "PhotoError", "error_body"}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z]+$")


# --- parsing API.md ---------------------------------------------------------------------------------------------

ENDPOINT_HEADING = re.compile(r"^### (GET|POST|PUT|PATCH|DELETE) (/\S*)$")
OBJECT_HEADING = re.compile(r"^### Object: (\w+)$")
ENUM_HEADING = re.compile(r"^### Enum: (\w+)$")
BACKTICKED = re.compile(r"`([^`]+)`")
STATUS = re.compile(r"\b([1-5]\d\d)\b")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    line: int

    def first_column(self) -> list[str]:
        """The backticked name in each row's first cell (the convention for field names)."""
        names = []
        for row in self.rows:
            match = BACKTICKED.search(row[0]) if row else None
            if match:
                names.append(match.group(1))
        return names


@dataclass
class Section:
    title: str
    line: int
    body: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.body)

    def tables(self) -> list[Table]:
        tables: list[Table] = []
        current: list[tuple[int, str]] = []
        for offset, raw in enumerate([*self.body, ""]):
            if raw.lstrip().startswith("|"):
                current.append((self.line + 1 + offset, raw))
                continue
            if current:
                cells = [split_row(text) for _, text in current]
                rows = [c for c in cells[1:] if not all(set(x) <= set("-: ") for x in c)]
                tables.append(Table(cells[0], rows, current[0][0]))
                current = []
        return tables

    def table(self, first_header: str) -> Table | None:
        found = [t for t in self.tables() if t.header and t.header[0].strip("` ") == first_header]
        return found[0] if found else None

    def paragraph(self, tag: str) -> str | None:
        """The paragraph that starts with ``tag`` (e.g. ``Returns:``), up to the next blank line or tag."""
        lines: list[str] = []
        inside = False
        for raw in self.body:
            starts_tag = re.match(r"^(Returns|Errors|Extends|Without):", raw)
            if raw.startswith(tag):
                inside = True
                lines.append(raw[len(tag) :])
                continue
            if inside:
                if not raw.strip() or starts_tag or raw.startswith(("|", "#")):
                    break
                lines.append(raw)
        return " ".join(lines) if inside else None


def split_row(line: str) -> list[str]:
    """Cells of a Markdown table row; a ``|`` inside backticks does not split."""
    cells, current, in_code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def parse_sections(text: str) -> list[Section]:
    sections: list[Section] = []
    current = Section("", 0)
    in_fence = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.match(r"^#{1,3} ", raw):
            sections.append(current)
            current = Section(raw, number)
            continue
        current.body.append(raw)
    sections.append(current)
    return sections


@dataclass
class ApiDoc:
    sections: list[Section]
    endpoints: dict[tuple[str, str], Section]
    objects: dict[str, Section]
    enums: dict[str, Section]


@pytest.fixture(scope="module")
def doc() -> ApiDoc:
    sections = parse_sections(DOC.read_text(encoding="utf-8"))
    endpoints: dict[tuple[str, str], Section] = {}
    objects: dict[str, Section] = {}
    enums: dict[str, Section] = {}
    duplicates = []
    for section in sections:
        if match := ENDPOINT_HEADING.match(section.title):
            key = (match.group(1), match.group(2))
            if key in endpoints:
                duplicates.append(f"{key[0]} {key[1]} (lines {endpoints[key].line} and {section.line})")
            endpoints[key] = section
        elif match := OBJECT_HEADING.match(section.title):
            objects[match.group(1)] = section
        elif match := ENUM_HEADING.match(section.title):
            enums[match.group(1)] = section
    assert not duplicates, f"{DOC_NAME}: an endpoint is documented twice: {duplicates}"
    return ApiDoc(sections, endpoints, objects, enums)


def section_with_table(doc: ApiDoc, first_header: str) -> list[Table]:
    return [t for s in doc.sections for t in s.tables() if t.header and t.header[0].strip("` ") == first_header]


# --- the schema -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The schema ``/api/v1/schema/`` serves (the same generator, public, no request)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def component(schema: dict[str, Any], ref_or_schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = ref_or_schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return name, schema["components"]["schemas"][name]
    return None, ref_or_schema


def response_component(schema: dict[str, Any], body: dict[str, Any]) -> tuple[str | None, bool]:
    """The object a response carries (through pages and arrays), and whether it is a page."""
    name, resolved = component(schema, body)
    if name and name.startswith("Paginated"):
        item_name, _ = component(schema, resolved["properties"]["results"]["items"])
        return item_name, True
    if resolved.get("type") == "array":
        item_name, _ = component(schema, resolved.get("items", {}))
        return item_name, False
    return name, False


def request_properties(schema: dict[str, Any], operation: dict[str, Any]) -> set[str] | None:
    body = operation.get("requestBody")
    if not body:
        return None
    content = next(iter(body["content"].values()))
    _, resolved = component(schema, content["schema"])
    return set(resolved.get("properties", {}))


def object_fields(schema: dict[str, Any], name: str) -> set[str]:
    return set(schema["components"]["schemas"][name].get("properties", {}))


def where(section: Section) -> str:
    return f"{DOC_NAME}:{section.line} ({section.title.lstrip('# ')})"


def names(values: set[str] | list[str]) -> str:
    return ", ".join(f"`{v}`" for v in sorted(values))


# --- endpoints --------------------------------------------------------------------------------------------------


def test_the_parser_finds_the_contract(doc: ApiDoc) -> None:
    """Guards the conventions themselves: a broken heading format must not make every other test pass vacuously."""
    assert len(doc.endpoints) >= 60, f"only {len(doc.endpoints)} `### METHOD /path` headings found in {DOC_NAME}"
    assert len(doc.objects) >= 30, f"only {len(doc.objects)} `### Object: Name` headings found"
    assert len(doc.enums) >= 5, f"only {len(doc.enums)} `### Enum: Name` headings found"
    assert error_table(doc), f"{DOC_NAME} has no table whose first header cell is `code` (the error codes)"
    assert section_with_table(doc, "service"), f"{DOC_NAME} has no reason-code table (`service`, `reason_code`)"
    assert section_with_table(doc, "identifier"), f"{DOC_NAME} has no automation-identifier table"


def test_every_operation_of_the_schema_is_documented(doc: ApiDoc, schema: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in operations(schema):
        if (method, path) not in doc.endpoints:
            missing.append(f"### {method} {path}   ({operation.get('operationId')}: {operation.get('summary', '')})")
    assert not missing, (
        f"{DOC_NAME} lacks these endpoints of the schema. Add a section for each, with its purpose, a `request` "
        "table (body fields), a `query` table, `Returns:` and `Errors:` (see 'How this file is checked'):\n  "
        + "\n  ".join(missing)
    )


def documented_route(path: str) -> tuple[Any, str]:
    """Resolve a documented path (parameters filled with samples); returns (match, sample path)."""
    sample = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "1"), path)
    return resolve(sample), sample


def view_methods(match: Any) -> set[str]:
    cls = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    if cls is None:  # a function view (the cockpit): GET pages
        return {"GET"}
    return {m.upper() for m in METHODS if hasattr(cls, m)}


def test_every_documented_endpoint_exists(doc: ApiDoc, schema: dict[str, Any]) -> None:
    in_schema = {(m, p) for m, p, _ in operations(schema)}
    wrong = []
    for (method, path), section in doc.endpoints.items():
        if (method, path) in in_schema:
            continue
        if not path.startswith(NON_SCHEMA_PREFIXES):
            wrong.append(f"{where(section)}: {method} {path} is not an operation of the schema")
            continue
        try:
            match, sample = documented_route(path)
        except Resolver404:
            wrong.append(f"{where(section)}: {path} does not resolve in the URL conf")
            continue
        if match.url_name is None:  # Open311's catch-all answers unknown methods with a GeoReport 404
            wrong.append(f"{where(section)}: {sample} only reaches a catch-all route ({match.func.__name__})")
        elif method not in view_methods(match):
            wrong.append(f"{where(section)}: {match.view_name} does not handle {method}")
    assert not wrong, "endpoints in API.md that the code does not have (fix or remove them):\n  " + "\n  ".join(wrong)


def url_routes() -> Iterator[tuple[str, str, Any]]:
    """(route prefix + pattern, view name, pattern) for every named route of the URL conf."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + str(pattern.pattern).lstrip("^"), namespace + pattern.name, pattern

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_open311_cockpit_and_schema_route_is_documented(doc: ApiDoc) -> None:
    documented: set[tuple[str, str]] = set()
    for method, path in doc.endpoints:
        if path.startswith(NON_SCHEMA_PREFIXES):
            try:
                match, _ = documented_route(path)
            except Resolver404:
                continue
            documented.add((method, match.view_name))
    missing = []
    for route, view_name, pattern in url_routes():
        if not route.startswith(FULLY_DOCUMENTED_PREFIXES):
            continue
        cls = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        methods = {m.upper() for m in METHODS if hasattr(cls, m)} if cls else {"GET"}
        for method in sorted(methods):
            if (method, view_name) not in documented:
                missing.append(f"{method} /{route}  (URL name {view_name})")
    assert not missing, (
        f"routes without a `### METHOD /path` section in {DOC_NAME} (Open311 paths with their `.json` suffix):\n  "
        + "\n  ".join(missing)
    )


def test_request_fields_match_the_schema(doc: ApiDoc, schema: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(schema):
        section = doc.endpoints.get((method, path))
        if section is None:
            continue  # reported by test_every_operation_of_the_schema_is_documented
        expected = request_properties(schema, operation)
        table = section.table("request")
        documented = set(table.first_column()) if table else None
        if expected is None and documented:
            wrong.append(f"{where(section)}: the schema has no request body; remove the `request` table")
        elif expected is not None and documented is None:
            wrong.append(
                f"{where(section)}: add a table `| request | type | notes |` with the fields {names(expected)}"
            )
        elif expected is not None and documented is not None and expected != documented:
            if expected - documented:
                wrong.append(f"{where(section)}: add to the request table: {names(expected - documented)}")
            if documented - expected:
                wrong.append(f"{where(section)}: not in the schema's request body: {names(documented - expected)}")
    assert not wrong, "request bodies differ between API.md and the schema:\n  " + "\n  ".join(wrong)


def test_query_parameters_match_the_schema(doc: ApiDoc, schema: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(schema):
        section = doc.endpoints.get((method, path))
        if section is None:
            continue
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"} - PAGE_PARAMS
        table = section.table("query")
        documented = set(table.first_column()) if table else set()
        undeclared = set(UNDECLARED_QUERY_PARAMS.get((method, path), {}))
        if declared - documented:
            wrong.append(
                f"{where(section)}: add to its `| query | type | notes |` table: {names(declared - documented)}"
            )
        if extra := documented - declared - undeclared:
            wrong.append(
                f"{where(section)}: query parameters not in the schema: {names(extra)} (declare them with "
                "OpenApiParameter in the view, or remove them)"
            )
        if stale := undeclared & declared:
            wrong.append(f"{method} {path}: {names(stale)} are declared now: remove them from UNDECLARED_QUERY_PARAMS")
        if missing := undeclared - documented:
            wrong.append(f"{where(section)}: UNDECLARED_QUERY_PARAMS lists {names(missing)}: document them")
    assert not wrong, "query parameters differ between API.md and the schema:\n  " + "\n  ".join(wrong)


def test_success_responses_match_the_schema(doc: ApiDoc, schema: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(schema):
        section = doc.endpoints.get((method, path))
        if section is None:
            continue
        returns = section.paragraph("Returns:")
        if returns is None:
            wrong.append(f"{where(section)}: add a `Returns:` line (status and response object)")
            continue
        statuses = set(STATUS.findall(returns))
        backticked = set(BACKTICKED.findall(returns))
        paginated = False
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            if status not in statuses:
                wrong.append(f"{where(section)}: `Returns:` does not name status {status}")
            for content in response.get("content", {}).values():
                if "$ref" not in content["schema"] and content["schema"].get("type") != "array":
                    continue  # a file or free-form body
                name, page = response_component(schema, content["schema"])
                paginated |= page
                if name and name not in backticked:
                    wrong.append(f"{where(section)}: `Returns:` should name the response object `{name}`")
        says_paginated = "paginated" in returns.lower()
        if paginated != says_paginated:
            wrong.append(
                f"{where(section)}: the schema's response is {'a page' if paginated else 'not a page'}: "
                + ("say `paginated` in `Returns:`" if paginated else "remove `paginated` from `Returns:`")
            )
    assert not wrong, "success responses differ between API.md and the schema:\n  " + "\n  ".join(wrong)


def test_error_paragraphs_name_known_codes_and_the_schema_statuses(doc: ApiDoc, schema: dict[str, Any]) -> None:
    known = set(error_table(doc))
    operations_by_key = {(m, p): op for m, p, op in operations(schema)}
    wrong = []
    for (method, path), section in doc.endpoints.items():
        if not path.startswith("/api/"):
            continue
        errors = section.paragraph("Errors:")
        if errors is None:
            continue
        if unknown := set(BACKTICKED.findall(errors)) - known:
            wrong.append(
                f"{where(section)}: `Errors:` names {names(unknown)}, which the error code table does not list "
                "(add them there, or do not backtick words that are not codes)"
            )
        operation = operations_by_key.get((method, path), {})
        declared = {s for s in operation.get("responses", {}) if s[0] in "45"}
        if missing := declared - set(STATUS.findall(errors)):
            wrong.append(f"{where(section)}: the schema declares error statuses {sorted(missing)}: name them")
    assert not wrong, "error paragraphs:\n  " + "\n  ".join(wrong)


def test_header_parameters_are_documented(doc: ApiDoc, schema: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(schema):
        section = doc.endpoints.get((method, path))
        if section is None:
            continue
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        for header in headers:
            if f"`{header}`" not in section.text:
                wrong.append(f"{where(section)}: mention the `{header}` header (what it does here)")
        if "Idempotency-Key" not in headers and "Honours `Idempotency-Key`" in section.text:
            wrong.append(f"{where(section)}: says it honours `Idempotency-Key`, but the schema has no such header")
    assert not wrong, "header parameters:\n  " + "\n  ".join(wrong)


# --- objects and enums ------------------------------------------------------------------------------------------


def response_components(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(objects, enums) of the schema's components that clients receive: not pages, not request bodies."""
    objects, enums = set(), set()
    for name, spec in schema["components"]["schemas"].items():
        if "enum" in spec:
            enums.add(name)
        elif not name.startswith("Paginated") and not name.endswith("Request"):
            objects.add(name)
    return objects, enums


def documented_fields(doc: ApiDoc, name: str, seen: tuple[str, ...] = ()) -> set[str]:
    """An object's fields: its table, plus those of the object it ``Extends:``, minus ``Without:``."""
    section = doc.objects[name]
    if name in seen:
        raise AssertionError(f"{where(section)}: `Extends:` loops ({' → '.join((*seen, name))})")
    table = section.table("field")
    fields = set(table.first_column()) if table else set()
    if extends := section.paragraph("Extends:"):
        for base in BACKTICKED.findall(extends):
            assert base in doc.objects, f"{where(section)}: extends `{base}`, which has no `### Object: {base}`"
            fields |= documented_fields(doc, base, (*seen, name))
    if without := section.paragraph("Without:"):
        fields -= set(BACKTICKED.findall(without))
    return fields


def test_every_response_object_and_enum_is_documented(doc: ApiDoc, schema: dict[str, Any]) -> None:
    objects, enums = response_components(schema)
    problems = []
    if missing := objects - set(doc.objects):
        problems.append(f"add `### Object: Name` sections with a `| field | type | notes |` table for {names(missing)}")
    if missing := enums - set(doc.enums):
        problems.append(f"add `### Enum: Name` sections with a `| value | meaning |` table for {names(missing)}")
    if extra := set(doc.objects) - objects:
        problems.append(f"objects that are not components of the schema (renamed or removed?): {names(extra)}")
    if extra := set(doc.enums) - enums:
        problems.append(f"enums that are not components of the schema: {names(extra)}")
    assert not problems, f"{DOC_NAME}:\n  " + "\n  ".join(problems)


def test_object_fields_match_the_schema(doc: ApiDoc, schema: dict[str, Any]) -> None:
    objects, _ = response_components(schema)
    wrong = []
    for name in sorted(objects & set(doc.objects)):
        expected = object_fields(schema, name)
        documented = documented_fields(doc, name)
        section = doc.objects[name]
        if missing := expected - documented:
            wrong.append(f"{where(section)}: add the fields {names(missing)}")
        if extra := documented - expected:
            wrong.append(f"{where(section)}: the schema's `{name}` has no {names(extra)}")
    assert not wrong, "object fields differ between API.md and the schema:\n  " + "\n  ".join(wrong)


def test_enum_values_match_the_schema(doc: ApiDoc, schema: dict[str, Any]) -> None:
    wrong = []
    for name, section in sorted(doc.enums.items()):
        spec = schema["components"]["schemas"].get(name)
        if spec is None or "enum" not in spec:
            continue  # reported by test_every_response_object_and_enum_is_documented
        table = section.table("value")
        documented = set(table.first_column()) if table else set()
        expected = {str(v) for v in spec["enum"] if v not in (None, "")}
        if expected != documented:
            wrong.append(f"{where(section)}: values should be {names(expected)} (documented: {names(documented)})")
    assert not wrong, "enum values differ between API.md and the schema:\n  " + "\n  ".join(wrong)


# --- error codes ------------------------------------------------------------------------------------------------


def error_table(doc: ApiDoc) -> dict[str, str]:
    """code → status, from the table under "## Error codes"."""
    table = next(
        (s.table("code") for s in doc.sections if s.title.strip() == "## Error codes" and s.table("code")), None
    )
    if table is None:
        return {}
    return {BACKTICKED.search(row[0]).group(1): row[1] for row in table.rows if BACKTICKED.search(row[0])}


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _base_names(node: ast.ClassDef) -> set[str]:
    return {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases if isinstance(b, ast.Name | ast.Attribute)}


def raised_error_codes() -> dict[str, set[str]]:
    """Every API error code written in backend/, with the files it appears in.

    Found syntactically, so a code is counted where it is written: the first argument (or ``code=``) of
    ``DomainError`` and its subclasses, of ``PhotoError`` and ``error_body``; ``super().__init__("code", …)`` in
    their subclasses; class-level ``code = "…"`` of exception classes (the face engine's); ``{"error": {"code":
    "…"}}`` literals (the cockpit); plus the DRF and middleware tables of backend/core.
    """
    from backend.core import errors, middleware

    found: dict[str, set[str]] = {}

    def add(code: str | None, where: str) -> None:
        if code and SNAKE.match(code):
            found.setdefault(code, set()).add(where)

    trees = {}
    for path in sorted((ROOT / "backend").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        trees[path.relative_to(ROOT).as_posix()] = ast.parse(path.read_text(encoding="utf-8"))
    error_classes = set(ERROR_CALLS)
    for _ in range(3):  # subclasses of subclasses
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and _base_names(node) & error_classes:
                    error_classes.add(node.name)
    for where, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name in error_classes:
                    add(_string(node.args[0]) if node.args else None, where)
                    add(next((_string(k.value) for k in node.keywords if k.arg == "code"), None), where)
            elif isinstance(node, ast.ClassDef):
                bases = _base_names(node)
                exception_like = bases & error_classes or any(b.endswith(("Error", "Exception")) for b in bases)
                for item in node.body:
                    if exception_like and isinstance(item, ast.Assign | ast.AnnAssign):
                        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                        if any(isinstance(t, ast.Name) and t.id == "code" for t in targets):
                            add(_string(item.value), where)
                if bases & error_classes:
                    for call in ast.walk(node):
                        if isinstance(call, ast.Call) and _call_name(call) == "__init__" and call.args:
                            add(_string(call.args[0]), where)
            elif isinstance(node, ast.Dict):
                keys = [_string(k) for k in node.keys]
                if "code" in keys and "message" in keys:
                    add(_string(node.values[keys.index("code")]), where)
    for code in errors._DRF_CODES.values():
        add(code, "backend/core/errors.py")
    for code, _message in middleware._GENERIC.values():
        add(code, "backend/core/middleware.py")
    return found


def test_scanner_finds_error_codes_written_over_several_lines() -> None:
    """The scanner must see codes in every form the backend writes them, or the next test proves nothing."""
    found = raised_error_codes()
    for code in ("frames_required", "face_locked", "payload_too_large", "invalid_period", "no_face", "throttled"):
        assert code in found, f"the error-code scanner misses {code!r}"


def test_every_documented_error_code_is_raised_by_the_backend(doc: ApiDoc) -> None:
    documented = error_table(doc)
    raised = raised_error_codes()
    if unknown := set(documented) - set(raised):
        pytest.fail(
            f"{DOC_NAME} documents error codes that nothing in backend/ raises: {names(unknown)}. "
            "Remove them (with a note in docs/CHANGES.md) or restore the code that raises them."
        )


def test_every_error_code_the_backend_raises_is_documented(doc: ApiDoc) -> None:
    documented = set(error_table(doc))
    raised = raised_error_codes()
    undocumented = set(raised) - documented - set(INTERNAL_ERROR_CODES)
    lines = [
        f"| `{code}` | <status> | <meaning> |   (raised in {', '.join(sorted(raised[code]))})"
        for code in sorted(undocumented)
    ]
    assert not undocumented, (
        f"error codes raised in backend/ but missing from the error code table of {DOC_NAME}; add rows (and a "
        "bullet to docs/CHANGES.md), or list an internal code in INTERNAL_ERROR_CODES with the reason:\n  "
        + "\n  ".join(lines)
    )
    stale = {c for c in INTERNAL_ERROR_CODES if c not in raised or c in documented}
    assert not stale, f"INTERNAL_ERROR_CODES entries no longer needed: {names(stale)}"


# --- reason codes of the seed services --------------------------------------------------------------------------

RULE = re.compile(r"\bRule\(\s*\"([a-z_]+)\"")


def module_rule_codes() -> dict[str, set[str]]:
    """service code → the ``Rule("code", …)`` codes written in its module under backend/servicemodules/."""
    result: dict[str, set[str]] = {}
    for path in sorted((ROOT / "backend" / "servicemodules").glob("*.py")):
        if path.name.startswith("_") or path.stem in {"apps", "urls"}:
            continue
        module = importlib.import_module(f"backend.servicemodules.{path.stem}")
        service = getattr(module, "service", None)
        if service is not None:
            source = path.read_text(encoding="utf-8")
            result[service.code] = set(RULE.findall(source)) | sdk_rule_codes(source)
    return result


def sdk_rule_codes(source: str) -> set[str]:
    """The codes of the rules a module takes ready-made from the SDK: calls such as
    ``certificate_rules(registered=True)`` (a ``*_rules`` function of ``backend.cases.sdk``, literal arguments)."""
    from backend.cases import sdk

    codes: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("_rules"):
            factory = getattr(sdk, node.func.id, None)
            if callable(factory):
                args = [ast.literal_eval(a) for a in node.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
                codes |= {rule.code for rule in factory(*args, **kwargs)}
    return codes


def test_reason_codes_match_the_service_modules(doc: ApiDoc) -> None:
    documented: dict[str, set[str]] = {}
    for table in section_with_table(doc, "service"):
        if len(table.header) < 2 or table.header[1].strip("` ") != "reason_code":
            continue
        for row in table.rows:
            service, code = (BACKTICKED.search(cell) for cell in row[:2])
            if service and code:
                documented.setdefault(service.group(1), set()).add(code.group(1))
    modules = module_rule_codes()
    assert modules, "no service module found in backend/servicemodules"
    wrong = []
    for service, codes in sorted(modules.items()):
        if missing := codes - documented.get(service, set()):
            wrong.append(f"add rows `| `{service}` | `<code>` | <fails when> |` for {names(missing)}")
        if extra := documented.get(service, set()) - codes:
            wrong.append(f"`{service}` has no rules {names(extra)}: remove those rows")
    if unknown := set(documented) - set(modules):
        wrong.append(f"the reason-code table names services that backend/servicemodules lacks: {names(unknown)}")
    assert not wrong, f"the reason-code table of {DOC_NAME}:\n  " + "\n  ".join(wrong)


# --- automation identifiers -------------------------------------------------------------------------------------


def identifier_in_app(identifier: str, sources: list[str]) -> bool:
    """A literal ``"login_phone"``; a template ``service_<code>`` built as ``f"service_{…}"``; or ``tab_home`` built
    as ``f"tab_{name}"`` in a file that also names ``"home"``."""
    if "<" in identifier:
        prefix = identifier.split("<", 1)[0]
        return any(f'f"{prefix}{{' in source for source in sources)
    if any(f'"{identifier}"' in source for source in sources):
        return True
    head, _, tail = identifier.rpartition("_")
    return bool(head) and any(f'f"{head}_{{' in source and f'"{tail}"' in source for source in sources)


def test_automation_identifiers_exist_in_the_app(doc: ApiDoc) -> None:
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "mobileapp").rglob("*.py"))]
    identifiers = [i for t in section_with_table(doc, "identifier") for i in t.first_column()]
    assert len(identifiers) >= 10, f"{DOC_NAME}: the identifier table lists only {identifiers}"
    missing = [i for i in identifiers if not identifier_in_app(i, sources)]
    assert not missing, f"automation identifiers of {DOC_NAME} that mobileapp/ does not set: {names(missing)}"


# --- the README and docs point at files a clone has --------------------------------------------------------------


def test_readme_and_docs_do_not_send_readers_outside_the_repository() -> None:
    """A clone has no ``../shared`` (the workspace): nothing in README.md or docs/ may send a reader there."""
    offenders = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "../shared" in line or "/work/" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "references to files outside the repository:\n  " + "\n  ".join(offenders)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/API.md" in readme, "README.md should point readers at docs/API.md for the contract"
