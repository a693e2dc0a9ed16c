"""The catchment lookup (registry item ``education.school_district``): the most specific address prefix wins, the
prefix's own LIKE wildcards are literal, and it is one query however many catchments the city has."""

from __future__ import annotations

import pytest

from backend.registries.items import school_for_address
from backend.registries.models import SchoolDistrict

pytestmark = pytest.mark.django_db


@pytest.fixture
def catchments() -> None:
    for prefix, school in [
        ("郑州市金水区", "金水区实验小学"),
        ("郑州市金水区花园路", "花园路小学"),
        ("郑州市金水区花园路1号院", "花园路小学分校"),
        ("郑州市二七区%", "百分号小学"),
        ("郑州市中原区_", "下划线小学"),
    ]:
        SchoolDistrict.objects.create(district="x", address_prefix=prefix, school=school)
    for n in range(200):
        SchoolDistrict.objects.create(district="y", address_prefix=f"开封市{n}号街", school=f"开封{n}小学")


@pytest.mark.parametrize(
    ("address", "school"),
    [
        ("郑州市金水区花园路1号院3栋", "花园路小学分校"),
        ("郑州市金水区花园路8号", "花园路小学"),
        ("郑州市金水区经三路2号", "金水区实验小学"),
        ("郑州市二七区大学路", None),  # "%" in a prefix is a character, not a wildcard
        ("郑州市二七区%大学路", "百分号小学"),
        ("郑州市中原区X", None),  # neither is "_"
        ("郑州市中原区_桐柏路", "下划线小学"),
        ("洛阳市", None),
        ("", None),
    ],
)
def test_most_specific_prefix_wins(catchments, address: str, school: str | None) -> None:
    found = school_for_address(address)
    assert (found.school if found else None) == school


def test_one_query_however_many_catchments(catchments, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert school_for_address("开封市150号街1号").school == "开封150小学"
