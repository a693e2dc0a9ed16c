"""Bilingual text: the one place that decides between zh-CN and English for the current request.

Service modules (also third-party ones) declare resident-facing text as ``Text("中文", "English")`` instead of
shipping gettext catalogues; stored text (rule traces, decisions) keeps both as ``{"zh", "en"}``; models with
``<field>_zh``/``<field>_en`` columns are read with :func:`localized`. All resolve through :func:`is_english`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def pick(zh: str, en: str) -> str:
    return en if is_english() else zh


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def __str__(self) -> str:
        return pick(self.zh, self.en)

    def format(self, **values: object) -> Text:
        return Text(self.zh.format(**values), self.en.format(**values))

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


def localize(value: Any) -> Any:
    """Stored ``{"zh": …, "en": …}`` pairs → the string for the active language, recursively."""
    if isinstance(value, dict):
        if set(value) == {"zh", "en"}:
            return pick(value["zh"], value["en"])
        return {k: localize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v) for v in value]
    return value


def localized(obj: object, field: str) -> str:
    """``obj.<field>_zh`` or ``obj.<field>_en`` for the active language (falls back to Chinese when empty)."""
    zh = getattr(obj, f"{field}_zh", "") or ""
    return (getattr(obj, f"{field}_en", "") or zh) if is_english() else zh
