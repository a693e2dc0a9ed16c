"""Shared helpers for the face benchmarks: find the photos, read MANIFEST.csv, import the engine."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_FACES = REPO_ROOT / "tests" / "faces"


@dataclass(frozen=True)
class Photo:
    file: str
    person: str  # "" when the photo is not one person (edge_two_people)
    note: str
    path: Path

    @property
    def is_edge(self) -> bool:
        return self.file.startswith("edge_")


def read_manifest(folder: Path) -> list[Photo]:
    with open(folder / "MANIFEST.csv", newline="") as fh:
        return [
            Photo(row["file"], row["person"].strip(), row["note"].strip(), folder / row["file"])
            for row in csv.DictReader(fh)
        ]
