"""The notification inbox: pages of notices, the unread count, marking read, and where a notice leads."""

from __future__ import annotations

from mobileapp.api import ApiClient, BundleApplication, Notification, NotificationPage
from mobileapp.controllers.paging import PagedList


class NotificationsController:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.unread = 0
        self.list: PagedList[Notification] = PagedList(self._page)

    async def _page(self, page: int) -> NotificationPage:
        answer = await self.api.notifications(page=page)
        self.unread = answer["unread"]
        return answer

    @property
    def items(self) -> list[Notification]:
        return self.list.items

    async def load(self) -> list[Notification]:
        return await self.list.load()

    async def load_more(self) -> list[Notification]:
        return await self.list.load_more()

    async def mark_read(self, notice: Notification) -> None:
        """Mark one notice read (once: a read notice is left alone)."""
        if notice["read"]:
            return
        await self.api.mark_read(notice["id"])
        notice["read"] = True
        self.unread = max(0, self.unread - 1)

    async def bundle_of(self, notice: Notification) -> BundleApplication | None:
        """The bundle application (一件事) a notice is about, fetched to be shown, or None."""
        target = notice["target"]
        if target.get("type") != "bundle" or not target.get("reference_no"):
            return None
        return await self.api.my_bundle(target["reference_no"])

    async def mark_all_read(self) -> None:
        await self.api.mark_all_read()
        self.unread = 0


def case_of(notice: Notification) -> int | None:
    """The case a notice is about (opened when the resident taps it), or None."""
    target = notice["target"]
    return target.get("id") if target.get("type") == "case" else None


def offer_of(notice: Notification) -> int | None:
    """The 免申即享 offer a notice announces (``offer.made``), or None."""
    target = notice["target"]
    return target.get("id") if target.get("type") == "offer" else None
