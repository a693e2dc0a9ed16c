"""Identity numbers typed into application forms (a child's, for school enrolment) are not kept in clear: the form
holds them masked, the full value is sealed, the subject is found by a keyed index."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from backend.cases import identifiers
from backend.cases.models import Case
from backend.core.crypto import Unreadable
from backend.registries.idnumbers import id_index
from tests.personas import ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

ZHANG = ZHANG_JIANGUO.phone
CHILD_OF_ZHANG = ZHANG_ZIHAN.id_number  # 张子涵, youngest eligible for enrolment


def stored_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        return cursor.fetchall()


def test_a_childs_id_number_is_masked_sealed_and_indexed(resident) -> None:
    person = resident(ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": CHILD_OF_ZHANG.lower()})
    assert case["status"] == "in_review", case
    rows = stored_rows()
    assert rows and not any(CHILD_OF_ZHANG in str(v) or CHILD_OF_ZHANG.lower() in str(v) for r in rows for v in r)
    plain_hash = hashlib.sha256(CHILD_OF_ZHANG.encode()).hexdigest()
    assert not any(plain_hash in str(v) for r in rows for v in r)
    stored = Case.objects.get(pk=case["id"])
    assert stored.form == {"child_id_number": "410105********0262"} == case["form"]
    assert identifiers.full_form(stored) == {"child_id_number": CHILD_OF_ZHANG}
    assert stored.subject_index == id_index(CHILD_OF_ZHANG)


def test_the_duplicate_check_finds_the_child_by_index(resident) -> None:
    person = resident(ZHANG)
    person.apply("primary-school-enrolment", {"child_id_number": CHILD_OF_ZHANG})
    second = person.apply("primary-school-enrolment", {"child_id_number": CHILD_OF_ZHANG.lower()})
    assert second["status"] == "rejected" and second["decision"]["reason_code"] == "duplicate_application", second


def test_a_sealed_form_copied_onto_another_case_does_not_open(resident) -> None:
    person = resident(ZHANG)
    first = person.apply("primary-school-enrolment", {"child_id_number": CHILD_OF_ZHANG})
    other = person.apply("provident-fund-withdrawal", {"reason": "rent", "amount": "1000.00"})
    sealed = Case.objects.get(pk=first["id"]).sealed_identifiers
    Case.objects.filter(pk=other["id"]).update(sealed_identifiers=sealed)
    with pytest.raises(Unreadable):
        identifiers.full_form(Case.objects.get(pk=other["id"]))


def test_forms_without_identifiers_are_stored_as_submitted(resident) -> None:
    person = resident(ZHANG)
    case = person.apply("provident-fund-withdrawal", {"reason": "rent", "amount": "1000.00"})
    stored = Case.objects.get(pk=case["id"])
    assert stored.form == {"reason": "rent", "amount": "1000.00"} and stored.sealed_identifiers == ""
    assert stored.subject_index == ""


def test_key_rotation_reseals_forms_and_reindexes_subjects(resident, settings) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tests.security.test_at_rest import key

    person = resident(ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": CHILD_OF_ZHANG})
    before = Case.objects.get(pk=case["id"])
    new_key, new_index = key(), key()
    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [new_key], [new_index]
    out = StringIO()
    call_command("rotate_id_keys", "--from-secret-key", stdout=out)
    assert "1 cases" in out.getvalue()
    after = Case.objects.get(pk=case["id"])
    assert after.sealed_identifiers != before.sealed_identifiers and after.subject_index != before.subject_index
    assert identifiers.full_form(after) == {"child_id_number": CHILD_OF_ZHANG}
    assert after.subject_index == id_index(CHILD_OF_ZHANG)  # under the new index key
    # the duplicate check still finds the child, now under the new keys
    again = person.apply("primary-school-enrolment", {"child_id_number": CHILD_OF_ZHANG})
    assert again["decision"]["reason_code"] == "duplicate_application"
    call_command("rotate_id_keys", stdout=out)  # a second run has nothing left to do
    assert out.getvalue().strip().endswith("rotated 0 residents and 0 cases")
