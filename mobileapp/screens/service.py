"""Service detail, then the apply screen: consent to the registry data, the generated form, submit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from mobileapp import ui
from mobileapp.api import Case
from mobileapp.controllers.apply import ApplyController
from mobileapp.controllers.drafts import DraftController, keeper_of
from mobileapp.decisions import failed_rules, rule_text
from mobileapp.formats import short_date
from mobileapp.screens.base import Screen
from mobileapp.screens.common import AnswerHandlers, form_fields, icon_badge, mode_tags, service_icon

if TYPE_CHECKING:
    from mobileapp.app import App


class ServiceScreen(Screen):
    tab = "services"

    def __init__(self, app: App, code: str) -> None:
        super().__init__(app)
        self.ctrl = ApplyController(self.api, code)
        self.checking = False

    def title(self) -> str:
        return self.ctrl.detail["name"] if self.ctrl.detail else ""

    async def load(self) -> None:
        await self.ctrl.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        detail = self.ctrl.detail
        if not detail:
            return []
        icon, color = service_icon(detail)
        mode = detail["mode"]
        limit = detail["time_limit_days"]
        head = ui.card(
            look,
            ft.Column(
                [
                    ft.Row(
                        [
                            icon_badge(self, icon, color, 52),
                            ft.Column(
                                [
                                    ui.title(look, detail["name"], 20),
                                    ui.text(look, detail["department"], 14, color=look.text3),
                                ],
                                spacing=4,
                                expand=True,
                            ),
                        ],
                        spacing=12,
                    ),
                    ft.Row(mode_tags(self, detail), spacing=6, wrap=True),
                    ui.text(look, detail["summary"], 14, color=look.text2),
                ],
                spacing=10,
            ),
        )
        facts = ui.card(
            look,
            ft.Column(
                [
                    ui.kv(look, self.t("service.department"), detail["department"]),
                    ui.kv(look, self.t("service.mode"), self.t(f"mode.{mode}") if mode else "—"),
                    ui.kv(
                        look,
                        self.t("service.time_limit"),
                        self.t("common.days", n=limit) if limit else self.t("service.time_limit_instant"),
                    ),
                    ui.kv(
                        look,
                        self.t("service.face"),
                        self.t("common.yes") if detail["requires_face"] else self.t("common.no"),
                    ),
                    ui.text(look, self.t(f"mode.{mode}.desc") if mode else "", 13, color=look.text3),
                ],
                spacing=10,
            ),
        )
        out: list[ft.Control] = [head, facts]
        out.append(ui.banner(look, self.t("service.zero_material"), kind="success", icon=ft.Icons.FOLDER_OFF_OUTLINED))
        steps = detail["steps"]
        if steps:
            rows: list[ft.Control] = []
            for i, step in enumerate(steps, 1):
                rows.append(
                    ft.Row(
                        [
                            ft.Container(
                                content=ui.text(look, str(i), 12, color="#FFFFFF", weight=ft.FontWeight.BOLD),
                                width=look.fs(22),
                                height=look.fs(22),
                                border_radius=look.fs(11),
                                bgcolor=look.primary,
                                alignment=ft.Alignment.CENTER,
                            ),
                            ft.Column([ui.text(look, step, 15, weight=ft.FontWeight.BOLD)], spacing=2, expand=True),
                        ],
                        spacing=10,
                        vertical_alignment=ft.CrossAxisAlignment.START,
                    )
                )
            out.append(ui.section(look, self.t("service.steps"), [ui.card(look, ft.Column(rows, spacing=14))]))
        items = detail["data_items"]
        if items:
            rows = [
                ft.Row(
                    [
                        ft.Icon(ft.Icons.DATASET_LINKED_OUTLINED, color=look.primary, size=look.icon(18)),
                        ui.text(look, i["label"], 14, expand=True),
                        ui.text(look, i["department"], 13, color=look.text3),
                    ],
                    spacing=8,
                )
                for i in items
            ]
            out.append(ui.section(look, self.t("service.data_items"), [ui.card(look, ft.Column(rows, spacing=10))]))
        out.append(self._eligibility())
        return out

    def _eligibility(self) -> ft.Control:
        look = self.look
        if not self.state.real_name_verified:
            return ui.banner(
                look,
                self.t("service.realname_needed"),
                kind="warning",
                action_label=self.t("home.realname_go"),
                on_action=self.handler(self.open_real_name),
            )
        answer = self.ctrl.eligibility
        if answer is None:
            return ui.button(
                look,
                self.t("service.eligibility"),
                self.handler(self.check),
                kind="secondary",
                busy=self.checking,
                icon=ft.Icons.FACT_CHECK_OUTLINED,
                identifier="eligibility_check",
            )
        if answer["eligible"]:
            return ui.banner(look, self.t("service.eligible_yes"), kind="success")
        lines: list[ft.Control] = [ui.text(look, self.t("service.eligible_no"), 14, weight=ft.FontWeight.BOLD)]
        for rule in failed_rules(answer["rule_trace"]):
            lines.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.CANCEL_OUTLINED, color=look.danger, size=look.icon(18)),
                        ui.text(look, rule_text(rule), 14, expand=True),
                    ],
                    spacing=8,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            )
        return ui.card(look, ft.Column(lines, spacing=8), bgcolor=look.danger_soft)

    def footer(self) -> ft.Control | None:
        if not self.ctrl.detail:
            return None
        return ui.button(self.look, self.t("service.apply"), self.handler(self.apply), identifier="service_apply")

    async def check(self) -> None:
        self.checking = True
        self.render()
        try:
            await self.ctrl.check_eligibility()
        finally:
            self.checking = False
        self.render()

    async def apply(self) -> None:
        if not self.state.real_name_verified:
            await self.open_real_name()
            return
        await self.app.go("apply", ctrl=self.ctrl)

    async def open_real_name(self) -> None:
        await self.app.go("real_name")


class ApplyScreen(AnswerHandlers, Screen):
    """Consent and form on one page. Nothing is sent until the consent box is ticked and the form is valid."""

    tab = "services"
    ctrl: ApplyController

    def __init__(self, app: App, ctrl: ApplyController, drafts: DraftController | None = None) -> None:
        super().__init__(app)
        self.ctrl = ctrl
        self.drafts = drafts or keeper_of(ctrl)  # save and resume: one draft per application, kept with it
        self.busy = False
        self.saving = False

    def title(self) -> str:
        return self.t("form.title")

    async def load(self) -> None:
        if self.ctrl.detail is None:
            await self.ctrl.load()
        await self.ctrl.load_prefill()

    def step_labels(self) -> list[str]:
        keys = ["step.consent", "step.form"] + (["step.face"] if self.ctrl.requires_face else []) + ["step.result"]
        return [self.t(k) for k in keys]

    def build(self) -> list[ft.Control]:
        look = self.look
        ctrl = self.ctrl
        service_name = ctrl.detail["name"] if ctrl.detail else ""
        out: list[ft.Control] = [
            ui.card(look, ui.steps_indicator(look, self.step_labels(), 1 if ctrl.consent else 0), padding=12)
        ]
        if self.error is not None and self.error.code == "real_name_required":
            out.append(
                ui.banner(
                    look,
                    self.t("service.realname_needed"),
                    kind="warning",
                    action_label=self.t("home.realname_go"),
                    on_action=self.handler(self.open_real_name),
                )
            )
        # 1. consent
        rows: list[ft.Control] = [ui.text(look, self.t("consent.intro", service=service_name), 14, color=look.text2)]
        if not ctrl.prefill:
            rows.append(ui.text(look, self.t("consent.no_items"), 14, color=look.text3))
        for item in ctrl.prefill:
            meta = [item.department] if item.department else []
            if item.updated_at:
                meta.append(self.t("consent.updated", date=short_date(item.updated_at)))
            rows.append(ui.divider(look))
            rows.append(
                ft.Column(
                    [
                        ft.Row(
                            [
                                ft.Icon(ft.Icons.DATASET_LINKED_OUTLINED, color=look.primary, size=look.icon(18)),
                                ui.text(look, item.label, 15, weight=ft.FontWeight.BOLD, expand=True),
                            ],
                            spacing=6,
                        ),
                        ft.Container(
                            content=ui.text(look, item.value or self.t("consent.none"), 14, color=look.text),
                            bgcolor=look.bg,
                            border_radius=8,
                            padding=ft.Padding.symmetric(horizontal=10, vertical=8),
                        ),
                        ui.text(look, " · ".join(meta), 12, color=look.text3),
                    ],
                    spacing=6,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                )
            )
        rows.append(
            ft.Row(
                [
                    ft.Icon(ft.Icons.SHIELD_OUTLINED, color=look.success, size=look.icon(16)),
                    ui.text(look, self.t("consent.access_log"), 12, color=look.text3, expand=True),
                ],
                spacing=6,
            )
        )
        out.append(ui.section(look, self.t("consent.title"), [ui.card(look, ft.Column(rows, spacing=10))]))
        # 2. form
        if ctrl.fields:
            fields = form_fields(self, ctrl.fields, ctrl.values, ctrl.errors, self.on_field)
            out.append(
                ui.section(
                    look,
                    self.t("form.title"),
                    [
                        ui.text(look, self.t("form.intro"), 13, color=look.text3),
                        ui.card(look, ft.Column(fields, spacing=look.gap + 4)),
                    ],
                )
            )
        # consent checkbox last, right above the submit button
        consent_error = ctrl.errors.get("consent")
        out.append(
            ui.card(
                look,
                ft.Column(
                    [
                        ft.Row(
                            [
                                ui.with_id(
                                    "consent_checkbox",
                                    ft.Checkbox(
                                        value=ctrl.consent,
                                        on_change=self.on_consent,
                                        active_color=look.primary,
                                        semantics_label=ctrl.consent_text or self.t("consent.checkbox"),
                                    ),
                                ),
                                ft.Container(
                                    content=ui.text(look, ctrl.consent_text or self.t("consent.checkbox"), 15),
                                    on_click=self.toggle_consent,
                                    expand=True,
                                    padding=ft.Padding.symmetric(vertical=look.pad - 4 if look.elder else 0),  # ≥ 60 dp
                                ),
                            ],
                            spacing=4,
                            vertical_alignment=ft.CrossAxisAlignment.START,
                        ),
                    ]
                    + ([ui.text(look, consent_error, 13, color=look.danger)] if consent_error else []),
                ),
                bgcolor=look.primary_soft,
                padding=10,
            )
        )
        return out

    def footer(self) -> ft.Control:
        ctrl = self.ctrl
        save = ui.button(
            self.look,
            self.t("draft.save"),
            self.handler(self.save_draft),
            identifier="apply_save_draft",
            kind="secondary",
            busy=self.saving,
            expand=False,
        )
        submit = ui.button(
            self.look,
            self.t("form.submit"),
            self.handler(self.submit),
            identifier="apply_submit",
            busy=self.busy,
            disabled=not ctrl.consent,
            busy_label=self.t("form.submitting"),
        )
        return ft.Row([save, submit], spacing=8)

    async def save_draft(self) -> None:
        if self.saving:
            return
        self.error, self.saving = None, True
        self.render()
        try:
            draft = await self.drafts.save()
        finally:
            self.saving = False
            self.render()
        if draft is not None:
            self.notice = ("success", self.t("draft.saved", date=short_date(draft["expires_at"])))
            self.render()

    async def leave(self) -> None:
        await self.drafts.save_if_changed()  # leaving the form with changes keeps them (never raises)

    async def submit(self) -> None:
        if self.busy or self.ctrl.in_flight:
            return  # a double tap: the first request is still on its way
        self.error = None
        self.busy = True
        self.render()
        try:
            case = await self.ctrl.submit(self.state.language)
        finally:
            self.busy = False
            self.render()
        if case is not None:
            await self.after_submit(case)

    async def after_submit(self, case: Case) -> None:
        await self.app.go("face" if case["status"] == "pending_face" else "decision", case=case, replace=True)

    async def open_real_name(self) -> None:
        await self.app.go("real_name")
