"""The API's OpenAPI schema, as the API really behaves (drf-spectacular).

`AutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds what REST framework
does not say itself: reads need no token; every status code the API answers,
with the shape of its error body (400, 401, 403, 404, 406, 409, 412, 415,
429) and its headers (ETag, Last-Modified, Retry-After); the If-Match request
header; the values keys, filters and pages accept (slugs, ISO codes, years,
page numbers from 1). The post-processing hooks describe the
parameters REST framework adds (`format`, the item keys in paths), the error
bodies, and the limits (page size, rows, throttle rates) in the description.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.conf import settings
from drf_spectacular import openapi
from rest_framework import permissions

from .filters import KeyFilter, StrictBooleanFilter
from .formats import XLSX_MEDIA_TYPE, Pagination

FORMAT = (
    "json (the default); csv: the open-data CSV of the whole filtered "
    "collection (not paginated), with the same columns as /data/; or xlsx: "
    "the same rows and columns as a workbook. Both files are sent as an "
    "attachment named for the filters and the day."
)
PATH_KEYS = {
    "slug": "The record's slug.",
    "code": "The country's ISO 3166-1 alpha-2 code, in lower case.",
    "year": "The edition's year.",
}
#: What a key names a record by, in filters (KeyFilter's to_field_name).
KEY_PATTERNS = {
    "slug": r"^[-a-zA-Z0-9_]+$",
    "code": r"^[a-z]{2}$",
    "year": r"^[0-9]{4}$",
}
#: Text as the API reads it: no control characters (NUL to U+001F but tab,
#: line feed and carriage return; DEL), which are a 400 anywhere in a request
#: (collection.middleware).
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: Text that must say something: REST framework and the help question strip
#: white space first (str.strip), so only white space is as good as nothing.
NONBLANK_PATTERN = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f\x85]"
    r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
)
#: Who may read without a token: every collection and /api/v1/help/.
PUBLIC_READS = (
    permissions.AllowAny,
    permissions.IsAuthenticatedOrReadOnly,
    permissions.DjangoModelPermissionsOrAnonReadOnly,
)
ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}
CSV_TEXT = {"type": "string", "description": "CSV text (UTF-8, a header row)."}
XLSX_FILE = {
    "type": "string",
    "format": "binary",
    "description": "An XLSX workbook: one sheet, a header row, every cell text.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before asking again.",
    }
}
VALIDATORS = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "The representation's validator: send it back in "
        "If-None-Match (reads) or If-Match (writes).",
    },
    "Last-Modified": {
        "schema": {"type": "string"},
        "description": "When the registry's data last changed (HTTP date).",
    },
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the record as the client read it (GET of the "
    "item): the write is refused with 412 if the record changed since, so no "
    "one's change is lost.",
}


class AutoSchema(openapi.AutoSchema):
    def get_auth(self) -> list[dict[str, Any]]:
        auths: list[dict[str, Any]] = super().get_auth()
        public = any(isinstance(p, PUBLIC_READS) for p in self.view.get_permissions())
        if self.method in permissions.SAFE_METHODS and public and {} not in auths:
            auths.append({})  # a token is optional: anyone may read
        return auths

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_filter_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset is not None else {}
        for parameter in parameters:
            found = filters.get(parameter["name"])
            schema = parameter["schema"]
            if found is None:  # ordering: any text, unknown fields are ignored
                schema.setdefault("pattern", TEXT_PATTERN)
                continue
            if isinstance(found, StrictBooleanFilter):  # true or false (1/0, yes/no)
                schema.clear()
                schema["type"] = "boolean"
            elif isinstance(found, KeyFilter):
                key = found.extra.get("to_field_name") or "slug"
                schema.clear()
                schema.update(type="string", pattern=KEY_PATTERNS.get(key, ".*"))
            elif isinstance(found, django_filters.NumberFilter):
                for bound, name in (("min_value", "minimum"), ("max_value", "maximum")):
                    if found.extra.get(bound) is not None:
                        schema[name] = found.extra[bound]
            elif schema.get("type") == "string" and not (
                {"enum", "format", "pattern"} & set(schema)
            ):
                schema["minLength"] = 1  # given empty, a filter is a 400
                schema["pattern"] = TEXT_PATTERN
        return parameters

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] in KEY_PATTERNS:  # no other key names a record
                parameter["schema"] = {
                    "type": "string",
                    "pattern": KEY_PATTERNS[parameter["name"]],
                }
        return parameters

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_pagination_parameters()
        paginator = self._get_paginator()
        for parameter in parameters:
            if parameter["name"] == "page":
                parameter["schema"]["minimum"] = 1
                # Past it, even pages of one record are beyond the last row.
                parameter["schema"]["maximum"] = getattr(paginator, "max_rows", 0)
                parameter["description"] = (
                    "The page, from 1; past the last page is a 404. Pages stop "
                    f"at row {getattr(paginator, 'max_rows', 0):,} (a 400 beyond)."
                )
            elif parameter["name"] == "page_size":
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Records per page, {settings.REST_FRAMEWORK['PAGE_SIZE']} "
                    f"unless told; at most {getattr(paginator, 'max_page_size', 0)}"
                    " (a larger number gives that many)."
                )
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        has_key = "{" in self.path
        csv = any(
            p["name"] == "format" and "csv" in p["schema"].get("enum", [])
            for p in operation.get("parameters", [])
        )
        responses = operation["responses"]
        for code, response in responses.items():
            existing = response.get("content", {})
            if "text/csv" in existing:
                existing["text/csv"] = {"schema": CSV_TEXT}
            if XLSX_MEDIA_TYPE in existing:
                existing[XLSX_MEDIA_TYPE] = {"schema": XLSX_FILE}
            if code.startswith("2") and not response.get("description"):
                response["description"] = SUCCESS.get(code, "Done.")
        if self.method == "GET":
            headers = responses.get("200", {}).setdefault("headers", {})
            headers.update(VALIDATORS)
            if hasattr(self.view, "conditional"):
                responses["304"] = {
                    "description": "Not Modified: the answer is the one the "
                    "client holds (If-None-Match or If-Modified-Since)."
                }
        elif has_key:
            operation.setdefault("parameters", []).append(IF_MATCH)
        errors = dict(READ_ERRORS if self.method == "GET" else WRITE_ERRORS)
        if self.method in ("PUT", "PATCH", "DELETE") and has_key:
            errors["412"] = (
                "Precondition Failed: the record changed since the ETag given "
                "in If-Match (read it again, then write)."
            )
        if self.method == "DELETE":
            errors["409"] = (
                "Conflict: other records refer to this one; change or delete "
                "them first."
            )
        if "requestBody" in operation:
            errors["415"] = "Unsupported Media Type: send application/json."
        for code, description in errors.items():
            body = VALIDATION_ERROR if code == "400" else ERROR
            content: dict[str, Any] = {"application/json": {"schema": body}}
            if csv:
                content["text/csv"] = {"schema": CSV_TEXT}
            response = responses.setdefault(code, {"description": description})
            response.setdefault("content", content)
            if code == "429":
                response.setdefault("headers", RETRY_AFTER)
        return operation


SUCCESS = {
    "200": "OK.",
    "201": "Created: the record as saved.",
    "204": "Deleted.",
}
READ_ERRORS = {
    "400": "Bad Request: a filter or page that cannot be read (a key that "
    "names nothing, a malformed date), or a control character in the address.",
    "401": "Unauthorized: the token given is not valid (reads need none).",
    "404": "Not Found: no such record (or a draft the client may not see), no "
    "such page, or an unknown format.",
    "406": "Not Acceptable: the Accept header names no format the API gives.",
    "429": "Too Many Requests: over the client's rate; see Retry-After.",
}
WRITE_ERRORS = {
    "400": "Bad Request: the body or a parameter does not validate; the "
    "messages are by field.",
    "401": "Unauthorized: no token, or a token that is not valid.",
    "403": "Forbidden: the token's user may not make this change.",
    "404": "Not Found: no such record (or none the user may change), or an "
    "unknown format.",
    "406": READ_ERRORS["406"],
    "429": READ_ERRORS["429"],
}

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "An error about the request as a whole.",
        "properties": {
            "detail": {"type": "string", "description": "What is wrong, in words."}
        },
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "What is wrong with the request: `detail` when it is about the "
            "request as a whole (malformed JSON, a control character); "
            "otherwise messages by field, query parameter or body field: a "
            "list of texts, or for a nested record or list, messages by its "
            "fields or positions."
        ),
        "properties": {
            "detail": {
                "type": "string",
                "description": "What is wrong with the request as a whole.",
            },
            "non_field_errors": {
                "type": "array",
                "items": {"type": "string"},
                "description": "What is wrong with the record as a whole.",
            },
        },
        "additionalProperties": {
            "description": "Messages about the field of this name."
        },
    },
}


def _plain_text(schema: dict[str, Any]) -> None:
    """A free text in a request as the API reads it (TEXT_PATTERN); one that
    may not be blank must hold more than white space (NONBLANK_PATTERN)."""
    if schema.get("type") == "string" and not (
        {"enum", "format", "pattern"} & set(schema)
    ):
        blank = not schema.get("minLength")
        schema["pattern"] = TEXT_PATTERN if blank else NONBLANK_PATTERN
    elif isinstance(schema.get("items"), dict):
        _plain_text(schema["items"])


#: REST framework's pattern for a decimal (`^-?\d{0,3}(?:\.\d{0,5})?$`), which
#: admits "", "-" and "." that it refuses: at least one digit is needed.
LOOSE_DECIMAL = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def _decimal(schema: dict[str, Any]) -> None:
    found = LOOSE_DECIMAL.match(schema.get("pattern", ""))
    if schema.get("format") == "decimal" and found:
        whole, fraction = found.groups()
        schema["pattern"] = (
            rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{fraction}}})?|\.\d{{1,{fraction}}})$"
        )


def describe_parameters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The parameters' words and the text they take; the text request bodies
    take (the request components, COMPONENT_SPLIT_REQUEST)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        for field in component.get("properties", {}).values():
            _decimal(field)
            if name.endswith("Request"):
                _plain_text(field)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    _plain_text(parameter["schema"])
                if parameter.get("description"):
                    continue
                if parameter["in"] == "query" and parameter["name"] == "format":
                    parameter["description"] = FORMAT
                elif parameter["in"] == "path" and parameter["name"] in PATH_KEYS:
                    parameter["description"] = PATH_KEYS[parameter["name"]]
    return result


def describe_errors_and_limits(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The error bodies' components, and the limits in the description."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    rest = settings.REST_FRAMEWORK
    rates = rest.get("DEFAULT_THROTTLE_RATES", {})
    limits = (
        f"\n\nLimits: lists give {rest['PAGE_SIZE']} records a page, up to "
        f"{Pagination.max_page_size} with `page_size`, and stop at row "
        f"{Pagination.max_rows:,} (sync deeper with `updated_since`). Clients are "
        f"throttled: {rates.get('anon') or 'no limit'} without a token, "
        f"{rates.get('user') or 'no limit'} with one; over it the answer is "
        "429 with Retry-After. Text may not contain control characters (NUL "
        "to U+001F but tab, line feed and carriage return; DEL): in the "
        "address, a parameter or the body they are a 400."
    )
    info = result.setdefault("info", {})
    info["description"] = info.get("description", "") + limits
    return result
