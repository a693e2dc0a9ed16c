"""Bilingual text for plug-in code.

Service modules (also third-party ones) declare resident-facing text as ``Text("中文", "English")`` instead of
shipping gettext catalogues: the pair is resolved to the request's language when rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "zh-hans").startswith("en") else self.zh

    def format(self, **values: object) -> Text:
        return Text(self.zh.format(**values), self.en.format(**values))

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


def localized(value: object) -> str:
    return str(value) if value is not None else ""
