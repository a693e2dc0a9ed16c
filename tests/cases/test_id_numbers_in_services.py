"""The demo city's elders (ID numbers with district codes younger than their holders) use the services, and an
identity number typed into a service form is checked by the same function as everywhere else."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import User
from backend.cases.models import Case
from backend.registries.models import DataAccessLog, ProvidentFundAccount, Resident
from tests.idnumbers import with_check, wrong_check
from tests.personas import ZHANG_JIANGUO, ZHANG_ZIHAN

pytestmark = pytest.mark.django_db

LI_DEFU, WANG_GUILAN = "13800000016", "13800000017"  # born 1948 (中原区) and 1952 (二七区); codes of 1983
ZHANG = ZHANG_JIANGUO.phone
CHILD_OF_ZHANG = ZHANG_ZIHAN.id_number  # 张子涵, youngest eligible for enrolment


def test_the_demo_elders_bind_their_real_name_and_apply(demo, resident) -> None:
    elders = [demo[LI_DEFU], demo[WANG_GUILAN]]
    assert [r["birth_date"][:4] for r in elders] == ["1948", "1952"]
    li, wang = resident(LI_DEFU), resident(WANG_GUILAN)  # real-name binding through the API: 200
    assert li.client.get("/api/v1/me").json()["real_name_verified"] is True
    assert li.apply("public-rental-housing")["status"] == "in_review"
    second = wang.apply("public-rental-housing")
    assert second["status"] == "rejected" and second["decision"]["reason_code"] == "duplicate_application"
    assert ProvidentFundAccount.objects.get(resident__phone="+86" + LI_DEFU).status == "closed"


def test_loading_the_demo_again_creates_no_second_elder(demo) -> None:
    counts = Resident.objects.count(), User.objects.count(), ProvidentFundAccount.objects.count()
    call_command("load_demo", "--skip", "cases", stdout=StringIO())
    assert (Resident.objects.count(), User.objects.count(), ProvidentFundAccount.objects.count()) == counts
    assert Resident.objects.filter(birth_date__year__lt=1960).count() == 4  # 高秀英, 李德福, 王桂兰, 赵淑珍


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (wrong_check(CHILD_OF_ZHANG), "校验位"),  # one digit mistyped
        (with_check("41010520210231026"), "出生日期不存在"),
        (with_check("99010520210831026"), "行政区划代码"),
    ],
)
def test_a_mistyped_childs_number_is_a_400_that_says_what_is_wrong(resident, number: str, words: str) -> None:
    person = resident(ZHANG)
    reads = DataAccessLog.objects.count()
    response = person.client.post(
        "/api/v1/cases",
        {"service": "primary-school-enrolment", "form": {"child_id_number": number}, "consent": True},
        format="json",
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert words in error["fields"]["child_id_number"][0]
    assert not Case.objects.exists()
    assert DataAccessLog.objects.count() == reads


def test_a_childs_number_typed_in_full_width_digits_finds_the_child(resident) -> None:
    person = resident(ZHANG)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in CHILD_OF_ZHANG)
    case = person.apply("primary-school-enrolment", {"child_id_number": full_width})
    assert case["status"] == "in_review", case
