"""The service catalogue: search, the services the resident qualifies for, groups by topic or department."""

from __future__ import annotations

from typing import Literal

from mobileapp.api import ApiClient, Bundle, NotAvailable, Service

GroupBy = Literal["category", "department"]


class CatalogueController:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.services: list[Service] = []
        self.eligible: list[Service] = []
        self.bundles: list[Bundle] = []  # 一件事一次办: each bundle is one entry, above the single services
        self.query = ""

    async def load(self, q: str = "", category: str | None = None, department: str | None = None) -> list[Service]:
        self.query = q
        self.services = await self.api.services(q=q or None, category=category, department=department)
        try:
            bundles = await self.api.bundles()
        except NotAvailable:  # a server without bundles: the catalogue is the services alone
            bundles = []
        self.bundles = [b for b in bundles if not q or _matches(b, q)]
        return self.services

    async def load_eligible(self) -> list[Service]:
        self.eligible = await self.api.services(eligible=True)
        return self.eligible

    def groups(self, by: GroupBy = "category") -> list[tuple[str, str, list[Service]]]:
        """``[(key, label, services)]`` in first-seen order, for the catalogue's topic/department views (the key is
        the display name the server sends, which is also the label)."""
        out: dict[str, list[Service]] = {}
        for service in self.services:
            out.setdefault(service[by], []).append(service)
        return [(key, key, items) for key, items in out.items()]


def _matches(bundle: Bundle, q: str) -> bool:
    q = q.casefold()
    texts = [bundle["name"], bundle["name_en"], bundle["summary"], *(m["name"] for m in bundle["members"])]
    return any(q in text.casefold() for text in texts)
