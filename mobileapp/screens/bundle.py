"""一件事一次办: a bundle's screen (its members, the consent per department, one form, submit) and its result (one
reference, each member's status and result rows, what failed and the resident's choice: continue or withdraw)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from mobileapp import ui
from mobileapp.api import BundleApplication, BundleMember
from mobileapp.controllers.bundles import BundleController, BundleResultController
from mobileapp.formats import short_date
from mobileapp.screens.base import Screen
from mobileapp.screens.common import AnswerHandlers, form_fields

if TYPE_CHECKING:
    from mobileapp.app import App

MEMBER_ICONS = {
    "approved": (ft.Icons.CHECK_CIRCLE, "success"),
    "rejected": (ft.Icons.CANCEL, "danger"),
    "revoked": (ft.Icons.CANCEL, "danger"),
    "withdrawn": (ft.Icons.UNDO, "text3"),
    "in_review": (ft.Icons.HOURGLASS_TOP, "primary"),
    "pending_face": (ft.Icons.FACE, "warning"),
    "returned": (ft.Icons.ASSIGNMENT_RETURN, "warning"),
    "waiting": (ft.Icons.SCHEDULE, "text3"),
    "held": (ft.Icons.PAUSE_CIRCLE_OUTLINE, "warning"),
    "skipped": (ft.Icons.REMOVE_CIRCLE_OUTLINE, "text3"),
}


class BundleScreen(AnswerHandlers, Screen):
    """The bundle as one entry: what it gets done, its members (which department, in which order), then the one
    consent (per department), the one form and the submit button."""

    tab = "services"
    ctrl: BundleController

    def __init__(self, app: App, code: str) -> None:
        super().__init__(app)
        self.ctrl = BundleController(self.api, code)
        self.busy = False

    def title(self) -> str:
        return self.ctrl.detail["name"] if self.ctrl.detail else self.t("bundle.title")

    async def load(self) -> None:
        await self.ctrl.load()
        if self.state.real_name_verified:
            await self.ctrl.load_prefill()

    def build(self) -> list[ft.Control]:
        look = self.look
        detail = self.ctrl.detail
        if not detail:
            return []
        names = {m["service"]: m["name"] for m in detail["members"]}
        member_rows: list[ft.Control] = []
        for i, member in enumerate(detail["members"], 1):
            after = "、".join(names.get(code, code) for code in member["after"])
            lines: list[ft.Control] = [
                ui.text(look, f"{i}. {member['name']}", 15, weight=ft.FontWeight.BOLD),
                ui.text(look, member["department"], 13, color=look.text3),
            ]
            if after:
                lines.append(ui.text(look, self.t("bundle.after", names=after), 13, color=look.text2))
            member_rows.append(ft.Column(lines, spacing=2))
        out: list[ft.Control] = [
            ui.card(
                look,
                ft.Column(
                    [
                        ui.title(look, detail["name"], 20),
                        ui.text(look, detail["summary"], 14, color=look.text2),
                        ui.banner(look, self.t("bundle.once"), kind="success", icon=ft.Icons.TASK_ALT),
                    ],
                    spacing=10,
                ),
            ),
            ui.section(look, self.t("bundle.members"), [ui.card(look, ft.Column(member_rows, spacing=12))]),
        ]
        if not self.state.real_name_verified:
            out.append(
                ui.banner(
                    look,
                    self.t("service.realname_needed"),
                    kind="warning",
                    action_label=self.t("home.realname_go"),
                    on_action=self.handler(self.open_real_name),
                )
            )
            return out
        for block in self.ctrl.consent_blocks:
            rows: list[ft.Control] = []
            for item in block.items:
                rows.append(
                    ft.Column(
                        [
                            ui.text(look, item.label, 15, weight=ft.FontWeight.BOLD),
                            ui.text(look, item.value or self.t("consent.none"), 14),
                            ui.text(look, item.purpose, 12, color=look.text3),
                        ],
                        spacing=4,
                    )
                )
            out.append(
                ui.section(
                    look,
                    self.t("bundle.consent_of", department=block.department),
                    [ui.with_id(f"bundle_consent_{block.department_code}", ui.card(look, ft.Column(rows, spacing=10)))],
                )
            )
        if self.ctrl.fields:
            fields = form_fields(self, self.ctrl.fields, self.ctrl.values, self.ctrl.errors, self.on_field)
            out.append(
                ui.section(
                    look,
                    self.t("bundle.form"),
                    [
                        ui.text(look, self.t("form.intro"), 13, color=look.text3),
                        ui.card(look, ft.Column(fields, spacing=look.gap + 4)),
                    ],
                )
            )
        consent_error = self.ctrl.errors.get("consent")
        out.append(
            ui.card(
                look,
                ft.Column(
                    [
                        ft.Row(
                            [
                                ui.with_id(
                                    "bundle_consent_checkbox",
                                    ft.Checkbox(
                                        value=self.ctrl.consent,
                                        on_change=self.on_consent,
                                        active_color=look.primary,
                                        semantics_label=self.ctrl.consent_text or self.t("consent.checkbox"),
                                    ),
                                ),
                                ft.Container(
                                    content=ui.text(look, self.ctrl.consent_text or self.t("consent.checkbox"), 15),
                                    on_click=self.toggle_consent,
                                    expand=True,
                                    padding=ft.Padding.symmetric(vertical=look.pad - 4 if look.elder else 0),  # ≥ 60 dp
                                ),
                            ],
                            spacing=4,
                            vertical_alignment=ft.CrossAxisAlignment.START,
                        )
                    ]
                    + ([ui.text(look, consent_error, 13, color=look.danger)] if consent_error else []),
                ),
                bgcolor=look.primary_soft,
                padding=10,
            )
        )
        return out

    def footer(self) -> ft.Control | None:
        if not self.ctrl.detail or not self.state.real_name_verified:
            return None
        return ui.button(
            self.look,
            self.t("bundle.submit"),
            self.handler(self.submit),
            identifier="bundle_submit",
            busy=self.busy,
            disabled=not self.ctrl.consent,
            busy_label=self.t("form.submitting"),
        )

    async def submit(self) -> None:
        if self.busy or self.ctrl.in_flight:
            return
        self.error, self.busy = None, True
        self.render()
        try:
            application = await self.ctrl.submit(self.state.language)
        finally:
            self.busy = False
            self.render()
        if application is None:
            return
        if "face_check" in application["actions"]:
            await self.app.go("face", bundle=application, replace=True)
        else:
            await self.app.go("bundle_result", application=application, replace=True)

    async def open_real_name(self) -> None:
        await self.app.go("real_name")


class BundleResultScreen(Screen):
    """One reference for the whole bundle, and each member's status and result (the server's ``decision_rows``)."""

    tab = "cases"

    def __init__(self, app: App, application: BundleApplication) -> None:
        super().__init__(app)
        self.ctrl = BundleResultController(self.api, application)
        self.busy = False

    def title(self) -> str:
        return self.ctrl.application["name"]

    async def load(self) -> None:
        await self.ctrl.refresh()

    def build(self) -> list[ft.Control]:
        look = self.look
        application = self.ctrl.application
        out: list[ft.Control] = [
            ui.card(
                look,
                ft.Column(
                    [
                        ui.with_id("bundle_status", ui.title(look, application["status_label"], 20)),
                        ui.with_id(
                            "bundle_reference",
                            ui.text(look, f"{self.t('decision.reference')} {application['reference_no']}", 14),
                        ),
                        ui.text(look, self.t("bundle.submitted", date=short_date(application["submitted_at"])), 13),
                    ],
                    spacing=6,
                ),
            )
        ]
        for failure in application["failed"]:
            out.append(
                ui.with_id(
                    "bundle_failed",
                    ui.banner(
                        look,
                        self.t("bundle.failed", service=failure["service_name"], reason=failure["reason"] or ""),
                        kind="danger",
                    ),
                )
            )
        out.extend(self.member_card(member) for member in application["members"])
        return out

    def member_card(self, member: BundleMember) -> ft.Control:
        look = self.look
        icon, tone = MEMBER_ICONS.get(member["status"], (ft.Icons.INFO, "primary"))
        lines: list[ft.Control] = [
            ft.Row(
                [
                    ft.Icon(icon, color=getattr(look, tone), size=look.icon(22)),
                    ui.text(look, member["service_name"], 16, weight=ft.FontWeight.BOLD, expand=True),
                    ui.text(look, member["status_label"], 14, color=getattr(look, tone)),
                ],
                spacing=8,
            ),
            ui.text(look, " · ".join(p for p in (member["department"], member["reference_no"] or "") if p), 13),
        ]
        for row in member["decision_rows"]:
            lines.append(ui.kv(look, row["label"], row["value"]))
        if member["reason"]:
            lines.append(ui.text(look, member["reason"], 14, color=look.danger))
        if member["working_days_left"] is not None:
            lines.append(ui.text(look, self.t("bundle.days_left", n=member["working_days_left"]), 13))
        return ui.with_id(f"bundle_member_{member['service']}", ui.card(look, ft.Column(lines, spacing=6)))

    def footer(self) -> ft.Control | None:
        look = self.look
        actions = self.ctrl.application["actions"]
        buttons: list[ft.Control] = []
        if "face_check" in actions:
            buttons.append(
                ui.button(look, self.t("step.face"), self.handler(self.face), identifier="bundle_face_check")
            )
        if "continue" in actions:
            buttons.append(
                ui.button(
                    look, self.t("bundle.continue"), self.handler(self.continue_rest), identifier="bundle_continue"
                )
            )
        if "withdraw" in actions:
            buttons.append(
                ui.button(
                    look,
                    self.t("bundle.withdraw"),
                    self.handler(self.withdraw),
                    kind="ghost",
                    identifier="bundle_withdraw",
                )
            )
        return ft.Column(buttons, spacing=8) if buttons else None

    async def face(self) -> None:
        await self.app.go("face", bundle=self.ctrl.application)

    async def continue_rest(self) -> None:
        await self.ctrl.continue_rest()
        self.render()

    async def withdraw(self) -> None:
        await self.ctrl.withdraw()
        self.render()
