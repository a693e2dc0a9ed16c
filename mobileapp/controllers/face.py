"""The face check (刷脸) for a case: a challenge, then one still or one photo per liveness action."""

from __future__ import annotations

from mobileapp.api import ApiClient, ApiError, Case, Challenge, FaceAdvice, FaceResult


class FaceController:
    """A face check for a case (or login): challenge, then one still or several frames (liveness actions)."""

    def __init__(
        self, api: ApiClient, case_id: int | None = None, purpose: str = "case", bundle: str | None = None
    ) -> None:
        self.api = api
        self.case_id = case_id
        self.purpose = "bundle" if bundle is not None else purpose
        self.bundle = bundle  # a bundle's reference (一件事): one face check for all its members
        self.challenge: Challenge | None = None
        self.frames: list[tuple[str, bytes]] = []
        self.in_flight = False
        self.result: FaceResult | None = None
        #: The server's advice after the last refusal (a failed match, or a photo it could not judge).
        self.advice: FaceAdvice | None = None
        #: 亲情代办: ``"principal"`` when the face to check is the person acted for (the second of two checks on a
        #: service that wants them in person); None: the holder's own face.
        self.face: str | None = None

    def follow(self, case: Case) -> bool:
        """Whose face comes next for ``case``: true when it is the principal's on this (the delegate's) phone, after
        the delegate's passed. The principal in their own app simply shows their own face."""
        acting = self.api.acting_for is not None
        self.face = "principal" if acting and case.get("principal_face_required") else None
        return self.face is not None

    async def _challenge(self) -> Challenge:
        return await self.api.face_challenge(self.purpose, self.case_id, face=self.face, bundle=self.bundle)

    async def start(self) -> Challenge:
        self.challenge = await self._challenge()
        self.frames = []
        return self.challenge

    @property
    def actions(self) -> list[str]:
        return list(self.challenge["actions"]) if self.challenge else []

    @property
    def frames_needed(self) -> int:
        """One photo per action (at least one): the server reads the moves from the sequence."""
        return max(1, len(self.actions))

    def add_frame(self, name: str, data: bytes) -> None:
        if len(self.frames) >= self.frames_needed:
            self.frames = []
        self.frames.append((name, data))

    @property
    def ready(self) -> bool:
        return len(self.frames) >= self.frames_needed

    async def verify(self) -> FaceResult | None:
        if self.in_flight or not self.ready:
            return None
        if self.challenge is None:  # the last one could not be fetched: get one now, keeping the photos taken
            self.challenge = await self._challenge()
        self.in_flight = True
        self.advice = None
        try:
            try:
                result = await self._send(self.challenge)
            except ApiError as exc:
                if exc.code != "challenge_expired" or self.actions:
                    raise
                # A still asks for no moves, so taking longer than the challenge lasts (适老化: no short time limits
                # for elders) costs nothing: the same photo goes once more under a fresh challenge. Frames for
                # liveness actions belong to their challenge's actions and are taken again instead.
                fresh = await self._challenge()
                self.challenge = fresh
                if fresh["actions"]:
                    raise
                result = await self._send(fresh)
        except ApiError as exc:
            self.advice = exc.advice
            if exc.code in ("challenge_used", "challenge_expired"):
                self.challenge = None  # a fresh challenge next time
            raise
        finally:
            self.in_flight = False
        self.result = result
        self.advice = None if result["verified"] else result.get("advice")
        # a challenge is single-use: verified or not, the next try needs a new one
        self.challenge = None
        self.frames = []
        return self.result

    async def _send(self, challenge: Challenge) -> FaceResult:
        if challenge["actions"]:
            return await self.api.face_verify(challenge["challenge_id"], frames=[f for _, f in self.frames])
        name, data = self.frames[0]
        return await self.api.face_verify(challenge["challenge_id"], image=data, filename=name)

    @property
    def counter_offered(self) -> bool:
        """The server named a counter appointment (in-person identity check) as a way on."""
        return bool(self.advice and "counter_appointment" in self.advice.get("next", []))

    @property
    def can_retry(self) -> bool:
        return not self.advice or "retry" in self.advice.get("next", [])
