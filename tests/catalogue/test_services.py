"""The catalogue's domain functions themselves (the API tests in tests/cases/test_case_api.py call them over HTTP):
search, the consent screen's prefill, and the form values of an eligibility question, which share the case engine's
one JSON-Schema check (backend/cases/forms.py)."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from backend.cases.discovery import get_service
from backend.cases.forms import form_errors, without_required
from backend.cases.services import validate_form
from backend.catalogue.cache import build_index
from backend.catalogue.services import partial_form, prefill, search
from backend.core.errors import DomainError
from backend.registries.models import DataAccessLog

pytestmark = pytest.mark.django_db

ZHANG = "13800000001"
PFW = "provident-fund-withdrawal"


def test_prefill_reads_declared_items_masked_and_logs_each_department_once(resident) -> None:
    resident(ZHANG)  # binds the real name
    user = User.objects.get(phone="+86" + ZHANG)
    service = get_service(PFW)
    shown = prefill(user, service)
    assert shown["service"] == PFW
    assert [item["key"] for item in shown["items"]] == [use.key for use in service.data]
    account = next(i for i in shown["items"] if i["key"] == "provident_fund.account")
    assert account["department_code"] == "provident_fund" and account["value"]["bank_card"].startswith("*")
    assert "住房公积金管理中心" in shown["consent_text"]
    logged = DataAccessLog.objects.filter(purpose=f"授权确认页预览 {service.name.zh}")
    departments = {i["department_code"] for i in shown["items"]}
    assert sorted(logged.values_list("department__code", flat=True)) == sorted(departments)


def test_prefill_without_a_real_name_is_refused_and_logs_nothing(demo) -> None:
    user = User.objects.get(phone="+86" + ZHANG)
    with pytest.raises(DomainError) as refused:
        prefill(user, get_service(PFW))
    assert refused.value.code == "real_name_required" and refused.value.status_code == 403
    assert not DataAccessLog.objects.exists()


def test_partial_form_judges_only_the_values_given_and_ignores_other_keys(demo) -> None:
    service = get_service(PFW)
    assert partial_form(service, {}) == {}
    assert partial_form(service, {"reason": "rent", "page": "2"}) == {"reason": "rent"}
    with pytest.raises(DomainError) as refused:
        partial_form(service, {"reason": "holiday"})
    assert refused.value.code == "validation_error" and set(refused.value.fields) == {"reason"}


def test_one_form_check_for_applications_and_eligibility(demo) -> None:
    """The same value gets the same message from a real application and from an eligibility question."""
    service = get_service(PFW)
    bad = {"reason": "holiday"}
    with pytest.raises(DomainError) as on_submit:
        validate_form(service, bad)
    with pytest.raises(DomainError) as on_question:
        partial_form(service, bad)
    assert on_submit.value.fields["reason"] == on_question.value.fields["reason"]
    assert form_errors(without_required(service.form), {}) == {}
    assert "form" in form_errors(service.form, {})  # required fields are missing: reported for the whole form


def test_search_matches_names_keywords_category_and_department(demo) -> None:
    departments = build_index().departments
    everything = search(departments)
    assert PFW in {s.code for s in everything}
    assert {s.code for s in search(departments, q="公积金")} >= {PFW}
    assert {s.code for s in search(departments, department="provident_fund")} == {PFW}
    assert {s.code for s in search(departments, department="住房公积金管理中心")} == {PFW}
    assert search(departments, q="no such service anywhere") == []
    category = get_service(PFW).category
    assert all(s.category.zh == category.zh for s in search(departments, category=category.en))
