"""A drf-spectacular post-processing hook: describe the parameters that REST
framework adds itself (the `format` choice and the item keys in paths)."""

from __future__ import annotations

from typing import Any

FORMAT = (
    "json (the default), or csv: the open-data CSV of the whole filtered "
    "collection (not paginated), with the same columns as /data/."
)
PATH_KEYS = {
    "slug": "The record's slug.",
    "code": "The country's ISO 3166-1 alpha-2 code, in lower case.",
    "year": "The edition's year.",
}


def describe_parameters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("description"):
                    continue
                if parameter["in"] == "query" and parameter["name"] == "format":
                    parameter["description"] = FORMAT
                elif parameter["in"] == "path" and parameter["name"] in PATH_KEYS:
                    parameter["description"] = PATH_KEYS[parameter["name"]]
    return result
