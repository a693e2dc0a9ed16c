"""Re-encrypt and re-index identity numbers under the current keys (docs/SECURITY.md, "Key rotation")."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.cases.identifiers import rotate_cases
from backend.core.crypto import Unreadable
from backend.registries.idnumbers import rotate_birth_certificates, rotate_residents


class Command(BaseCommand):
    help = (
        "Re-seal registry identity numbers and application-form identifiers with the first FIELD_ENCRYPTION_KEYS "
        "key and recompute their blind indexes with the first ID_INDEX_KEYS key. Restartable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-secret-key",
            action="store_true",
            help="also decrypt with the SECRET_KEY-derived keys used while no keys were configured",
        )
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args: Any, from_secret_key: bool, batch: int, **options: Any) -> None:
        try:
            residents = rotate_residents(from_secret_key=from_secret_key, batch=batch)
            certificates = rotate_birth_certificates(from_secret_key=from_secret_key, batch=batch)
            cases = rotate_cases(from_secret_key=from_secret_key, batch=batch)
        except Unreadable as exc:
            raise CommandError(
                f"a value does not decrypt with any configured key ({exc}); keep the old keys in FIELD_ENCRYPTION_KEYS "
                "and ID_INDEX_KEYS (after the new ones) until rotation has finished"
            ) from exc
        self.stdout.write(f"rotated {certificates} birth certificates")
        self.stdout.write(f"rotated {residents} residents and {cases} cases")
