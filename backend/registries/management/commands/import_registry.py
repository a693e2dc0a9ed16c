"""``manage.py import_registry FILE.json``: load department registry data (DESIGN §3.6)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.registries.importer import RegistryImportError, import_registry_file
from backend.registries.signals import registry_imported


class Command(BaseCommand):
    help = "Import department registry data from a JSON file (idempotent by natural keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        try:
            report = import_registry_file(file)
        except RegistryImportError as exc:
            raise CommandError(f"nothing imported: {exc}") from exc
        for line in report.lines() or ["nothing to import"]:
            self.stdout.write(line)
        # after the import's transaction committed: listeners (the 免申即享 scan) read the new data
        for _receiver, answer in registry_imported.send(sender=self.__class__, report=report):
            if isinstance(answer, str) and answer:
                self.stdout.write(answer)
