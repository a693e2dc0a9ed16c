"""``manage.py proactive_scan [--full]``: run the 免申即享 scan now (incremental unless ``--full``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.proactive.scan import scan_all


class Command(BaseCommand):
    help = "Offer proactive services (免申即享) to the residents who qualify; incremental unless --full."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Evaluate every candidate, not only changed ones.")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args: Any, full: bool = False, today: dt.date | None = None, **options: Any) -> None:
        for result in scan_all(full=full, today=today):
            self.stdout.write(result.line())
