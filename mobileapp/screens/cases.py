"""My cases: the list, a case with its timeline and deadline, withdraw, fix-and-resubmit, rating (好差评)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import flet as ft

from mobileapp import forms, ui
from mobileapp.api import BundleApplication, Case, CaseStatus, Draft, NotAvailable
from mobileapp.controllers.bundles import MyBundlesController
from mobileapp.controllers.cases import CaseController, CasesController, returned_note
from mobileapp.controllers.drafts import DraftController, DraftsController
from mobileapp.formats import short_date, short_datetime
from mobileapp.screens.base import Screen
from mobileapp.screens.common import booking_card, case_tile, coming_soon, countdown, form_fields
from mobileapp.screens.outcome import decision_card

if TYPE_CHECKING:
    from mobileapp.app import App

FILTERS: list[tuple[CaseStatus | None, str]] = [
    (None, "catalogue.all"),
    ("in_review", "status.in_review"),
    ("returned", "status.returned"),
    ("approved", "status.approved"),
    ("rejected", "status.rejected"),
]


def my_bundle_tile(screen: Screen, application: BundleApplication, on_open: ui.Handler) -> ft.Control:
    """A bundle application (一件事) in my cases: its name, status and one reference; its members are within."""
    look = screen.look
    return ui.card(
        look,
        ft.Row(
            [
                ft.Column(
                    [
                        ui.text(look, application["name"], 16, weight=ft.FontWeight.BOLD),
                        ui.text(look, application["status_label"], 14, color=look.primary),
                        ui.text(look, application["reference_no"], 13, color=look.text3),
                    ],
                    spacing=4,
                    expand=True,
                ),
                ft.Icon(ft.Icons.CHEVRON_RIGHT, color=look.text3, size=look.icon(22)),
            ],
            spacing=12,
        ),
        on_click=on_open,
        identifier=f"my_bundle_{application['reference_no']}",
    )


class CasesScreen(Screen):
    tab = "cases"
    root = True

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.ctrl = CasesController(self.api)
        self.drafts = DraftsController(self.api)
        self.bundles = MyBundlesController(self.api)  # 一件事: one entry each, above the member cases
        self.unavailable = False
        self.filter: CaseStatus | None = None
        self.more_busy = False

    def title(self) -> str:
        return self.t("cases.title")

    async def load(self) -> None:
        try:
            await self.ctrl.load(status=self.filter)
            self.unavailable = False
        except NotAvailable:
            self.unavailable = True
        if not self.unavailable:
            with contextlib.suppress(NotAvailable):  # a server without drafts: just the cases
                await self.drafts.load()  # drafts first, whatever the filter: they are not cases yet
            with contextlib.suppress(NotAvailable):  # a server without bundles: just the cases
                await self.bundles.load()

    def build(self) -> list[ft.Control]:
        look = self.look
        if self.unavailable:
            return [coming_soon(self, ft.Icons.ASSIGNMENT)]
        out: list[ft.Control] = []
        if not look.elder:
            chips: list[ft.Control] = []
            for value, key in FILTERS:
                active = value == self.filter
                chips.append(
                    ft.Container(
                        content=ui.text(look, self.t(key), 13, color=look.primary if active else look.text2),
                        padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                        height=ui.target_height(look),
                        alignment=ft.Alignment.CENTER,
                        border_radius=16,
                        bgcolor=look.primary_soft if active else look.surface,
                        border=ft.Border.all(1, look.primary if active else look.border),
                        on_click=self.handler(self.set_filter, value),
                    )
                )
            out.append(ft.Row(chips, spacing=8, wrap=True, run_spacing=8))
        for draft in self.drafts.drafts:
            out.append(draft_tile(self, draft))
        if self.filter is None:
            for application in self.bundles.items:
                out.append(my_bundle_tile(self, application, self.handler(self.open_bundle, application)))
        if not self.ctrl.cases and not self.drafts.drafts:
            out.append(
                ui.empty(
                    look,
                    self.t("cases.empty"),
                    ft.Icons.ASSIGNMENT_OUTLINED,
                    action=ui.button(
                        look, self.t("tab.services"), self.handler(self.app.switch_tab, "services"), expand=False
                    ),
                )
            )
        for case in self.ctrl.cases:
            out.append(case_tile(self, case, self.handler(self.open_case, case["id"])))
        if self.ctrl.next:
            out.append(
                ui.button(look, self.t("action.more"), self.handler(self.more), kind="ghost", busy=self.more_busy)
            )
        return out

    async def open_bundle(self, application: BundleApplication) -> None:
        await self.app.go("bundle_result", application=application)

    async def set_filter(self, value: CaseStatus | None) -> None:
        self.filter = value
        await self.app.open(self)

    async def more(self) -> None:
        self.more_busy = True
        self.render()
        try:
            await self.ctrl.load_more()
        finally:
            self.more_busy = False
        self.render()

    async def open_case(self, case_id: int) -> None:
        await self.app.go("case", case_id=case_id)

    async def resume_draft(self, draft_id: int) -> None:
        keeper = await DraftController.resume(self.api, draft_id)
        await self.app.go("apply", ctrl=keeper.apply, drafts=keeper)

    async def delete_draft(self, draft_id: int) -> None:
        await self.drafts.delete(draft_id)
        self.notice = ("success", self.t("draft.deleted"))
        self.render()


def draft_tile(screen: CasesScreen, draft: Draft) -> ft.Control:
    """A draft in "my cases": badge 草稿, the service, when it was saved and when it will be deleted."""
    look = screen.look
    return ui.card(
        look,
        ft.Column(
            [
                ft.Row(
                    [
                        ui.text(look, draft["service_name"], 16, weight=ft.FontWeight.BOLD, max_lines=1, expand=True),
                        ui.tag(look, screen.t("draft.badge"), look.text2, look.bg),
                    ],
                    spacing=8,
                ),
                ft.Row(
                    [
                        ui.text(
                            look,
                            " · ".join(
                                (
                                    screen.t("draft.updated", date=short_date(draft["updated_at"])),
                                    screen.t("draft.expires", date=short_date(draft["expires_at"])),
                                )
                            ),
                            13,
                            color=look.text3,
                            expand=True,
                        ),
                        ui.button(
                            look,
                            screen.t("draft.delete"),
                            screen.handler(screen.delete_draft, draft["id"]),
                            identifier=f"draft_delete_{draft['id']}",
                            kind="ghost",
                            expand=False,
                        ),
                    ],
                    spacing=8,
                ),
            ],
            spacing=6,
        ),
        on_click=screen.handler(screen.resume_draft, draft["id"]),
        identifier=f"draft_{draft['id']}",
    )


class CaseScreen(Screen):
    tab = "cases"

    def __init__(self, app: App, case_id: int) -> None:
        super().__init__(app)
        self.ctrl = CaseController(self.api, case_id)
        self.confirm_withdraw = False
        self.busy = ""
        self.score = 0
        self.comment = ""
        self.thanks = False

    def title(self) -> str:
        return self.t("cases.detail")

    async def load(self) -> None:
        case = await self.ctrl.load()
        if case["form"]:
            try:
                await self.ctrl.load_form()
            except Exception:  # the labels are a nicety: show raw keys rather than fail the screen
                self.ctrl.fields = []

    def build(self) -> list[ft.Control]:
        look = self.look
        case = self.ctrl.case
        if not case:
            return []
        out: list[ft.Control] = decision_card(self, case, big=False)
        due = countdown(self, case)
        if due is not None:
            out.insert(
                0,
                ui.card(
                    look,
                    ft.Row(
                        [
                            due,
                            ui.text(
                                look, self.t("cases.due_at", date=short_date(case["due_at"])), 13, color=look.text3
                            ),
                        ],
                        alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                        wrap=True,
                    ),
                    padding=12,
                ),
            )
        status = self.ctrl.status
        if self.ctrl.counter_booking is not None:
            out.append(booking_card(self, self.ctrl.counter_booking))
        if status == "returned":
            note = returned_note(case)
            out.append(
                ui.banner(
                    look,
                    f"{self.t('cases.returned_note')}：{note}" if note else self.t("decision.returned"),
                    kind="warning",
                )
            )
        submitted = case["form"]
        if submitted:
            specs = {f.name: f for f in self.ctrl.fields}
            lang = self.state.language
            rows = [
                ui.kv(
                    look,
                    forms.localized(specs[k].label, lang) if k in specs else k,
                    forms.localized(forms.display_value(specs.get(k), v), lang),
                )
                for k, v in submitted.items()
            ]
            out.append(ui.section(look, self.t("cases.your_form"), [ui.card(look, ft.Column(rows, spacing=10))]))
        out.append(ui.section(look, self.t("cases.timeline"), [ui.card(look, self._timeline(case))]))
        if self.ctrl.can_rate or case["rating"] or self.thanks:
            out.append(self._rating(case))
        if self.confirm_withdraw:
            out.append(
                ui.card(
                    look,
                    ft.Column(
                        [
                            ui.text(look, self.t("cases.withdraw_confirm"), 15),
                            ft.Row(
                                [
                                    ui.button(
                                        look, self.t("action.cancel"), self.handler(self.cancel_withdraw), kind="ghost"
                                    ),
                                    ui.button(
                                        look,
                                        self.t("cases.withdraw_yes"),
                                        self.handler(self.withdraw),
                                        kind="danger",
                                        busy=self.busy == "withdraw",
                                        identifier="withdraw_confirm",
                                    ),
                                ],
                                spacing=10,
                            ),
                        ],
                        spacing=12,
                    ),
                    border_color=look.danger,
                )
            )
        return out

    def _timeline(self, case: Case) -> ft.Control:
        look = self.look
        entries = case["timeline"]
        rows: list[ft.Control] = []
        for i, entry in enumerate(reversed(entries)):
            latest = i == 0
            status = entry["status"]
            label = self.t(f"status.{status}") if status else ""
            detail = [ui.text(look, short_datetime(entry["at"]), 12, color=look.text3)]
            if entry["actor"]:
                detail.append(ui.text(look, entry["actor"], 12, color=look.text3))
            if entry["note"]:
                detail.append(ui.text(look, entry["note"], 13, color=look.text2))
            rows.append(
                ft.Row(
                    [
                        ft.Column(
                            [
                                ft.Container(
                                    width=12,
                                    height=12,
                                    border_radius=6,
                                    bgcolor=look.primary if latest else look.border,
                                    border=ft.Border.all(2, look.primary_soft if latest else look.surface),
                                ),
                                ft.Container(width=2, height=look.fs(40), bgcolor=look.border)
                                if i < len(entries) - 1
                                else ft.Container(),
                            ],
                            spacing=2,
                            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                        ),
                        ft.Column(
                            [
                                ui.text(
                                    look,
                                    label,
                                    15,
                                    weight=ft.FontWeight.BOLD if latest else None,
                                    color=look.text if latest else look.text2,
                                ),
                                *detail,
                            ],
                            spacing=2,
                            expand=True,
                        ),
                    ],
                    spacing=12,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            )
        if not rows:
            rows.append(ui.text(look, self.t("common.empty"), 14, color=look.text3))
        return ft.Column(rows, spacing=4)

    def _rating(self, case: Case) -> ft.Control:
        look = self.look
        rating = case["rating"]
        given = rating["score"] if rating else 0
        score = given or self.score
        stars = []
        for n in range(1, 6):
            filled = n <= score
            star = ft.Icon(ft.Icons.STAR if filled else ft.Icons.STAR_BORDER, color="#F5A623", size=look.icon(34))
            stars.append(
                ui.with_id(
                    f"rating_{n}",
                    ft.Container(
                        content=star,
                        on_click=None if given else self.handler(self.set_score, n),
                        padding=4,
                    ),
                    button=not given,
                    label=self.t(f"cases.rating.{n}"),
                )
            )
        parts: list[ft.Control] = [
            ui.title(look, self.t("cases.rated") if given else self.t("cases.rate"), 16),
            ft.Row(stars, spacing=2, alignment=ft.MainAxisAlignment.CENTER),
        ]
        if score:
            parts.append(
                ui.text(look, self.t(f"cases.rating.{score}"), 14, color=look.warning, align=ft.TextAlign.CENTER)
            )
        if rating:
            if rating["comment"]:
                parts.append(ui.text(look, rating["comment"], 14, color=look.text2))
            if self.thanks:
                parts.append(ui.with_id("rating_thanks", ui.text(look, self.t("cases.thanks"), 14, color=look.success)))
        else:
            parts.append(
                ui.text_field(
                    look,
                    self.t("cases.rate_comment"),
                    value=self.comment,
                    on_change=self._set_comment,
                    multiline=not look.elder,
                    identifier="rating_comment",
                )
            )
            parts.append(
                ui.button(
                    look,
                    self.t("cases.rate_submit"),
                    self.handler(self.rate),
                    disabled=not self.score,
                    busy=self.busy == "rate",
                    identifier="rating_submit",
                )
            )
        return ui.card(look, ft.Column(parts, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH))

    def footer(self) -> ft.Control | None:
        look = self.look
        buttons: list[ft.Control] = []
        if self.ctrl.can_withdraw and not self.confirm_withdraw:
            buttons.append(
                ui.button(
                    look,
                    self.t("cases.withdraw"),
                    self.handler(self.ask_withdraw),
                    kind="ghost",
                    identifier="case_withdraw",
                )
            )
        if self.ctrl.needs_face:
            buttons.append(ui.button(look, self.t("cases.face_now"), self.handler(self.face), identifier="case_face"))
            if self.ctrl.counter_booking is None:
                buttons.append(
                    ui.button(
                        look, self.t("counter.go"), self.handler(self.counter), kind="ghost", identifier="case_counter"
                    )
                )
        if self.ctrl.can_resubmit:
            buttons.append(ui.button(look, self.t("cases.fix"), self.handler(self.fix), identifier="case_fix"))
        return ft.Row(buttons, spacing=10) if buttons else None

    def _set_comment(self, e: Any) -> None:
        self.comment = e.control.value or ""

    async def set_score(self, n: int) -> None:
        self.score = n
        self.render()

    async def rate(self) -> None:
        if self.busy or not self.score:
            return
        self.busy = "rate"
        self.render()
        try:
            await self.ctrl.rate(self.score, self.comment.strip())
            self.thanks = True
        finally:
            self.busy = ""
        self.render()

    async def ask_withdraw(self) -> None:
        self.confirm_withdraw = True
        self.render()

    async def cancel_withdraw(self) -> None:
        self.confirm_withdraw = False
        self.render()

    async def withdraw(self) -> None:
        if self.busy:
            return
        self.busy = "withdraw"
        self.render()
        try:
            await self.ctrl.withdraw()
        finally:
            self.busy = ""
            self.confirm_withdraw = False
        self.render()

    async def face(self) -> None:
        assert self.ctrl.case is not None
        await self.app.go("face", case=self.ctrl.case)

    async def counter(self) -> None:
        await self.app.go("counter_check", case_id=self.ctrl.case_id)

    async def fix(self) -> None:
        await self.app.go("resubmit", ctrl=self.ctrl)


class ResubmitScreen(Screen):
    """A returned case: the same generated form with the submitted values, sent back with PATCH."""

    tab = "cases"

    def __init__(self, app: App, ctrl: CaseController) -> None:
        super().__init__(app)
        self.ctrl = ctrl
        self.busy = False

    def title(self) -> str:
        return self.t("form.resubmit")

    async def load(self) -> None:
        await self.ctrl.load_form()

    def build(self) -> list[ft.Control]:
        look = self.look
        out: list[ft.Control] = []
        note = returned_note(self.ctrl.case) if self.ctrl.case else ""
        if note:
            out.append(ui.banner(look, f"{self.t('cases.returned_note')}：{note}", kind="warning"))
        fields = form_fields(self, self.ctrl.fields, self.ctrl.values, self.ctrl.errors, self.on_field)
        out.append(ui.card(look, ft.Column(fields or [ui.text(look, self.t("common.empty"), 14)], spacing=look.gap)))
        return out

    def footer(self) -> ft.Control:
        return ui.button(
            self.look,
            self.t("form.resubmit"),
            self.handler(self.submit),
            identifier="resubmit_submit",
            busy=self.busy,
            busy_label=self.t("form.submitting"),
        )

    def on_field(self, name: str, value: Any, rerender: bool) -> None:
        self.ctrl.values[name] = value
        self.ctrl.errors.pop(name, None)
        if rerender:
            self.render()

    async def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.error = None
        self.render()
        try:
            case = await self.ctrl.resubmit(self.state.language)
        finally:
            self.busy = False
            self.render()
        if case is not None:
            await self.app.back()
