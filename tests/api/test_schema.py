"""The OpenAPI schema: valid, without warnings, every parameter and field
described; the interactive docs served locally; and a schemathesis run that
finds no server error and no response breaking the schema."""

import json
import random
import string

import pytest
import schemathesis
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.serializers import ListSerializer
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.specs.openapi.checks import positive_data_acceptance

from collection.filters import KeyFilter
from collection.formats import Pagination
from config.urls import router
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema_json(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml")
    )


def test_every_parameter_and_field_is_described(schema_json):
    undescribed = []
    for path, operations in schema_json["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    undescribed.append(f"{method.upper()} {path} ?{parameter['name']}")
    for name, component in schema_json["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not (spec.get("description") or spec.get("$ref") or spec.get("allOf")):
                undescribed.append(f"{name}.{field}")
    assert undescribed == []


def test_every_collection_is_in_the_schema_with_its_filters(schema_json):
    paths = schema_json["paths"]
    for collection in (
        "agreements",
        "agencies",
        "offices",
        "cities",
        "countries",
        "laws",
        "editions",
        "events",
        "organizations",
        "programmes",
        "topics",
    ):
        assert f"/api/v1/{collection}/" in paths
    names = {p["name"] for p in paths["/api/v1/agreements/"]["get"]["parameters"]}
    assert {
        "city",
        "state",
        "agency",
        "office",
        "country",
        "kind",
        "status",
        "signed_after",
        "signed_before",
        "expires_before",
        "framework",
        "law",
        "topic",
        "q",
        "updated_since",
        "page",
        "page_size",
    } <= names


def test_the_interactive_docs_use_the_projects_own_files(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    )
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


@pytest.fixture
def api_schema(db, monkeypatch, client):
    """The schema as the site serves it, over some data, with throttling off."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None}
    )
    agreement = f.AgreementFactory(
        slug="houston", framework=f.AgreementFactory(slug="national")
    )
    f.PartyFactory(agreement=agreement)
    f.PartyFactory(
        agreement=agreement,
        office=None,
        agency=f.ForeignAgencyFactory(),
        side="foreign",
    )
    f.AgreementSourceFactory(agreement=agreement)
    f.DocumentFactory(agreement=agreement)
    agreement.laws.add(f.LawFactory())
    agreement.topics.add(f.TopicFactory())
    event = f.EventFactory(slug="2017-chicago", edition=f.EditionFactory(year=2017))
    event.offices.add(f.OfficeFactory())
    event.sources.add(f.SourceFactory())
    f.OutcomeFactory(edition=event.edition)
    f.JurisdictionFactory(office=event.host_office)
    programme = f.ProgrammeFactory(slug="empleo", city=event.city)
    programme.offices.add(event.host_office)
    f.OrganizationFactory(slug="cdm", city=event.city)
    raw = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    loaded = schemathesis.openapi.from_dict(raw)
    # Calls go to the site in-process, through a handler built with the test
    # settings (the module-level WSGI application would redirect to HTTPS). Like
    # Django's test client, keep the test's database connection open between
    # requests instead of closing it when each request ends.
    loaded.app = WSGIHandler()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


MODELS = {
    "agreements": "registry.Agreement", "agencies": "registry.Agency",
    "offices": "registry.Office", "cities": "registry.City", "countries": "registry.Country",
    "states": "registry.State", "laws": "registry.Law", "editions": "outreach.Edition",
    "events": "outreach.Event", "organizations": "outreach.Organization",
    "programmes": "outreach.Programme", "topics": "registry.Topic",
}  # fmt: skip
#: What `schemathesis run` does by default: the schema's examples, the coverage
#: cases (each parameter's bounds, missing and wrong values, undocumented
#: methods) and random cases, each valid and invalid.
PHASES = [
    HypothesisTestMode.EXAMPLES,
    HypothesisTestMode.COVERAGE,
    HypothesisTestMode.FUZZING,
]


def real_key(path, parameter):
    """The key of an existing record of the collection the path serves."""
    model = apps.get_model(MODELS[path.split("/")[3]])
    return getattr(model.objects.order_by("-pk").first(), parameter, None)


def existing_keys(case):
    """A valid case's key filters naming records that exist.

    A key that names nothing is a 400 by design (docs/api.md: "A value that
    names nothing is an error, not an empty list"), and which keys exist is
    data, not schema: a schema-valid slug that names nothing is rightly
    rejected, which positive_data_acceptance would count as a failure. So a
    valid case names real records; invalid cases keep what was drawn."""
    if case.query and case.query.get("format") in ("csv", "xlsx"):
        # The CSV is the whole collection, not paginated (the format's
        # description): page and page_size are ignored, so an invalid one
        # is not rejected. Left out, the rest of the case is still judged.
        case.query = {
            k: v for k, v in case.query.items() if k not in ("page", "page_size")
        }
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if case.path == "/api/v1/help/":
        # OpenAPI cannot say "zip, or state and county": each parameter is
        # optional, so a valid case may ask nothing (a 400 by design).
        query = case.query or {}
        if not query.get("zip") and not (query.get("state") and query.get("county")):
            case.query = {**query, "zip": "77036"}
        return
    query = case.query or {}
    if "cursor" in query:
        # A cursor is data (what a page's `next` gives), and goes with
        # neither a page number nor another order: each a 400 by design.
        query["cursor"] = ""
        query.pop("page", None)
        if query.get("ordering") not in (None, "", "updated_at"):
            query["ordering"] = "updated_at"
    if "page" in query:
        # Pages stop at row 10,000 (a 400 beyond), which depends on page
        # and page_size together: the schema can bound each only alone.
        size = min(int(query.get("page_size", 50)), Pagination.max_page_size)
        last = 1 + (Pagination.max_rows - 1) // size
        query["page"] = min(int(query["page"]), last)
    view = resolve(case.path.split("{")[0]).func.cls
    filterset = getattr(view, "filterset_class", None)
    filters = filterset.base_filters if filterset is not None else {}
    for name in list(case.query or {}):
        found = filters.get(name)
        if isinstance(found, KeyFilter):
            queryset = found.queryset
            if callable(queryset):
                queryset = queryset(None)
            key = found.extra["to_field_name"]
            case.query[name] = str(getattr(queryset.order_by("pk").first(), key))


VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def existing_references(case):
    """A valid write's references naming records that exist, and its unique
    keys not taken yet.

    As for filters (existing_keys): a reference to nothing, or a slug another
    record has, is rightly refused (400), and which keys exist or are free is
    data, not schema. Invalid cases keep what was drawn."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for key in case.path_parameters or {}:
        # A write to a record that exists (one to a key that names nothing
        # is a 404, which every check accepts, and would test nothing).
        existing = real_key(case.path, key)
        if existing is not None:
            case.path_parameters[key] = existing
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "if-match":
            # The record's current ETag is data; "*" matches any existing
            # record (docs/api.md). A stale one is a 412, tested apart.
            headers[name] = "*"
    body = case.body
    if not isinstance(body, dict):
        return
    collection = case.path.split("/")[3]
    serializer = VIEWSETS[collection].serializer_class(context={"request": None})
    if body.get("source_urls"):
        # Printed sources are named by title, and only those on record are
        # known; URLs are always taken (a new one is added).
        body["source_urls"] = ["https://www.dol.gov/newsroom/releases"]
    real_references(serializer, body)


def real_references(serializer, body):
    """existing_references() for one record's body, and its nested rows'."""
    model = serializer.Meta.model
    for name in list(body):
        field = serializer.fields.get(name)
        if field is None or field.read_only:
            continue
        if isinstance(field, ListSerializer):
            if isinstance(body[name], list):
                for row in body[name]:
                    if isinstance(row, dict):
                        real_references(field.child, row)
        elif isinstance(field, ManyRelatedField | RelatedField):
            related = getattr(field, "child_relation", field)
            first = related.get_queryset().order_by("pk").first()
            if first is None:  # nothing to refer to in this data
                body.pop(name) if not field.required else None
            elif isinstance(field, ManyRelatedField):
                body[name] = [key_of(related, first)]
            elif body[name] is not None:
                body[name] = key_of(field, first)
        else:
            try:
                model_field = model._meta.get_field(field.source)
            except FieldDoesNotExist:  # a field of the serializer only
                continue
            if getattr(model_field, "unique", False) and body[name] is not None:
                body[name] = fresh(model_field, body[name])


def key_of(field, record):
    return str(getattr(record, field.slug_field))


def fresh(model_field, drawn):
    """A value no record has for a unique field: for text (a slug, a two-letter
    code) lower-case letters, which every such field takes; for a number (an
    edition's year) the first free one the field's validators allow."""
    taken = set(
        model_field.model._default_manager.values_list(model_field.name, flat=True)
    )
    if isinstance(drawn, int):
        low = max(
            (v.limit_value for v in model_field.validators if v.code == "min_value"),
            default=1,
        )
        high = min(
            (v.limit_value for v in model_field.validators if v.code == "max_value"),
            default=10**6,
        )
        return next(n for n in range(low, high + 1) if n not in taken)
    length = min(model_field.max_length or 12, 12)
    while True:
        value = "".join(random.choices(string.ascii_lowercase, k=length))
        if value not in taken:
            return value


#: Rules of a write that no JSON Schema can state, given in the fields'
#: descriptions instead: between fields of a record (`__all__`: an office
#: cannot close before it opens, a term of at least a month) or of a nested
#: row (`non_field_errors`: a party names an office or an agency), and a
#: partial date's calendar and order (`signed_on`: 2014-02-30 and
#: 2014-10-23/2014-10-22 match its pattern), and a party's side, which must be
#: its agency's country's (`side`: data, like a key), an expiry after the
#: record's signing (`expires_on`, a rule between fields), and an event's time
#: zone, needed when neither its city nor its host office's city has one
#: (`time_zone`: data of other records).
RULES_IN_WORDS = {
    "__all__",
    "non_field_errors",
    "signed_on",
    "side",
    "expires_on",
    "time_zone",
    # A text marked as translated must be there: a rule across two fields.
    "translated_by_registry",
}


def refused_fields(errors):
    """The names under which a 400's errors are given, nested rows' included
    (`{"parties": {"0": {"office": [...]}}}` gives "office")."""
    if isinstance(errors, dict):
        names: set[str] = set()
        for key, inner in errors.items():
            below = refused_fields(inner)
            names |= below if below else {key}
        return names
    if isinstance(errors, list) and any(isinstance(e, dict) for e in errors):
        return set().union(*(refused_fields(e) for e in errors if isinstance(e, dict)))
    return set()


def by_a_rule_in_words(case, response):
    """A valid write refused (400) only by RULES_IN_WORDS: the one refusal
    positive_data_acceptance is not asked to judge. Anything else it judges."""
    if response.status_code != 400 or case.method.upper() == "GET":
        return False
    try:
        errors = response.json()
    except ValueError:
        return False
    names = refused_fields(errors)
    return bool(names) and names <= RULES_IN_WORDS


def fuzz(schema, operations, *, max_examples, headers=None, modes=PHASES):
    """Run every check schemathesis has on each operation; the statuses seen
    and the failures, by operation."""
    statuses: set[int] = set()
    failures: dict[str, str] = {}
    for operation in operations:

        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases on every run: a failure repeats
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # no shrinking: faster
        )
        def call(case):
            existing_keys(case)
            existing_references(case)
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            excluded = (
                [positive_data_acceptance] if by_a_rule_in_words(case, response) else []
            )
            case.validate_response(response, headers=headers, excluded_checks=excluded)

        test = create_test(
            operation=operation,
            test_func=call,
            config=HypothesisTestConfig(project=schema.config, modes=modes),
        )
        try:
            test()
        except (Exception, BaseExceptionGroup) as error:
            failures[operation.label] = str(error)
    return statuses, failures


def test_api_fuzzing_finds_no_failure_in_reads(api_schema):
    operations = [r.ok() for r in api_schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 24  # a list and an item for every collection
    statuses, failures = fuzz(api_schema, operations, max_examples=10)
    for operation in operations:
        keys = [
            p["name"]
            for p in operation.definition.raw.get("parameters", [])
            if p["in"] == "path"
        ]
        if keys:  # an item: also check a record that exists
            case = operation.Case(
                path_parameters={keys[0]: real_key(operation.path, keys[0])}
            )
            assert case.call_and_validate().status_code == 200, operation.path
    assert failures == {}
    assert {200, 400, 404} <= statuses  # the fuzzing reached the API, not a redirect


def test_api_fuzzing_finds_no_failure_in_writes(api_schema):
    token = Token.objects.create(user=f.curator("fuzzer")).key
    writes = ["POST", "PUT", "PATCH", "DELETE"]
    operations = [
        r.ok() for r in api_schema.include(method=writes).get_all_operations()
    ]
    assert len(operations) >= 48  # every collection's four writes
    statuses, failures = fuzz(
        api_schema,
        operations,
        max_examples=12,
        headers={"Authorization": f"Token {token}"},
        modes=[HypothesisTestMode.EXAMPLES, HypothesisTestMode.FUZZING],
    )
    assert failures == {}
    # Writes were really made and really refused, not stopped at the door.
    assert {200, 201, 204, 400} <= statuses
