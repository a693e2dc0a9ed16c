"""DraftController and DraftsController against the live backend: save (by button and on leaving), list under
"my cases", resume on another device, a stale save refused, identifiers kept sealed, submit deletes the draft."""

from __future__ import annotations

import pytest

from backend.demo.city import DEMO_PASSWORD
from backend.drafts.models import Draft as DraftRow
from mobileapp.api import ApiClient, ApiError, Draft
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.drafts import DraftController, DraftsController, draft_values, keeper_of
from mobileapp.forms import parse_schema
from tests.mobileapp.conftest import run, verified_state
from tests.mobileapp.shapes import assert_shape
from tests.personas import ZHANG_ZIHAN

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = "13800000001"
CHILD_OF_ZHANG = ZHANG_ZIHAN.id_number  # follows the school year


def second_device(city) -> ApiClient:
    client = ApiClient(city["url"])
    run(client.login(ZHANG, DEMO_PASSWORD))
    return client


def test_draft_values_keep_what_was_typed_in_the_fields_type() -> None:
    specs = parse_schema(
        {
            "type": "object",
            "properties": {
                "reason": {"type": "string", "enum": ["rent", "purchase"]},
                "amount": {"type": "string", "pattern": r"^\d+$"},
                "months": {"type": "integer"},
                "ok": {"type": "boolean"},
            },
        }
    )
    raw = {"reason": "travel", "amount": " 12. ", "months": "3x", "ok": True, "consent": True}
    assert draft_values(specs, raw) == {"amount": "12.", "ok": True}  # no consent, nothing of the wrong type
    assert draft_values(specs, {"reason": "rent", "months": "3"}) == {"reason": "rent", "months": 3}


def test_save_resume_elsewhere_and_submit(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    keeper = keeper_of(apply)
    assert keeper_of(apply) is keeper and not keeper.dirty
    apply.values = {"reason": "rent", "amount": "45"}
    assert keeper.dirty
    draft = run(keeper.save())
    assert_shape(draft, Draft)
    assert draft["form"] == {"reason": "rent", "amount": "45"} and not keeper.dirty
    assert apply.draft_id == draft["id"]
    assert run(keeper.save_if_changed()) is None and keeper.saves == 1  # nothing changed: nothing sent

    # another device: listed under my cases, resumed with its answers, continued
    other = second_device(city)
    listing = DraftsController(other)
    assert [d["id"] for d in run(listing.load())] == [draft["id"]]
    resumed = run(DraftController.resume(other, draft["id"]))
    assert resumed.apply.code == "provident-fund-withdrawal" and resumed.apply.values == draft["form"]
    resumed.apply.values["amount"] = "4500.00"
    assert run(resumed.save_if_changed())["form"]["amount"] == "4500.00"

    # the first device's copy is stale now: its save is refused, then it reopens what the other saved
    apply.values["amount"] = "46"
    with pytest.raises(ApiError) as refused:
        run(keeper.save())
    assert refused.value.code == "draft_changed" and refused.value.status == 409
    assert run(keeper.save_if_changed()) is None  # leaving the form never raises
    run(keeper.reopen())
    assert apply.values["amount"] == "4500.00" and not keeper.dirty

    # submitted from the second device: the case is created and the draft is gone
    resumed.apply.consent = True
    case = run(resumed.apply.submit())
    assert case["status"] == "pending_face" and resumed.apply.draft_id is None
    assert run(listing.load()) == [] and not DraftRow.objects.exists()
    assert not resumed.dirty  # submitted: leaving saves nothing


def test_a_childs_id_number_is_kept_sealed_and_resubmitted_masked(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "primary-school-enrolment")
    run(apply.load())
    apply.values = {"child_id_number": CHILD_OF_ZHANG}
    draft = run(keeper_of(apply).save())
    masked = CHILD_OF_ZHANG[:6] + "********" + CHILD_OF_ZHANG[-4:]
    assert draft["form"] == {"child_id_number": masked}
    assert CHILD_OF_ZHANG not in str(DraftRow.objects.values_list("form", "sealed_identifiers").get())

    resumed = run(DraftController.resume(state.api, draft["id"]))
    assert resumed.apply.values == {"child_id_number": masked}
    resumed.apply.consent = True
    case = run(resumed.apply.submit())  # the masked value passes as "unchanged": the server restores it
    assert case is not None and case["status"] == "in_review", resumed.apply.errors
    assert not DraftRow.objects.exists()


def test_delete_from_the_list_and_a_submission_naming_a_deleted_draft(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "talent-housing-subsidy")
    run(apply.load())
    apply.values = {"degree": "master", "employer": "郑州大学"}
    draft = run(keeper_of(apply).save())
    listing = DraftsController(state.api)
    assert [d["id"] for d in run(listing.load())] == [draft["id"]]
    assert run(listing.delete(draft["id"])) == []
    apply.consent = True
    with pytest.raises(ApiError) as gone:
        run(apply.submit())  # deleted on another screen or device: 404, no case, and the draft is forgotten
    assert gone.value.code == "not_found" and run(state.api.cases())["count"] == 0
    assert apply.draft_id is None
    assert run(apply.submit())["status"] == "pending_face"  # the next tap goes through
