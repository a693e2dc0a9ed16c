"""Re-encrypt every face template under the first key of FIELD_ENCRYPTION_KEYS (see docs/FACE_API.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.faceauth.crypto import TemplateUnreadable
from backend.faceauth.services import rotate_template_keys


class Command(BaseCommand):
    help = "Re-encrypt face templates with the current (first) field-encryption key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-secret-key",
            action="store_true",
            help="also decrypt with the SECRET_KEY-derived keys used while FIELD_ENCRYPTION_KEYS was empty",
        )

    def handle(self, *args: Any, from_secret_key: bool, **options: Any) -> None:
        try:
            count = rotate_template_keys(from_secret_key=from_secret_key)
        except TemplateUnreadable as exc:
            raise CommandError(
                f"a template does not decrypt with any configured key ({exc}); keep the old key in "
                "FIELD_ENCRYPTION_KEYS (after the new one) until rotation has finished"
            ) from exc
        self.stdout.write(f"re-encrypted {count} face templates")
