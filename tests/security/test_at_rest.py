"""Identity numbers and face templates at rest.

Face templates: encrypted (Fernet, FIELD_ENCRYPTION_KEYS, first key encrypts, all decrypt) and bound to their user;
``manage.py rotate_face_keys`` re-encrypts under a new key, after which the old key can be dropped.
Registry identity numbers and identifiers in application forms: sealed (Fernet, a purpose-derived key) and found
through a keyed blind index; ``manage.py rotate_id_keys`` rotates both keys (docs/SECURITY.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from backend.accounts.models import User
from backend.core.crypto import Unreadable
from backend.core.masking import mask_id_number
from backend.registries.models import Resident
from tests.security.conftest import VICTIM

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_face_template_is_encrypted_and_bound_to_its_user(world) -> None:
    from backend.faceauth.models import FaceTemplate

    template = FaceTemplate.objects.get(user__phone="+86" + VICTIM)
    stored = raw("SELECT encoding_encrypted FROM faceauth_facetemplate WHERE id = %s", [template.pk])[0][0]
    vector = template.vector()
    assert vector.shape == (128,)
    assert vector.tobytes() not in stored.encode() and base64.b64encode(vector.tobytes()).decode() not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    # the same ciphertext on another user's row does not decrypt as theirs
    other = User.objects.get(phone="+8613800000010")
    stolen = FaceTemplate(user=other, encoding_encrypted=stored, model_version=template.model_version)
    with pytest.raises(Exception, match=r"(?i)context|unreadable|decrypt"):
        stolen.vector()


def test_face_key_rotation(world, settings) -> None:
    from backend.faceauth.models import FaceTemplate

    old, new = key(), key()
    template = FaceTemplate.objects.get(user__phone="+86" + VICTIM)
    vector = template.vector()  # under the development key derived from SECRET_KEY
    settings.FIELD_ENCRYPTION_KEYS = [old]
    template.set_vector(vector)  # now under `old`
    template.save()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # step 1: new key first, old still decrypts
    out = StringIO()
    call_command("rotate_face_keys", stdout=out)
    assert "1" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]  # step 2: the old key is gone
    assert np.allclose(FaceTemplate.objects.get(pk=template.pk).vector(), vector)
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(Exception):
        FaceTemplate.objects.get(pk=template.pk).vector()


def test_registry_identity_numbers_are_not_stored_in_clear(world) -> None:
    resident = Resident.objects.get(phone="+86" + VICTIM)
    number = resident.id_number
    row = raw("SELECT * FROM registries_resident WHERE id = %s", [resident.pk])[0]
    assert not any(number in str(value) or number.lower() in str(value) for value in row)
    assert resident.id_number_sealed.startswith("gAAAA") and resident.id_number_masked == mask_id_number(number)
    assert (
        len(resident.id_number_index) == 64 and resident.id_number_index != hashlib.sha256(number.encode()).hexdigest()
    )
    # found by the number, through its keyed index
    assert Resident.objects.with_id_number(number.lower()).get() == resident
    # a token copied onto another person's row does not open there
    other = Resident.objects.exclude(pk=resident.pk).first()
    Resident.objects.filter(pk=other.pk).update(id_number_sealed=resident.id_number_sealed)
    with pytest.raises(Unreadable):
        _ = Resident.objects.get(pk=other.pk).id_number


def test_registry_key_rotation(world, settings) -> None:
    """Both keys rotate: new FIELD_ENCRYPTION_KEYS / ID_INDEX_KEYS first, `rotate_id_keys`, old keys gone."""
    from backend.cases import identifiers
    from backend.cases.models import Case

    resident = Resident.objects.get(phone="+86" + VICTIM)
    number = resident.id_number  # under the development keys derived from SECRET_KEY
    enrolment = Case.objects.filter(service_code="primary-school-enrolment").first()
    form = identifiers.full_form(enrolment) if enrolment else None
    old, new, old_index, new_index = key(), key(), key(), key()
    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [old], [old_index]
    call_command("rotate_id_keys", "--from-secret-key", stdout=StringIO())  # onto configured keys
    assert Resident.objects.get(pk=resident.pk).id_number == number

    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [new, old], [new_index, old_index]
    before = Resident.objects.get(pk=resident.pk).id_number_index
    assert Resident.objects.with_id_number(number).get() == resident  # found under the old index key meanwhile
    out = StringIO()
    call_command("rotate_id_keys", stdout=out)
    assert "residents" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [new], [new_index]  # the old keys are gone
    rotated = Resident.objects.get(pk=resident.pk)
    assert rotated.id_number == number and rotated.id_number_index != before
    assert Resident.objects.with_id_number(number).get() == resident
    if enrolment is not None:
        assert identifiers.full_form(Case.objects.get(pk=enrolment.pk)) == form
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(Unreadable):
        _ = Resident.objects.get(pk=resident.pk).id_number


def test_check_deploy_warns_until_the_keys_are_configured(settings) -> None:
    from backend.core.checks import keys_at_rest

    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [], []
    assert [w.id for w in keys_at_rest()] == ["yiwang.W001", "yiwang.W002"]
    settings.FIELD_ENCRYPTION_KEYS, settings.ID_INDEX_KEYS = [key()], [key()]
    assert keys_at_rest() == []
