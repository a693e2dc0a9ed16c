"""The data-access log of *Me*: every registry read about the resident (when, which department, by whom, why).

Real-name binding and face enrolment change the session's profile: they are :class:`mobileapp.session.AppState`
methods."""

from __future__ import annotations

from mobileapp.api import ApiClient, DataAccess
from mobileapp.controllers.paging import PagedList


class DataAccessController:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.list: PagedList[DataAccess] = PagedList(lambda page: self.api.data_access(page=page))

    @property
    def items(self) -> list[DataAccess]:
        return self.list.items

    @property
    def has_more(self) -> bool:
        return self.list.has_more

    async def load(self) -> list[DataAccess]:
        return await self.list.load()

    async def load_more(self) -> list[DataAccess]:
        return await self.list.load_more()
