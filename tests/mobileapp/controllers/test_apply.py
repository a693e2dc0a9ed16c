"""ApplyController: consent before anything is sent, the generated form, double taps, the attempt's key."""

from __future__ import annotations

import asyncio
import socket

import pytest

from mobileapp import forms, i18n
from mobileapp.api import ApiClient, NetworkError
from mobileapp.controllers.apply import ApplyController
from tests.mobileapp.conftest import run, verified_state
from tests.personas import ZHANG_JIANGUO

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = ZHANG_JIANGUO.phone


def test_nothing_is_sent_without_consent_or_with_an_invalid_form(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    assert [f.name for f in apply.fields] == ["reason", "amount"]
    reason = apply.fields[0]
    assert reason.kind == "enum" and [c.value for c in reason.choices] == ["rent", "purchase"]
    assert forms.localized(reason.choices[0].label, "zh-CN") == "租房"

    prefill = run(apply.load_prefill())
    assert {i.key for i in prefill} >= {"provident_fund.account", "property.owned"}
    assert all(i.department and i.label and i.purpose for i in prefill)
    assert apply.consent_text

    apply.values = {"reason": "rent", "amount": "4500.00"}
    assert run(apply.submit()) is None and "consent" in apply.errors
    apply.consent = True
    apply.values = {"reason": "rent", "amount": "lots"}
    assert run(apply.submit()) is None and "amount" in apply.errors
    assert apply.submissions == 0
    assert run(state.api.cases())["count"] == 0


def test_the_consent_rows_show_the_masked_registry_values_with_labels(city) -> None:
    """What the consent screen shows for 张建国 (his rent withdrawal): records as labelled lines, masked."""
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    rows = {i.key: i for i in run(apply.load_prefill())}
    account = rows["provident_fund.account"]
    assert (account.label, account.department) == ("公积金账户", "住房公积金管理中心")
    assert account.value == "账号：********0001；状态：正常；余额：8000.00；缴存月数：3；银行卡：***************0012"
    assert account.updated_at
    withdrawals = rows["provident_fund.withdrawals"].value.split("\n")
    assert len(withdrawals) == 2 and all(w.startswith("日期：") and "原因：租房；金额：" in w for w in withdrawals)
    assert rows["property.owned"].value == "无记录"  # nothing registered: said so, not left blank

    english = ApplyController(ApiClient(city["url"], token=state.api.token, language="en"), "provident-fund-withdrawal")
    run(english.load())
    rows_en = {i.key: i for i in run(english.load_prefill())}
    assert rows_en["provident_fund.account"].value.startswith("Account：********0001；Status：")
    assert rows_en["property.owned"].value == i18n.translate("consent.none", "en")


def test_double_tap_submits_once(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "provident-fund-withdrawal")
    run(apply.load())
    apply.values = {"reason": "rent", "amount": "4500.00"}
    apply.consent = True

    async def double_tap():
        return await asyncio.gather(apply.submit(), apply.submit())

    first, second = run(double_tap())
    assert second is None and first["status"] == "pending_face"
    assert apply.submissions == 1
    assert run(state.api.cases())["count"] == 1


def test_a_network_failure_keeps_the_attempts_key_so_a_retry_cannot_duplicate(city) -> None:
    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "public-rental-housing")
    run(apply.load())
    apply.consent = True

    live = state.api
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    apply.api = ApiClient(f"http://127.0.0.1:{dead_port}", token=live.token, timeout=3)
    with pytest.raises(NetworkError):
        run(apply.submit())
    key = apply.attempt_key
    assert key  # kept for the retry of the same attempt

    # the lost request had in fact reached the server: the retry with the same key returns that case
    reached = run(live.create_case("public-rental-housing", {}, consent=True, idempotency_key=key))
    apply.api = live
    retried = run(apply.submit())
    assert retried["id"] == reached["id"]
    assert run(live.cases())["count"] == 1
    assert apply.attempt_key is None  # the next tap is a new attempt


def test_eligibility_is_the_servers_answer_with_its_failed_rule(city) -> None:
    from mobileapp.decisions import failed_rules, rule_text

    state = verified_state(city, ZHANG)
    apply = ApplyController(state.api, "deed-tax-subsidy")
    answer = run(apply.check_eligibility())
    assert answer["eligible"] is False
    failed = failed_rules(answer["rule_trace"])
    assert [r["code"] for r in failed] == [answer["reason_code"]] == ["no_eligible_property"]
    assert rule_text(failed[0]) == failed[0]["message"]
