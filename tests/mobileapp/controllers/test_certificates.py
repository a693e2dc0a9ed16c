"""CertificatesController: the resident's e-certificates and the server's QR code of each."""

from __future__ import annotations

import httpx
import pytest

from mobileapp.controllers.certificates import CertificatesController, qr_png
from tests.mobileapp.conftest import run, staff_decide, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone


def test_an_approval_issues_a_certificate_with_a_verifiable_qr_code(city) -> None:
    state = verified_state(city, ZHANG)
    certs = CertificatesController(state.api)
    assert run(certs.load()) == [] and certs.available
    case = run(state.api.create_case("public-rental-housing", {}, consent=True))
    staff_decide(city["url"], "13700000001", case["id"], "approve")
    (cert,) = run(certs.load())
    assert cert["reference_no"] == case["reference_no"] and cert["valid"]
    assert cert["data"]["waitlist_number"] == 1
    png = qr_png(cert)
    assert png and png.startswith(b"\x89PNG")
    verified = httpx.get(cert["verify_url"]).json()  # what a scanner of the QR code opens
    assert verified["valid"] is True and verified["code"] == cert["code"]
    assert qr_png({**cert, "qr": "not a data uri"}) is None
