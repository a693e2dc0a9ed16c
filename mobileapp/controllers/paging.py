"""A paginated list with "load more", over any ``Page`` endpoint of the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from mobileapp.api import Page

T = TypeVar("T")


class PagedList(Generic[T]):
    """``fetch(page)`` returns one page (``{count, next, previous, results}``); ``items`` grows page by page."""

    def __init__(self, fetch: Callable[[int], Awaitable[Page[T]]]) -> None:
        self.fetch = fetch
        self.items: list[T] = []
        self.page = 0
        self.next: str | None = None
        self.count = 0

    async def load(self) -> list[T]:
        self.items, self.page = [], 0
        return await self.load_more()

    async def load_more(self) -> list[T]:
        self.page += 1
        page = await self.fetch(self.page)
        self.items.extend(page["results"])
        self.next = page["next"]
        self.count = page["count"]
        return self.items

    @property
    def has_more(self) -> bool:
        return bool(self.next)
