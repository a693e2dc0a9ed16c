"""``manage.py cockpit_sample``: add eight weeks of sample activity so the cockpit has something to show.

For demonstrations and screenshots only (see :mod:`backend.cockpit.sample`); ``--reset`` removes the sample rows.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from backend.cockpit import sample


class Command(BaseCommand):
    help = "Add sample cases, ratings, registry reads and city events for the cockpit (demo/screenshots only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=180)
        parser.add_argument("--events", type=int, default=45)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="Remove the sample rows first.")

    def handle(self, *args, cases: int, events: int, seed: int, reset: bool, **options) -> None:
        if reset:
            self.stdout.write(f"removed {sample.reset()} sample cases")
        sample.load(count=cases, events=events, seed=seed, log=self.stdout.write)
