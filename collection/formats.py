"""The API's output formats: its pagination, and the open-data CSV.

Kept apart from the viewsets: REST framework imports these classes (named in
settings) while it loads its own views.
"""

from __future__ import annotations

from typing import Any

import tablib
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, `page_size` up to 200.

    Pages stop at row 10,000 so that no request has to skip more rows than that,
    however large the table grows; deeper data is reached with filters, or by
    syncing with `updated_since` and `ordering=updated_at`.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    max_rows = 10_000

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        page_size = self.get_page_size(request)
        number = request.query_params.get(self.page_query_param, "1")
        if (
            page_size
            and number.isdigit()
            and (int(number) - 1) * page_size >= self.max_rows
        ):
            raise ValidationError(
                {
                    self.page_query_param: [
                        f"Pages stop at row {self.max_rows:,}. Narrow the query with "
                        "filters, or sync with updated_since and ordering=updated_at."
                    ]
                }
            )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many records match, on every page.",
            "next": "The next page, or null on the last.",
            "previous": "The previous page, or null on the first.",
            "results": "The records of this page.",
        }
        for name, text in descriptions.items():
            response["properties"][name]["description"] = text
        return response


class CSVRenderer(BaseRenderer):
    """The open-data CSV: the same columns as the import files and /data/."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if isinstance(data, tablib.Dataset):
            return data.export("csv")
        # Errors are still CSV: one "error" column, one row per message.
        messages = flatten_errors(data) if data else []
        return tablib.Dataset(*[[m] for m in messages], headers=["error"]).export("csv")


def flatten_errors(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [
            m
            for key, value in data.items()
            for m in flatten_errors(value, f"{prefix}{key}: ")
        ]
    if isinstance(data, list):
        return [m for item in data for m in flatten_errors(item, prefix)]
    return [f"{prefix}{data}"]
