"""Face check (刷脸) for a case: a challenge, then a photo — or one photo per liveness action."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from mobileapp import ui
from mobileapp.api import ApiError, BundleApplication, Case
from mobileapp.controllers.face import FaceController
from mobileapp.screens.base import Screen
from mobileapp.screens.common import delegate_path

if TYPE_CHECKING:
    from mobileapp.app import App


class FaceScreen(Screen):
    tab = "cases"

    def __init__(self, app: App, case: Case | None = None, bundle: BundleApplication | None = None) -> None:
        super().__init__(app)
        self.case = case
        self.bundle = bundle  # 一件事: one face check for every member waiting for one
        if bundle is not None:
            self.ctrl = FaceController(self.api, bundle=bundle["reference_no"])
        else:
            assert case is not None, "a face check is for a case or a bundle"
            self.ctrl = FaceController(self.api, case_id=case["id"])
            self.ctrl.follow(case)  # the principal's face, when the delegate's passed already
        self.busy = False
        self.failed: str | None = None
        self.enrol_first = False
        #: 亲情代办: the principal has no enrolled face for the second check: the counter is the way.
        self.principal_missing: str | None = None
        #: Too many failed checks (429 ``face_locked``): the server's words; the counter and a delegate remain.
        self.locked: str | None = None

    def title(self) -> str:
        return self.t("face.title")

    async def load(self) -> None:
        try:
            await self.ctrl.start()
            self.enrol_first = False
        except ApiError as exc:
            if exc.code == "principal_face_not_enrolled":
                self.principal_missing = exc.message  # not something to enrol on this (the delegate's) phone
                return
            if exc.code == "face_locked":
                self.locked = exc.message
                return
            if exc.code != "face_not_enrolled":
                raise
            self.enrol_first = True  # enrol here, then the check: no detour through the profile

    def build(self) -> list[ft.Control]:
        look = self.look
        ctrl = self.ctrl
        labels = [self.t("step.consent"), self.t("step.form"), self.t("step.face"), self.t("step.result")]
        out: list[ft.Control] = [ui.card(look, ui.steps_indicator(look, labels, 2), padding=12)]
        if self.principal_missing:
            out.append(ui.with_id("face_principal_missing", ui.banner(look, self.principal_missing, kind="danger")))
        if self.locked:
            # the allowed failed attempts are used up (the server's lock): the other paths are the way on
            out.append(ui.with_id("face_locked", ui.banner(look, self.locked, kind="danger")))
            out.append(self._counter_button("primary"))
            out.extend(delegate_path(self, "face_delegate"))
        elif self.failed:
            out.append(ui.with_id("face_failed", ui.banner(look, self.failed, kind="danger")))
            advice = self.ctrl.advice
            if advice and advice.get("other_paths"):
                # The way on besides a retry (a counter appointment): the server's words, never a score.
                out.append(ui.with_id("face_other_paths", ui.text(look, advice["other_paths"], 14, color=look.text2)))
            if self.ctrl.counter_offered:
                out.append(self._counter_button("primary" if not self.ctrl.can_retry else "secondary"))
                out.extend(delegate_path(self, "face_delegate"))
        preview = self.app.photos.camera_view(look.fs(260))
        face_art: ft.Control = preview or ft.Container(
            content=ft.Icon(ft.Icons.FACE_RETOUCHING_NATURAL, size=look.icon(110), color=look.primary),
            width=look.fs(200),
            height=look.fs(200),
            border_radius=look.fs(100),
            bgcolor=look.primary_soft,
            border=ft.Border.all(3, look.primary),
            alignment=ft.Alignment.CENTER,
        )
        parts: list[ft.Control] = [ft.Container(content=face_art, alignment=ft.Alignment.CENTER, padding=8)]
        if self.enrol_first:
            parts.append(ui.with_id("face_step_enrol", ui.title(look, self.t("face.enrol_first"), 17)))
            parts.append(ui.text(look, self.t("face.enrol_first_detail"), 14, align=ft.TextAlign.CENTER))
        elif ctrl.face == "principal":
            # the second check on the delegate's phone: the person acted for looks into the camera
            parts.append(ui.with_id("face_step_principal", ui.title(look, self.t("face.principal_intro"), 18)))
            parts.append(ui.text(look, self.t("face.principal_detail"), 14, align=ft.TextAlign.CENTER))
        else:
            parts.append(
                ui.with_id("face_step_check", ui.text(look, self.t("face.intro"), 15, align=ft.TextAlign.CENTER))
            )
        if ctrl.actions and not self.enrol_first:
            parts.append(ui.text(look, self.t("face.actions"), 14, weight=ft.FontWeight.BOLD))
            for i, action in enumerate(ctrl.actions, 1):
                done = i <= len(ctrl.frames)
                parts.append(
                    ft.Row(
                        [
                            ft.Icon(
                                ft.Icons.CHECK_CIRCLE if done else ft.Icons.RADIO_BUTTON_UNCHECKED,
                                color=look.success if done else look.text3,
                                size=look.icon(20),
                            ),
                            ui.text(look, f"{i}. {self.t('face.action.' + action)}", 15),
                        ],
                        spacing=8,
                    )
                )
            if ctrl.frames:
                parts.append(ui.text(look, self.t("face.frames", n=len(ctrl.frames)), 13, color=look.text3))
        if self.busy:
            parts.append(
                ft.Column(
                    [
                        ft.ProgressBar(color=look.primary, bgcolor=look.primary_soft),
                        ui.text(look, self.t("face.checking"), 14, color=look.primary, align=ft.TextAlign.CENTER),
                    ],
                    spacing=8,
                    horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                )
            )
        parts.append(
            ft.Row(
                [
                    ft.Icon(ft.Icons.LOCK_OUTLINE, size=look.icon(16), color=look.text3),
                    ui.text(look, self.t("face.privacy"), 12, color=look.text3),
                ],
                alignment=ft.MainAxisAlignment.CENTER,
                spacing=4,
            )
        )
        out.append(ui.card(look, ft.Column(parts, spacing=look.gap, horizontal_alignment=ft.CrossAxisAlignment.CENTER)))
        return out

    def footer(self) -> ft.Control:
        look = self.look
        buttons: list[ft.Control] = []
        if self.app.photos.camera_available:
            buttons.append(
                ui.button(
                    look,
                    self.t("face.camera"),
                    self.handler(self.take_photo),
                    busy=self.busy,
                    icon=ft.Icons.PHOTO_CAMERA,
                    identifier="face_camera",
                )
            )
        buttons.append(
            ui.button(
                look,
                self.t("face.capture"),
                self.handler(self.pick),
                identifier="face_capture",
                busy=self.busy,
                busy_label=self.t("face.checking"),
                icon=ft.Icons.UPLOAD_FILE,
                kind="secondary" if buttons else "primary",
            )
        )
        # 我想去窗口办理: the counter at once, without trying the face check (face is never the only way).
        buttons.append(
            ui.button(
                look, self.t("counter.go"), self.handler(self.counter), kind="ghost", identifier="face_go_counter"
            )
        )
        return ft.Column(buttons, spacing=8)

    def _counter_button(self, kind: str) -> ft.Control:
        return ui.button(
            self.look,
            self.t("counter.book_now"),
            self.handler(self.counter),
            kind=kind,
            icon=ft.Icons.EVENT_AVAILABLE,
            identifier="face_counter",
        )

    async def counter(self) -> None:
        if self.bundle is not None:  # the counter checks one case: the first member waiting for its face check
            waiting = [m["case_id"] for m in self.bundle["members"] if m["status"] == "pending_face" and m["case_id"]]
            if waiting:
                await self.app.go("counter_check", case_id=waiting[0])
            return
        assert self.case is not None
        await self.app.go("counter_check", case_id=self.case["id"])

    async def pick(self) -> None:
        if self.busy:
            return
        photos = await self.app.photos.pick(multiple=bool(self.ctrl.actions) and not self.enrol_first)
        await self.use(photos)

    async def take_photo(self) -> None:
        if self.busy:
            return
        photo = await self.app.photos.take()
        await self.use([photo] if photo else [])

    async def use(self, photos: list[tuple[str, bytes]]) -> None:
        if not photos:
            return
        if self.enrol_first:
            await self.enrol(*photos[0])
            return
        for name, data in photos:
            self.ctrl.add_frame(name, data)
        await self.verify_if_ready()

    async def enrol(self, name: str, data: bytes) -> None:
        self.busy = True
        self.error = None
        self.render()
        try:
            await self.state.enrol_face(data, name)
            await self.ctrl.start()
            self.enrol_first = False
            self.notice = ("success", self.t("face.enrolled_next"))
        finally:
            self.busy = False
        self.render()

    async def verify_if_ready(self) -> None:
        if not self.ctrl.ready:
            self.render()
            return
        self.busy = True
        self.failed = None
        self.error = None
        self.notice = None
        self.render()
        try:
            result = await self.ctrl.verify()
        except ApiError as exc:
            self.busy = False
            if exc.advice:  # a photo the server could not judge (not counted): say what to change
                self.failed = exc.advice["message"]
                self.render()
                return
            if exc.code == "face_locked":
                self.locked = exc.message
                self.render()
                return
            await self._fresh_challenge()
            raise
        self.busy = False
        if not result:
            self.render()
            return
        if result["verified"]:
            if "bundle" in result:
                await self.app.go("bundle_result", application=result["bundle"], replace=True)
                return
            case = result["case"]
            if self.ctrl.follow(case):  # the delegate's face passed: now the principal's, on this phone
                self.case = case
                self.notice = ("success", self.t("face.delegate_passed"))
                await self._fresh_challenge()
                self.render()
                return
            await self.show_decision(case)
            return
        self.failed = self.t("face.failed", n=result["attempts_left"])
        if self.ctrl.advice:
            self.failed = f"{self.failed}\n{self.ctrl.advice['message']}"
        await self._fresh_challenge()
        self.render()

    async def _fresh_challenge(self) -> None:
        try:
            await self.ctrl.start()
        except ApiError as exc:
            if exc.code == "face_locked":
                self.locked = exc.message
                return
            self.error = exc

    async def show_decision(self, case: Case) -> None:
        await self.app.go("decision", case=case, replace=True)
