"""``manage.py generate_slots [--days N] [--venue CODE]``: create upcoming slots from the venues' opening hours.

Idempotent (existing slots are left as they are); run it daily so residents can always book ``N`` days ahead.
"""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from backend.appointments import conf
from backend.appointments.models import Venue
from backend.appointments.services import generate_slots


class Command(BaseCommand):
    help = "Create the slots of the next days from each active venue's opening hours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="How many days ahead (default: 14).")
        parser.add_argument("--venue", help="Only this venue (code).")

    def handle(self, *args, days: int | None = None, venue: str | None = None, **options) -> None:
        venues = Venue.objects.filter(active=True)
        if venue:
            venues = venues.filter(code=venue)
        today = timezone.localdate()
        for item in venues:
            created = generate_slots(item, today, days or conf.slot_days())
            self.stdout.write(f"{item.code}: {created} slots created")
