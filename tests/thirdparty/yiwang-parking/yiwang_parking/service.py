"""居民停车证 Residential parking permit (城市管理局): a resident with a registered household address in the city
applies for a permit for one car plate; the city management bureau reviews it within 5 working days.

Written on the Yiwang service SDK only (``backend.cases.sdk``), as any third-party module must be.
"""

from __future__ import annotations

from typing import Any

from backend.cases.sdk import (
    Assignment,
    Case,
    Check,
    Context,
    DataUse,
    FormError,
    Mode,
    Rule,
    ServiceModule,
    Text,
    failed,
    has_other_case,
    next_number,
    passed,
)

CODE = "residential-parking-permit"


def has_address(ctx: Context) -> Check:
    address = ctx.item("household.address")
    return passed(district=address["district"]) if address and address.get("district") else failed()


def no_open_permit_application(ctx: Context) -> Check:
    return failed() if has_other_case(ctx, CODE, resident=ctx.resident) else passed()


class ResidentialParkingPermit(ServiceModule):
    code = CODE
    name = Text("居民停车证", "Residential parking permit")
    department = "city_management"
    category = Text("交通", "Transport")
    mode = Mode.REVIEW
    time_limit_days = 5
    summary = Text(
        "户籍地址在本市的居民为一辆车申领小区周边道路停车证，城市管理局5个工作日内审核。",
        "Residents registered in the city apply for a street parking permit for one car; reviewed in 5 working days.",
    )
    steps = [Text("填写车牌号", "Enter the plate"), Text("城市管理局审核", "Review by city management")]
    data = [DataUse("household.address", Text("按户籍地址确定停车片区", "Your address decides the parking zone"))]
    form = {
        "type": "object",
        "required": ["plate"],
        "properties": {"plate": {"type": "string", "minLength": 7, "maxLength": 8, "title": "车牌号 Plate"}},
        "additionalProperties": False,
    }
    keywords = ["停车", "parking"]

    # Metadata: checked by Yiwang at discovery; the settings' defaults a deployment overrides per city.
    version = "1.0.0"
    yiwang_requires = ">=1.13,<2"
    settings = {"permit_prefix": "P"}

    def clean(self, form: dict[str, Any]) -> dict[str, Any]:
        plate = form["plate"].strip().upper()
        if not plate[1:2].isalpha():
            raise FormError("plate", "not a mainland plate (e.g. 豫A12345)")
        return {**form, "plate": plate}

    def rules(self, ctx: Context) -> list[Rule]:
        return [
            Rule(
                "no_address",
                Text("户籍地址在本市", "A registered address in the city"),
                has_address,
                Text("未查询到您的户籍地址。", "No registered address was found for you."),
            ),
            Rule(
                "duplicate_application",
                Text("没有正在办理的停车证申请", "No open permit application"),
                no_open_permit_application,
                Text("您已有一份正在办理的停车证申请。", "You already have an open application."),
            ),
        ]

    def execute(self, ctx: Context, case: Case) -> Assignment:
        from .models import ParkingPermit  # the app's table: importable once the app is installed

        number = f"{self.setting('permit_prefix')}-{next_number(f'permit:{CODE}'):06d}"
        ParkingPermit.objects.create(case_reference=case.reference_no, plate=ctx.form["plate"], number=number)
        return Assignment(number, place_label=Text("停车证号", "Permit number"), place_key="permit_number")


service = ResidentialParkingPermit()
