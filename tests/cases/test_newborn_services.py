"""新生儿出生一件事's member services, each on its own, through the HTTP API on the demo city.

王磊 and 刘芳 (separate households) have a daughter born 20 days ago (certificate O410126001); 赵明 and 周静's son was
born 45 days ago (O410126002, a late declaration); 张子涵's certificate (O410121003) names her registered entry. The
household registration is decided by the demo's public-security clerk in the admin, as a clerk does it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backend.cases.models import Case, Status
from backend.registries.models import BirthCertificate, MedicalInsuranceEnrolment, Resident, SocialSecurityCard
from backend.servicemodules.medical_insurance_enrolment import coverage_start
from tests.idnumbers import check_character
from tests.personas import HOUSEHOLD_CLERK, LI_DEFU, LI_NA, LIU_FANG, WANG_LEI, ZHAO_MING

pytestmark = pytest.mark.django_db

HOUSEHOLD = "newborn-household-registration"
INSURANCE = "medical-insurance-enrolment"
CARD = "social-security-card"
DAUGHTER = "O410126001"  # 王小禾, born 20 days ago: mother 刘芳 (二七区), father 王磊 (中原区)
LATE_SON = "O410126002"  # 赵一鸣, born 45 days ago: mother 周静, father 赵明
ZIHAN = "O410121003"  # 张子涵, registered long ago
ZHOU_JING = "13800000009"


def police_admin() -> Client:
    client = Client()
    assert client.login(username=HOUSEHOLD_CLERK.username, password=HOUSEHOLD_CLERK.password)
    return client


def approve_in_admin(case: dict[str, Any]) -> Case:
    response = police_admin().post(f"/admin/cases/case/{case['id']}/decide/", {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert any("→" in str(m) for m in response.context["messages"]), list(response.context["messages"])
    return Case.objects.get(pk=case["id"])


def rejected_with(case: dict[str, Any], code: str) -> None:
    assert case["status"] == "rejected", case
    assert case["decision"]["reason_code"] == code
    failed = [r for r in case["rule_trace"] if r["passed"] is False]
    assert failed and failed[0]["code"] == code and failed[0]["message"]


def trace(case: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in case["rule_trace"] if r["code"] == code)


def assert_valid_number(number: str, *, address_code: str, birth: dt.date, gender: str) -> None:
    """GB 11643, checked with the test suite's own formula (not the code under test)."""
    assert number[:6] == address_code and number[6:14] == f"{birth:%Y%m%d}"
    assert number[17] == check_character(number[:17])
    assert int(number[16]) % 2 == (1 if gender == "M" else 0)


def registered(acting: Any, who: Any, certificate: str) -> Resident:
    case = acting(who).apply(HOUSEHOLD, {"certificate_no": certificate})
    assert case["status"] == "in_review", case
    assert approve_in_admin(case).status == Status.APPROVED
    child = BirthCertificate.objects.get(certificate_no=certificate).child
    assert child is not None
    return child


# -- 新生儿入户 -----------------------------------------------------------------------------------------------------
def test_mother_registers_daughter_clerk_approves_and_the_child_gets_an_id_number(acting) -> None:
    liu = acting(LIU_FANG)
    prefill = liu.client.get(f"/api/v1/services/{HOUSEHOLD}/prefill").json()
    certificates = next(i for i in prefill["items"] if i["key"] == "health.birth_certificates")
    assert certificates["department_code"] == "health"
    assert [c["certificate_no"] for c in certificates["value"]] == [DAUGHTER]  # what the form is prefilled with

    case = liu.apply(HOUSEHOLD, {"certificate_no": DAUGHTER.lower()})  # typed in lower case: normalised
    assert case["status"] == "in_review", case
    assert all(r["passed"] is not False for r in case["rule_trace"])
    assert trace(case, "not_parent")["values"]["parent"] == "mother"
    window = trace(case, "registration_window")["values"]
    assert window["days_since_birth"] == 20 and window["late"] is False
    assert trace(case, "household_not_in_city")["values"]["address_code"] == "410103"  # 二七区

    approved = approve_in_admin(case)
    assert approved.status == Status.APPROVED and approved.decided_by.phone == "+86" + HOUSEHOLD_CLERK.phone
    child = BirthCertificate.objects.get(certificate_no=DAUGHTER).child
    birth = timezone.localdate() - dt.timedelta(days=20)
    assert (child.name, child.gender, child.birth_date) == ("王小禾", "F", birth)
    mother = Resident.objects.get(name="刘芳")
    assert (child.household_id, child.district, child.address) == (mother.household_id, "二七区", mother.address)
    assert_valid_number(child.id_number, address_code="410103", birth=birth, gender="F")

    shown = liu.case(case["id"])
    assert shown["decision"]["id_number_masked"] == child.id_number_masked
    assert child.id_number not in str(shown)  # the full number is in the registry, not in the case
    labels = {row["label"] for row in shown["decision_rows"]}
    assert {"公民身份号码", "户号"} <= labels
    assert shown["decision"]["certificate_code"]  # the e-certificate of the registration

    # the father (another household) cannot register her a second time
    again = acting(WANG_LEI).apply(HOUSEHOLD, {"certificate_no": DAUGHTER})
    rejected_with(again, "already_registered")


def test_father_registers_in_his_own_household(acting) -> None:
    child = registered(acting, WANG_LEI, DAUGHTER)
    assert child.household_id == Resident.objects.get(name="王磊").household_id and child.district == "中原区"
    assert child.id_number.startswith("410102")


def test_a_late_declaration_is_registered_but_flagged_for_the_clerk(acting) -> None:
    case = acting(ZHAO_MING).apply(HOUSEHOLD, {"certificate_no": LATE_SON})
    assert case["status"] == "in_review", case
    window = trace(case, "registration_window")
    assert window["passed"] is True and window["values"]["late"] is True and window["values"]["days_since_birth"] == 45
    assert "超过30天" in window["message"]
    assert Case.objects.get(pk=case["id"]).proposal["late"] is True
    # the mother's application while the father's is open
    rejected_with(acting(ZHOU_JING).apply(HOUSEHOLD, {"certificate_no": LATE_SON}), "duplicate_application")

    child = BirthCertificate.objects.get(certificate_no=LATE_SON)
    assert approve_in_admin(case).status == Status.APPROVED
    child.refresh_from_db()
    assert_valid_number(child.child.id_number, address_code="410102", birth=child.birth_date, gender="M")


def test_an_elder_who_is_not_a_parent_is_refused(acting) -> None:
    """李德福 (born 1948) applies for a grandchild-age certificate that does not name him."""
    case = acting(LI_DEFU).apply(HOUSEHOLD, {"certificate_no": DAUGHTER})
    rejected_with(case, "not_parent")
    assert BirthCertificate.objects.get(certificate_no=DAUGHTER).child is None


def test_a_child_already_in_the_registry_is_refused(acting) -> None:
    rejected_with(acting(LI_NA).apply(HOUSEHOLD, {"certificate_no": ZIHAN}), "already_registered")


def test_unknown_and_malformed_certificate_numbers(acting) -> None:
    liu = acting(LIU_FANG)
    rejected_with(liu.apply(HOUSEHOLD, {"certificate_no": "O499999999"}), "unknown_certificate")
    for bad in ("12345", "O41012600", "OO410126001", ""):
        response = liu.client.post(
            "/api/v1/cases", {"service": HOUSEHOLD, "form": {"certificate_no": bad}, "consent": True}, format="json"
        )
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "validation_error"
    assert not Resident.objects.filter(name="王小禾").exists()


def test_twins_registered_the_same_day_get_different_numbers_and_a_taken_number_is_skipped(acting, import_data) -> None:
    birth = timezone.localdate() - dt.timedelta(days=3)
    liu = Resident.objects.get(name="刘芳")
    first_free = f"410103{birth:%Y%m%d}002"
    taken = first_free + check_character(first_free)  # a girl born that day and imported from elsewhere
    twins = [
        {
            "certificate_no": number,
            "child_name": name,
            "child_gender": gender,
            "birth_date": birth.isoformat(),
            "birth_time": time,
            "hospital": "郑州大学第三附属医院",
            "mother_name": "刘芳",
            "mother_id_number": liu.id_number,
            "issued_date": birth.isoformat(),
        }
        for number, name, gender, time in [
            ("O410126101", "王若溪", "F", "09:01"),
            ("O410126102", "王若水", "F", "09:14"),
            ("O410126103", "王若山", "M", "09:30"),
        ]
    ]
    other = {"id_number": taken, "name": "外地女婴", "gender": "F", "birth_date": birth.isoformat()}
    import_data(
        {
            "residents": [{**other, "address": "郑州市二七区某路1号", "district": "二七区", "household_id": "HH-X"}],
            "birth_certificates": twins,
        }
    )
    numbers = [registered(acting, LIU_FANG, c["certificate_no"]).id_number for c in twins]
    for number, twin in zip(numbers, twins, strict=True):
        assert_valid_number(number, address_code="410103", birth=birth, gender=twin["child_gender"])
    assert len(set(numbers) | {taken}) == 4
    assert [n[14:17] for n in numbers] == ["004", "006", "001"]  # 002 was taken; boys count on their own


# -- 医保参保 --------------------------------------------------------------------------------------------------------
def test_enrolment_needs_the_registration_then_covers_from_birth_once(acting) -> None:
    liu = acting(LIU_FANG)
    rejected_with(liu.apply(INSURANCE, {"certificate_no": DAUGHTER}), "not_registered")
    child = registered(acting, LIU_FANG, DAUGHTER)

    case = liu.apply(INSURANCE, {"certificate_no": DAUGHTER})
    assert case["status"] == "approved", case
    assert case["decision"] == {
        "type": "medical_insurance_enrolment",
        "scheme": "resident",
        "coverage_start": child.birth_date.isoformat(),
        "enrolled_date": timezone.localdate().isoformat(),
    }
    assert trace(case, "newborn_window")["values"]["within_newborn_days"] is True
    enrolment = MedicalInsuranceEnrolment.objects.get(resident=child)
    assert (enrolment.status, enrolment.case_reference) == ("active", case["reference_no"])
    assert any(r["value"] == "城乡居民基本医疗保险" for r in case["decision_rows"])

    rejected_with(acting(WANG_LEI).apply(INSURANCE, {"certificate_no": DAUGHTER}), "already_enrolled")
    assert MedicalInsuranceEnrolment.objects.filter(resident=child).count() == 1


def test_coverage_start_rule() -> None:
    born = dt.date(2026, 9, 3)
    assert coverage_start(born, born + dt.timedelta(days=90)) == born  # day 90 is still within
    assert coverage_start(born, born + dt.timedelta(days=91)) == dt.date(2027, 1, 1)  # 3 Dec: next year's January
    assert coverage_start(dt.date(2026, 6, 1), dt.date(2026, 10, 15)) == dt.date(2026, 11, 1)


def test_a_child_enrolled_after_the_newborn_days_is_covered_from_next_month(acting, import_data) -> None:
    today = timezone.localdate()
    birth = today - dt.timedelta(days=120)
    liu = Resident.objects.get(name="刘芳")
    child_no = f"410103{birth:%Y%m%d}010"
    child_id = child_no + check_character(child_no)
    import_data(
        {
            "residents": [
                {
                    "id_number": child_id,
                    "name": "刘小满",
                    "gender": "F",
                    "birth_date": birth.isoformat(),
                    "address": liu.address,
                    "district": liu.district,
                    "household_id": liu.household_id,
                }
            ],
            "birth_certificates": [
                {
                    "certificate_no": "O410125999",
                    "child_name": "刘小满",
                    "child_gender": "F",
                    "birth_date": birth.isoformat(),
                    "birth_time": "12:00",
                    "hospital": "郑州市妇幼保健院",
                    "mother_name": "刘芳",
                    "mother_id_number": liu.id_number,
                    "issued_date": birth.isoformat(),
                    "child_id_number": child_id,
                }
            ],
        }
    )
    case = acting(LIU_FANG).apply(INSURANCE, {"certificate_no": "O410125999"})
    assert case["status"] == "approved", case
    assert case["decision"]["coverage_start"] == coverage_start(birth, today).isoformat()
    assert dt.date.fromisoformat(case["decision"]["coverage_start"]).day == 1
    assert trace(case, "newborn_window")["values"]["within_newborn_days"] is False


# -- 社保卡申领 ------------------------------------------------------------------------------------------------------
def test_card_needs_insurance_then_is_made_once(acting) -> None:
    wang = acting(WANG_LEI)
    rejected_with(wang.apply(CARD, {"certificate_no": DAUGHTER}), "not_registered")
    child = registered(acting, WANG_LEI, DAUGHTER)
    rejected_with(wang.apply(CARD, {"certificate_no": DAUGHTER}), "not_insured")
    assert wang.apply(INSURANCE, {"certificate_no": DAUGHTER})["status"] == "approved"

    case = wang.apply(CARD, {"certificate_no": DAUGHTER, "delivery": "branch"})
    assert case["status"] == "approved", case
    card = SocialSecurityCard.objects.get(resident=child)
    assert (card.status, card.delivery, card.case_reference) == ("issuing", "branch", case["reference_no"])
    assert len(card.card_no) == 9 and card.card_no.startswith("S")
    assert case["decision"]["card_no_masked"].endswith(card.card_no[-4:]) and card.card_no not in str(case)
    rows = {r["label"]: r["value"] for r in case["decision_rows"]}
    assert rows["制卡状态"] == "制卡中" and "银行网点" in rows["领卡方式"]

    # the mother, on her own, is refused: the card is being made
    rejected_with(acting(LIU_FANG).apply(CARD, {"certificate_no": DAUGHTER}), "card_already_active")
    assert SocialSecurityCard.objects.filter(resident=child).count() == 1


def test_a_lost_card_does_not_block_a_new_one_and_mail_is_the_default(acting) -> None:
    child = registered(acting, LIU_FANG, DAUGHTER)
    liu = acting(LIU_FANG)
    assert liu.apply(INSURANCE, {"certificate_no": DAUGHTER})["status"] == "approved"
    SocialSecurityCard.objects.create(resident=child, card_no="A00000001", status="lost", issued_date="2026-01-01")
    case = liu.apply(CARD, {"certificate_no": DAUGHTER})
    assert case["status"] == "approved", case
    assert case["decision"]["delivery"] == "mail"
    assert SocialSecurityCard.objects.filter(resident=child, status="issuing").count() == 1


def test_every_registry_read_is_logged_for_the_parent(acting) -> None:
    from backend.registries.models import DataAccessLog

    registered(acting, LIU_FANG, DAUGHTER)
    acting(LIU_FANG).apply(INSURANCE, {"certificate_no": DAUGHTER})
    logged = set(
        DataAccessLog.objects.filter(subject__name="刘芳", purpose__startswith="办理").values_list(
            "department__code", flat=True
        )
    )
    assert {"health", "medical_insurance"} <= logged


def test_key_rotation_reindexes_the_parents_on_the_certificates(acting, settings) -> None:
    from io import StringIO

    from django.core.management import call_command

    from backend.registries.idnumbers import id_index
    from tests.security.test_at_rest import key

    before = BirthCertificate.objects.get(certificate_no=DAUGHTER)
    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [key()], [key()]
    out = StringIO()
    call_command("rotate_id_keys", "--from-secret-key", stdout=out)
    assert "rotated 4 birth certificates" in out.getvalue()
    after = BirthCertificate.objects.get(certificate_no=DAUGHTER)
    assert after.mother_id_index != before.mother_id_index
    assert after.mother_id_index == id_index(LIU_FANG.id_number) and after.parent_id("father") == WANG_LEI.id_number
    case = acting(LIU_FANG).apply(HOUSEHOLD, {"certificate_no": DAUGHTER})
    assert case["status"] == "in_review", case  # still found as her child's certificate
