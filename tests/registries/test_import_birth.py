"""``import_registry``'s sections of 新生儿出生一件事: birth medical certificates, medical insurance enrolments and
social security cards. Good files, idempotent re-import, and every bad row reported with its path, nothing written."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from backend.registries.importer import RegistryImportError, import_registry
from backend.registries.models import BirthCertificate, MedicalInsuranceEnrolment, Resident, SocialSecurityCard
from tests.factories import resident_record
from tests.idnumbers import id_number, wrong_check
from tests.personas import WANG_GUILAN

pytestmark = pytest.mark.django_db

MOTHER = resident_record(
    "阿依古丽·买买提", dt.date(1994, 7, 1), 602, household_id="HH-B1", phone="16600000961", photo=None
)
FATHER = resident_record("𠮷龘", dt.date(1992, 2, 29), 603, household_id="HH-B1", phone="16600000962", photo=None)
CHILD = resident_record("𠮷小龘", dt.date(2026, 10, 1), 605, household_id="HH-B1", phone=None, password=None)
OUTSIDER_MOTHER = id_number("510107", dt.date(1995, 4, 4), 82)  # 成都市武侯区: not a resident here


def birth_file() -> dict[str, Any]:
    return {
        "residents": [MOTHER, FATHER, CHILD],
        "birth_certificates": [
            {
                "certificate_no": "O410126501",
                "child_name": "𠮷小龘",
                "child_gender": "M",
                "birth_date": "2026-10-01",
                "birth_time": "06:30",
                "hospital": "郑州市妇幼保健院",
                "mother_name": "阿依古丽·买买提",
                "mother_id_number": MOTHER["id_number"],
                "father_name": "𠮷龘",
                "father_id_number": FATHER["id_number"],
                "issued_date": "2026-10-03",
                "child_id_number": CHILD["id_number"],
            },
            {
                "certificate_no": "O410126502",
                "child_name": "林小雨",
                "child_gender": "F",
                "birth_date": "2026-11-20",
                "birth_time": "23:59",
                "hospital": "郑州市中心医院",
                "mother_name": "林晓",
                "mother_id_number": OUTSIDER_MOTHER,
                "issued_date": "2026-11-20",
            },
        ],
        "medical_insurance": [
            {
                "id_number": CHILD["id_number"],
                "scheme": "resident",
                "status": "active",
                "coverage_start": "2026-10-01",
                "enrolled_date": "2026-10-20",
            },
            {
                "id_number": MOTHER["id_number"],
                "scheme": "employee",
                "status": "active",
                "coverage_start": "2018-01-01",
                "enrolled_date": "2018-01-01",
            },
        ],
        "social_security_cards": [
            {"id_number": CHILD["id_number"], "card_no": "S00009001", "status": "issuing", "issued_date": "2026-10-21"},
            {
                "id_number": MOTHER["id_number"],
                "card_no": "A41010001",
                "status": "active",
                "issued_date": "2018-03-01",
                "delivery": "branch",
            },
        ],
    }


def counts() -> dict[str, int]:
    models = [Resident, BirthCertificate, MedicalInsuranceEnrolment, SocialSecurityCard]
    return {m.__name__: m.objects.count() for m in models}


def test_good_file_imports_and_reimport_changes_nothing(registry_dir: Path) -> None:
    report = import_registry(birth_file(), registry_dir)
    assert "birth_certificates: 2 created, 0 updated, 0 unchanged" in report.lines()
    linked = BirthCertificate.objects.get(certificate_no="O410126501")
    assert linked.child is not None and linked.child.name == "𠮷小龘"
    assert (
        linked.mother_id_masked.startswith(MOTHER["id_number"][:6])
        and linked.parent_id("mother") == MOTHER["id_number"]
    )
    mother = Resident.objects.get(name="阿依古丽·买买提")
    assert linked.names_parent(mother) and list(BirthCertificate.objects.naming_parent(mother)) == [linked]
    outsider = BirthCertificate.objects.get(certificate_no="O410126502")
    assert (outsider.father_name, outsider.father_id_index, outsider.parent_id("father")) == ("", "", "")
    assert outsider.birth_time == dt.time(23, 59)
    assert OUTSIDER_MOTHER not in str(BirthCertificate.objects.values_list())  # sealed, never in clear
    stamps = {c.pk: c.updated_at for c in BirthCertificate.objects.all()}

    again = import_registry(birth_file(), registry_dir)
    for section in ("birth_certificates", "medical_insurance", "social_security_cards"):
        assert f"{section}: 0 created, 0 updated, 2 unchanged" in again.lines()
    assert {c.pk: c.updated_at for c in BirthCertificate.objects.all()} == stamps


def test_changed_values_are_updated(registry_dir: Path) -> None:
    import_registry(birth_file(), registry_dir)
    data = birth_file()
    data["birth_certificates"][1]["father_name"] = "王强"
    data["birth_certificates"][1]["father_id_number"] = WANG_GUILAN.id_number
    data["medical_insurance"][0]["status"] = "suspended"
    report = import_registry(data, registry_dir)
    assert "birth_certificates: 0 created, 1 updated, 1 unchanged" in report.lines()
    assert "medical_insurance: 0 created, 1 updated, 1 unchanged" in report.lines()
    assert BirthCertificate.objects.get(certificate_no="O410126502").parent_id("father") == WANG_GUILAN.id_number


BAD_ROWS = [
    ("birth_certificates", 0, "certificate_no", "410126501", "birth_certificates[0].certificate_no"),
    ("birth_certificates", 0, "mother_id_number", wrong_check(MOTHER["id_number"]), "[0].mother_id_number"),
    ("birth_certificates", 1, "mother_id_number", id_number("119901", dt.date(1990, 1, 1), 2), "[1].mother_id"),
    ("birth_certificates", 0, "child_gender", "X", "birth_certificates[0].child_gender"),
    ("birth_certificates", 0, "birth_time", "25:61", "birth_certificates[0].birth_time"),
    ("birth_certificates", 0, "birth_date", "2099-01-01", "birth_certificates[0].birth_date"),
    ("birth_certificates", 0, "issued_date", "2026-09-30", "birth_certificates[0].issued_date"),
    ("birth_certificates", 1, "father_name", "王强", "birth_certificates[1].father_id_number"),
    ("birth_certificates", 0, "child_id_number", OUTSIDER_MOTHER, "birth_certificates[0].child_id_number"),
    ("medical_insurance", 0, "scheme", "private", "medical_insurance[0].scheme"),
    ("medical_insurance", 0, "id_number", OUTSIDER_MOTHER, "medical_insurance[0].id_number"),
    ("medical_insurance", 1, "coverage_start", "2018/01/01", "medical_insurance[1].coverage_start"),
    ("social_security_cards", 0, "card_no", "s-1", "social_security_cards[0].card_no"),
    ("social_security_cards", 0, "status", "expired", "social_security_cards[0].status"),
    ("social_security_cards", 1, "delivery", "drone", "social_security_cards[1].delivery"),
]


@pytest.mark.parametrize(("section", "index", "key", "value", "where"), BAD_ROWS)
def test_a_bad_row_imports_nothing_and_names_its_field(
    registry_dir: Path, section: str, index: int, key: str, value: Any, where: str
) -> None:
    before = counts()
    data = birth_file()
    data[section][index][key] = value
    with pytest.raises(RegistryImportError) as info:
        import_registry(data, registry_dir)
    assert any(where in p.where for p in info.value.problems), info.value.report()
    assert counts() == before


def test_every_bad_row_is_reported_in_one_run(registry_dir: Path) -> None:
    data = birth_file()
    data["birth_certificates"].append(copy.deepcopy(data["birth_certificates"][0]))  # the same number twice
    data["birth_certificates"][1]["mother_id_number"] = "123"
    data["medical_insurance"].append(copy.deepcopy(data["medical_insurance"][0]))  # same person and scheme twice
    data["social_security_cards"][1]["card_no"] = "S00009001"  # the child's card number again
    data["social_security_cards"][1]["id_number"] = "not a number"
    with pytest.raises(RegistryImportError) as info:
        import_registry(data, registry_dir)
    wheres = [p.where for p in info.value.problems]
    assert "birth_certificates[2].certificate_no" in wheres
    assert "birth_certificates[1].mother_id_number" in wheres
    assert "medical_insurance[2].scheme" in wheres
    assert "social_security_cards[1].card_no" in wheres and "social_security_cards[1].id_number" in wheres
    assert "problems (birth_certificates: 2, medical_insurance: 1" in info.value.report()
    assert counts() == {"Resident": 0, "BirthCertificate": 0, "MedicalInsuranceEnrolment": 0, "SocialSecurityCard": 0}


def test_two_active_enrolments_or_cards_in_use_are_refused_also_against_the_registry(registry_dir: Path) -> None:
    import_registry(birth_file(), registry_dir)
    clash = {
        "medical_insurance": [
            {
                "id_number": CHILD["id_number"],
                "scheme": "employee",
                "status": "active",
                "coverage_start": "2026-11-01",
                "enrolled_date": "2026-11-01",
            }
        ],
        "social_security_cards": [
            {"id_number": CHILD["id_number"], "card_no": "S00009002", "status": "active", "issued_date": "2026-11-01"}
        ],
    }
    with pytest.raises(RegistryImportError) as info:
        import_registry(clash, registry_dir)
    assert [p.where for p in info.value.problems] == ["medical_insurance[0].status", "social_security_cards[0].status"]
    # restating the registry's row as stopped makes the new one valid
    clash["medical_insurance"].append({**birth_file()["medical_insurance"][0], "status": "terminated"})
    clash["social_security_cards"].append({**birth_file()["social_security_cards"][0], "status": "lost"})
    import_registry(clash, registry_dir)
    child = Resident.objects.get(name="𠮷小龘")
    assert MedicalInsuranceEnrolment.objects.get(resident=child, status="active").scheme == "employee"
    assert SocialSecurityCard.objects.get(resident=child, status="active").card_no == "S00009002"
