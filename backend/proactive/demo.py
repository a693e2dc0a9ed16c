"""The demo city's 免申即享 offers: ``load_demo`` runs the scan after the registries are loaded, so 冯雪 (a first
home bought 20 days ago) and 赵淑珍 (turned 80 last week, never applied) find their offers on the home screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .scan import scan_all


def load(today: dt.date, log: Callable[[str], None]) -> None:
    for result in scan_all(today=today):
        log(result.line())
