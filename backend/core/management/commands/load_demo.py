"""``manage.py load_demo``: the demo city, loaded idempotently (``make run`` calls it on every start).

Each app may ship a ``demo`` module with ``load(today, log)``; they run in INSTALLED_APPS order, so departments and
staff exist before the registries, services before cases, and so on. Running it twice creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "Load the demo city (staff, registry data, services, venues); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument(
            "--skip", action="append", default=[], metavar="APP", help="App label whose demo data to leave out."
        )

    def handle(self, *args, today: dt.date | None = None, skip: list[str], **options) -> None:
        today = today or timezone.localdate()
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.label in skip:
                continue
            if not config.name.startswith("backend.") or importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            with transaction.atomic():
                module.load(today, lambda line, label=config.label: self.stdout.write(f"[{label}] {line}"))
