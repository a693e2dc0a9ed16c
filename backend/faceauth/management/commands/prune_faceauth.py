"""Delete replay digests past FACE_SEEN_FRAME_TTL_SECONDS and face challenges that expired long ago."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.faceauth.services import prune


class Command(BaseCommand):
    help = "Delete expired face replay digests and old face challenges (the audit trail is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--challenge-days", type=int, default=30, help="keep challenges this many days")

    def handle(self, *args: Any, challenge_days: int, **options: Any) -> None:
        counts = prune(challenge_retention_days=challenge_days)
        self.stdout.write(f"deleted {counts['seen_frames']} seen frames, {counts['challenges']} challenges")
