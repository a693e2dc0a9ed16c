from backend.core.masking import mask_account, mask_id_number, mask_name, mask_phone


def test_id_number() -> None:
    assert mask_id_number("410105199001050014") == "410105********0014"
    assert mask_id_number("") == ""


def test_phone_national_and_e164() -> None:
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("+8613800000001") == "138****0001"


def test_account_and_name() -> None:
    assert mask_account("6222020000000000901") == "***************0901"
    assert mask_name("高远") == "高*"
    assert mask_name("马小超") == "马*超"
