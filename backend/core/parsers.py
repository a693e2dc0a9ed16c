"""JSON request bodies must be objects.

Every JSON endpoint of the API takes an object (``{"service": …}``, ``{"action": …}``); views read it with
``request.data.get(…)``. A body that is valid JSON but not an object (``[null, null]``, ``6.8e101``, ``"x"``) used
to reach those views and fail with a 500 (found by schemathesis: case rating, staff decide, counter verification,
follow-up close). This parser answers such bodies with 400 ``parse_error`` before any view runs, for every view
that uses the default parsers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError("JSON body must be an object / 请求体须为 JSON 对象")
        return data
