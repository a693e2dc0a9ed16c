"""OpenAPI schema fixes that need no change in the apps (loaded by ``SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"]``).

``manage.py check --deploy`` generates the schema and fails on its warnings; schemathesis fuzzes the schema, so it
must be unambiguous. One name collides today:

``GET /api/v1/services`` and ``GET /api/v1/services/{code}`` both derive the operationId
``api_v1_services_retrieve``: the list gets ``api_v1_services_list``.

When the catalogue names it itself (``extend_schema(operation_id=…)``), this module can go.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import extend_schema, extend_schema_view


class ServiceListOperationId(OpenApiViewExtension):
    target_class = "backend.catalogue.api.ServiceListView"

    def view_replacement(self) -> type:
        # A class by now: drf-spectacular imports the dotted path before it asks for the replacement.
        view = cast(type, self.target_class)
        subclass = type("ServiceListView", (view,), {"__module__": __name__})
        return extend_schema_view(get=extend_schema(operation_id="api_v1_services_list"))(subclass)


def preprocess(endpoints: list[Any]) -> list[Any]:
    """Nothing to change in the endpoints: importing this module registered the extensions above."""
    return endpoints
