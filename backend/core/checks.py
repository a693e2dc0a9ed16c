"""Deploy checks (``manage.py check --deploy``) for what Django's own checks cannot know about Yiwang."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def keys_at_rest(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Without configured keys, data at rest is encrypted and indexed under keys derived from SECRET_KEY: rotating
    SECRET_KEY without listing the old one in SECRET_KEY_FALLBACKS would make every face template and identity
    number unreadable, and one secret would guard both the session signatures and the data."""
    return [
        Warning(
            f"{name} is not set: {what} are protected by keys derived from SECRET_KEY.",
            hint=f"Set {name} (comma-separated, current key first); see docs/SECURITY.md.",
            id=f"yiwang.W00{n}",
        )
        for n, (name, what) in enumerate(
            [
                ("FIELD_ENCRYPTION_KEYS", "face templates and identity numbers"),
                ("ID_INDEX_KEYS", "the blind indexes of identity numbers"),
            ],
            start=1,
        )
        if not getattr(settings, name, None)
    ]
