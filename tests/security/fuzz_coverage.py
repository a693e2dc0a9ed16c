"""What the fuzzer reached: the status codes each operation of the schema answered, read from schemathesis' HAR
reports. An operation that only ever answered 404 (no real id) or 401/403 (the wrong account) was not fuzzed, only
knocked on; the fuzz run prints these counts so a regression in seeding shows.

    .venv/bin/python tests/security/fuzz_coverage.py SCHEMA.json HAR.json [HAR.json …]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict[str, Any]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(method, path template, regex) for every operation, the most literal templates first."""
    found = []
    for path, item in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        found += [(method.upper(), path, pattern) for method in item if method in METHODS]
    return sorted(found, key=lambda op: -len(re.sub(r"\{[^}]+\}", "", op[1])))


def statuses(schema: dict[str, Any], hars: list[Path]) -> tuple[dict[str, Counter], list[str]]:
    """Status codes per ``"METHOD /path"`` (every operation present, possibly empty) and the requests answered 5xx."""
    ops = operations(schema)
    seen: dict[str, Counter] = {f"{m} {p}": Counter() for m, p, _ in ops}
    server_errors = []
    for har in hars:
        for entry in json.loads(har.read_text())["log"]["entries"]:
            method, url, status = entry["request"]["method"], entry["request"]["url"], entry["response"]["status"]
            path = urlsplit(url).path
            label = next((f"{m} {p}" for m, p, rx in ops if m == method and rx.match(path)), None)
            if label:  # requests outside the schema (schemathesis probes unsupported methods) are not counted
                seen[label][status] += 1
            if status >= 500:
                body = entry["request"].get("postData", {}).get("text", "")[:300]
                server_errors.append(f"{status} {method} {url} {body}".strip())
    return seen, server_errors


def summary(seen: dict[str, Counter]) -> dict[str, list[str]]:
    return {
        "only 404": sorted(op for op, c in seen.items() if c and set(c) == {404}),
        "only 401/403": sorted(op for op, c in seen.items() if c and set(c) <= {401, 403}),
        "no 2xx": sorted(op for op, c in seen.items() if not any(200 <= s < 300 for s in c)),
        "not reached": sorted(op for op, c in seen.items() if not c),
    }


def report(seen: dict[str, Counter]) -> str:
    lines = [f"{op:55} {' '.join(f'{s}×{n}' for s, n in sorted(c.items()))}" for op, c in sorted(seen.items())]
    for name, ops in summary(seen).items():
        lines.append(f"{name}: {len(ops)} of {len(seen)} operations" + (f" ({', '.join(ops)})" if ops else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    seen, errors = statuses(json.loads(Path(sys.argv[1]).read_text()), [Path(p) for p in sys.argv[2:]])
    print(report(seen))
    print("\n".join(f"5xx: {e}" for e in errors) or "no 5xx")
