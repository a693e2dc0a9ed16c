"""The English catalogue: complete, compiled, and what English clients actually get.

Resident-facing text is written in Chinese (the gettext source language); ``backend/locale/en`` holds its English
translation. Maintenance (from ``backend/``)::

    ../.venv/bin/python ../manage.py makemessages -l en --ignore "demo/*" --no-obsolete
    # translate the new or changed entries in locale/en/LC_MESSAGES/django.po, remove any "fuzzy" flag
    ../.venv/bin/python ../manage.py compilemessages -l en

and commit both ``django.po`` and ``django.mo`` (a fresh machine may have no gettext tools to compile it).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

LC_MESSAGES = Path(settings.BASE_DIR) / "backend" / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%")
# Entries whose English deliberately keeps Chinese: the example is a data value, which stays Chinese.
KEEPS_CHINESE = {"Open311 group, e.g. 市政设施"}


# -- a small .po reader (no polib in the requirements) ---------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """The key of the entry in a compiled catalogue (``gettext.GNUTranslations._catalog``)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a quoted PO string: {text!r}"
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header (msgid "") included; obsolete (``#~``) entries are skipped."""
    entries: list[Entry] = []
    flags: set[str] = set()
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # which string continuation lines extend
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert entry is not None and target is not None, f"stray string line: {raw!r}"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt" or (keyword == "msgid" and (target is None or target[0] != "msgctxt")):
            entry = Entry(flags=flags)
            entries.append(entry)
            flags = set()
        assert entry is not None, f"unexpected line: {raw!r}"
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, 0)
        elif (match := re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)) is not None:
            index = int(match.group(1) or 0)
            entry.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"unexpected line: {raw!r}")
    return entries


def messages() -> list[Entry]:
    return [entry for entry in parse_po(PO) if entry.msgid]


def header() -> dict[str, str]:
    (head,) = [entry for entry in parse_po(PO) if not entry.msgid and entry.msgctxt is None]
    assert "fuzzy" not in head.flags, "the header is still marked fuzzy"
    pairs = (line.partition(":") for line in head.msgstr[0].splitlines() if line)
    return {key.strip(): value.strip() for key, _, value in pairs}


# -- the catalogue ---------------------------------------------------------------------------------------------------


def test_catalogue_is_for_english_and_utf8() -> None:
    fields = header()
    assert fields["Language"] == "en"
    assert "charset=UTF-8" in fields["Content-Type"]


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    entries = messages()
    assert len(entries) > 300  # the parser found the catalogue, not an empty file
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(text.strip() for text in e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


# gettext calls with a single literal argument: _("…"), gettext("…"), gettext_lazy("…"), pgettext is not used here.
GETTEXT_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\\n]|\\.)*)"\s*\)""")


def test_every_chinese_string_in_the_code_is_in_the_catalogue() -> None:
    """A new ``_("…")`` that ``makemessages`` was not re-run for would be served in Chinese to English readers."""
    known = {entry.msgid for entry in messages()}
    backend = Path(settings.BASE_DIR) / "backend"
    missing = []
    for path in sorted(backend.rglob("*.py")):
        if "demo" in path.relative_to(backend).parts[:1] or "migrations" in path.parts:
            continue
        for literal in GETTEXT_CALL.findall(path.read_text(encoding="utf-8")):
            text = literal.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
            if CJK.search(text) and text not in known:
                missing.append(f"{path.relative_to(backend)}: {text}")
    assert not missing, "run makemessages and translate (see the module docstring):\n" + "\n".join(missing)


def test_english_keeps_the_placeholders_and_drops_the_chinese() -> None:
    """``%(name)s`` placeholders survive translation (a lost one raises KeyError at runtime, a new one too), and
    no Chinese (or full-width punctuation) is left in the English, except where it quotes a Chinese data value."""
    for entry in messages():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (entry.msgid, text)
            if entry.msgid not in KEEPS_CHINESE:
                assert not CJK.search(text), (entry.msgid, text)


def test_compiled_catalogue_matches_the_po() -> None:
    """The committed .mo is what the .po says: compiled after the last translation change, nothing left behind."""
    assert MO.exists(), "run compilemessages and commit django.mo"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # msgid (or (msgid, n) for plurals) → msgstr
    stale = []
    for entry in messages():
        if entry.msgid_plural is None:
            if compiled.get(entry.key) != entry.msgstr[0]:
                stale.append(entry.msgid)
        elif any(compiled.get((entry.key, n)) != text for n, text in entry.msgstr.items()):
            stale.append(entry.msgid)
    assert stale == [], "django.mo is older than django.po: run compilemessages -l en"


# -- what clients get ------------------------------------------------------------------------------------------------

ENGLISH = ["en", "en-US,en;q=0.9"]
CHINESE = [None, "zh-CN", "zh-Hans,zh;q=0.9"]


def _headers(language: str | None) -> dict[str, str]:
    return {"HTTP_ACCEPT_LANGUAGE": language} if language else {}


def _mismatch(client: APIClient, record: dict, language: str | None) -> dict:
    response = client.post(
        "/api/v1/me/real-name",
        {"name": "张冠李", "id_number": record["id_number"]},
        format="json",
        **_headers(language),
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "registry_mismatch"
    return error


@pytest.mark.django_db
@pytest.mark.parametrize("language", ENGLISH)
def test_real_name_mismatch_in_english(resident, resident_client: APIClient, language: str) -> None:
    message = _mismatch(resident_client, resident, language)["message"]
    assert not CJK.search(message), message
    assert "name" in message and "ID number" in message


@pytest.mark.django_db
@pytest.mark.parametrize("language", CHINESE)
def test_real_name_mismatch_in_chinese_by_default(resident, resident_client: APIClient, language: str | None) -> None:
    assert _mismatch(resident_client, resident, language)["message"] == "姓名与身份证号不匹配，或户籍登记中无此人。"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/does-not-exist", "/api/v1/cases/999999999"])
def test_not_found_in_english_and_chinese(resident_client: APIClient, path: str) -> None:
    english = resident_client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert english.json()["error"]["code"] == "not_found"
    assert "not found" in english.json()["error"]["message"].lower()
    assert not CJK.search(english.json()["error"]["message"])

    chinese = resident_client.get(path)
    assert chinese.status_code == 404
    assert CJK.search(chinese.json()["error"]["message"])
