"""EventsController: city problem reports with a position, double taps, the attempt's Idempotency-Key."""

from __future__ import annotations

import asyncio
import socket

import pytest

from mobileapp.api import ApiClient, ApiError, NetworkError
from mobileapp.controllers.events import EventsController
from tests.mobileapp.conftest import photo, run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone
HUAYUAN_ROAD = (34.7821, 113.6713)  # 郑州 金水区


def test_a_report_needs_a_position_and_lands_in_my_reports(city) -> None:
    state = verified_state(city, ZHANG)
    events = EventsController(state.api)
    run(events.load())
    assert events.available and {"street-light", "manhole-cover"} <= {c["code"] for c in events.categories}
    mine_before = len(events.mine)

    with pytest.raises(ApiError) as no_position:  # a photo without GPS and no position: the server's words
        run(events.report("street-light", "路灯不亮", photo=("obama_2.jpg", photo("obama_2.jpg"))))
    assert no_position.value.status == 400 and "位置" in no_position.value.message
    assert events.attempt_key is None  # answered: the next tap is a new attempt

    report = run(events.report("street-light", "  路灯不亮  ", position=HUAYUAN_ROAD, address=" 花园路 "))
    assert report["category"]["code"] == "street-light" and report["description"] == "路灯不亮"
    assert report["address"] == "花园路" and report["status"] == "received"
    run(events.load())
    assert len(events.mine) == mine_before + 1 and events.mine[0]["id"] == report["id"]


def test_double_tap_reports_once_and_a_retry_after_a_network_failure_reuses_the_key(city) -> None:
    state = verified_state(city, ZHANG)
    events = EventsController(state.api)
    before = run(state.api.my_events())["count"]  # the demo city has reports of its own

    async def double_tap():
        return await asyncio.gather(
            events.report("garbage", "垃圾堆放", position=HUAYUAN_ROAD),
            events.report("garbage", "垃圾堆放", position=HUAYUAN_ROAD),
        )

    first, second = run(double_tap())
    assert first["id"] and second is None
    assert run(state.api.my_events())["count"] == before + 1

    live = state.api
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    events.api = ApiClient(f"http://127.0.0.1:{dead_port}", token=live.token, timeout=3)
    with pytest.raises(NetworkError):
        run(events.report("road-damage", "路面塌陷", position=HUAYUAN_ROAD))
    key = events.attempt_key
    assert key
    reached = run(
        live.report_event("road-damage", "路面塌陷", lat=HUAYUAN_ROAD[0], long=HUAYUAN_ROAD[1], idempotency_key=key)
    )
    events.api = live
    retried = run(events.report("road-damage", "路面塌陷", position=HUAYUAN_ROAD))
    assert retried["id"] == reached["id"] and events.attempt_key is None
    assert run(live.my_events())["count"] == before + 2
