"""The SVG helpers: escaping, axes, empty states."""

from __future__ import annotations

import re

import pytest

from backend.cockpit import charts
from backend.cockpit.charts import Series


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (4.0, 1.0)), (3, (3.0, 1.0)), (7, (8.0, 2.0)), (28, (30.0, 10.0)), (45, (60.0, 20.0)), (0.4, (0.4, 0.1))],
)
def test_nice_axis_maximum(value: float, expected: tuple[float, float]) -> None:
    peak, step = charts.nice_max(value)
    assert (peak, step) == pytest.approx(expected)
    assert peak >= value


def test_labels_are_escaped() -> None:
    svg = charts.hbars([("<script>alert(1)</script>", "x&y")], [Series("a<b", "#fff", [3])], label="t")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "x&amp;y" in svg and "a&lt;b" in svg


def test_bars_are_proportional() -> None:
    svg = charts.hbars([("甲", "A"), ("乙", "B")], [Series("n", "#0f0", [10, 5])], label="t", width=600)
    widths = [float(w) for w in re.findall(r'width="([\d.]+)" height="\d+" fill="#0f0"', svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1])


def test_empty_charts_say_so() -> None:
    assert "暂无数据" in charts.hbars([], [], label="t")
    assert "暂无数据" in charts.columns(["a"], [Series("n", "#fff", [0])], label="t")
    assert "暂无事件" in charts.scatter_map([], {}, {}, label="t")


def test_trend_line_has_gaps_for_weeks_without_ratings() -> None:
    svg = charts.trend(["1", "2", "3", "4"], [4.0, None, 3.0, 5.0], [Series("n", "#00f", [1, 0, 2, 1])], label="t")
    assert svg.count("<polyline") == 1  # weeks 3-4; week 1 stands alone as a dot
    assert svg.count("<circle") == 3


def test_map_keeps_points_inside_the_frame() -> None:
    points = [
        {"lat": 34.70, "long": 113.55, "status": "received", "category": "c", "district": "d"},
        {"lat": 34.90, "long": 113.80, "status": "closed", "category": "c", "district": "d"},
    ]
    svg = charts.scatter_map(points, {"received": "#f00", "closed": "#0f0"}, {}, label="t", width=640)
    height = float(re.search(r'viewBox="0 0 640 ([\d.]+)"', svg).group(1))
    for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg):
        assert 14 < float(x) < 640 - 14 and 14 < float(y) < height - 14
