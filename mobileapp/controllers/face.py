"""The face check (刷脸) for a case: a challenge, then one still or one photo per liveness action."""

from __future__ import annotations

from mobileapp.api import ApiClient, ApiError, Challenge, FaceAdvice, FaceResult


class FaceController:
    """A face check for a case (or login): challenge, then one still or several frames (liveness actions)."""

    def __init__(self, api: ApiClient, case_id: int | None = None, purpose: str = "case") -> None:
        self.api = api
        self.case_id = case_id
        self.purpose = purpose
        self.challenge: Challenge | None = None
        self.frames: list[tuple[str, bytes]] = []
        self.in_flight = False
        self.result: FaceResult | None = None
        #: The server's advice after the last refusal (a failed match, or a photo it could not judge).
        self.advice: FaceAdvice | None = None

    async def start(self) -> Challenge:
        self.challenge = await self.api.face_challenge(self.purpose, self.case_id)
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
        if self.challenge is None:
            await self.start()
        assert self.challenge is not None
        self.in_flight = True
        self.advice = None
        try:
            if self.actions:
                result = await self.api.face_verify(self.challenge["challenge_id"], frames=[f for _, f in self.frames])
            else:
                name, data = self.frames[0]
                result = await self.api.face_verify(self.challenge["challenge_id"], image=data, filename=name)
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

    @property
    def counter_offered(self) -> bool:
        """The server named a counter appointment (in-person identity check) as a way on."""
        return bool(self.advice and "counter_appointment" in self.advice.get("next", []))

    @property
    def can_retry(self) -> bool:
        return not self.advice or "retry" in self.advice.get("next", [])
