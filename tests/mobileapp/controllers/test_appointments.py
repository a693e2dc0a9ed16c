"""AppointmentsController: a service's slots first, booking once per attempt, cancelling."""

from __future__ import annotations

import asyncio

import pytest

from mobileapp.controllers.appointments import AppointmentsController
from tests.mobileapp.conftest import run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone


def test_book_once_then_cancel(city) -> None:
    state = verified_state(city, ZHANG)
    everything = AppointmentsController(state.api)
    run(everything.load())
    assert everything.available and everything.slots
    service = next(s["service"] for s in everything.slots if s["service"])
    counter = AppointmentsController(state.api, service=service)  # "ask a clerk" of that service
    run(counter.load())
    assert counter.slots and {s["service"] for s in counter.slots} == {service}
    mine_before = len(counter.mine)

    slot = next(s for s in counter.slots if s["remaining"] > 0)

    async def double_tap():
        return await asyncio.gather(counter.book(slot["id"]), counter.book(slot["id"]))

    booking, second = run(double_tap())
    assert second is None and booking["status"] == "booked" and booking["slot"]["id"] == slot["id"]
    assert counter.keys == {}  # answered: a later tap is a new attempt
    run(counter.load())
    assert len(counter.mine) == mine_before + 1
    still_open = [s["remaining"] for s in counter.slots if s["id"] == slot["id"]]  # a full slot is not listed
    assert (still_open[0] if still_open else 0) == slot["remaining"] - 1

    assert run(counter.cancel(booking["id"]))["status"] == "cancelled"
    run(counter.load())
    assert len(counter.mine) == mine_before  # cancelled bookings are not listed as mine
