"""亲情代办 Family delegation: the "我的 → 亲情代办" screen's state, and the "acting for" switch.

:class:`DelegationController` lists both sides (who may act for me, for whom I may act), invites by phone, accepts
an invitation with the resident's own face check (challenge ``{"purpose": "delegation", "mandate": id}``, verify,
then accept with the challenge id), declines and ends. :meth:`act_for` turns the switch: the API client then sends
``X-Acting-For`` on the catalogue, case and face-check calls, so the usual screens apply for the principal. The
server holds every rule (relations, limits, scope); the app shows its answers.
"""

from __future__ import annotations

from mobileapp.api import ApiClient, ApiError, Mandate, MandateList


class DelegationController:
    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.mandates: MandateList = {"as_principal": [], "as_delegate": []}
        self.error: ApiError | None = None

    async def load(self) -> MandateList:
        self.mandates = await self.client.delegations()
        return self.mandates

    @property
    def invitations(self) -> list[Mandate]:
        """Invitations waiting for my answer."""
        return [m for m in self.mandates["as_delegate"] if m["status"] == "invited"]

    @property
    def can_act_for(self) -> list[Mandate]:
        """The principals I may switch to now."""
        return [m for m in self.mandates["as_delegate"] if m["status"] == "active"]

    @property
    def acting(self) -> Mandate | None:
        """The mandate the app acts under, or None when the resident acts for themselves."""
        return next((m for m in self.mandates["as_delegate"] if m["id"] == self.client.acting_for), None)

    async def invite(self, phone: str, scope: list[str] | None = None) -> Mandate | None:
        """Invite a family member; a refusal (``no_relation``, ``too_many_mandates``…) is kept in ``error``."""
        self.error = None
        try:
            mandate = await self.client.invite_delegate(phone.strip(), scope)
        except ApiError as exc:
            self.error = exc
            return None
        await self.load()
        return mandate

    async def accept(self, mandate_id: int, selfie: bytes, filename: str = "selfie.jpg") -> Mandate | None:
        """Accept with my own face: ``None`` and ``error`` set when the face check or the acceptance fails."""
        self.error = None
        try:
            challenge = await self.client.face_challenge("delegation", mandate=mandate_id)
            result = await self.client.face_verify(challenge["challenge_id"], image=selfie, filename=filename)
            if not result["verified"]:
                self.error = ApiError("face_mismatch", "", status=200)
                return None
            mandate = await self.client.accept_delegation(mandate_id, challenge["challenge_id"])
        except ApiError as exc:
            self.error = exc
            return None
        await self.load()
        return mandate

    async def decline(self, mandate_id: int) -> Mandate:
        mandate = await self.client.decline_delegation(mandate_id)
        await self.load()
        return mandate

    async def end(self, mandate_id: int) -> Mandate:
        if self.client.acting_for == mandate_id:
            self.client.acting_for, self.client.acting_name = None, ""
        mandate = await self.client.end_delegation(mandate_id)
        await self.load()
        return mandate

    def act_for(self, mandate_id: int | None) -> Mandate | None:
        """Switch to acting for the principal of an active mandate I hold (``None``: back to myself)."""
        if mandate_id is None:
            self.client.acting_for, self.client.acting_name = None, ""
            return None
        mandate = next((m for m in self.can_act_for if m["id"] == mandate_id), None)
        if mandate is None:
            raise ValueError(f"no active mandate {mandate_id} held by this resident")
        self.client.acting_for, self.client.acting_name = mandate["id"], mandate["principal"]["name"]
        return mandate
