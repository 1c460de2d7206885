"""The OpenAPI schema: valid, without warnings, every parameter and field
described; the interactive docs served locally; and a schemathesis run that
finds no server error and no response breaking the schema."""

import json

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

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


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
MODELS = {
    "agreements": "registry.Agreement", "agencies": "registry.Agency",
    "offices": "registry.Office", "cities": "registry.City", "countries": "registry.Country",
    "states": "registry.State", "laws": "registry.Law", "editions": "outreach.Edition",
    "events": "outreach.Event", "organizations": "outreach.Organization",
    "programmes": "outreach.Programme", "topics": "registry.Topic",
}  # fmt: skip


def real_key(path, parameter):
    """The key of an existing record of the collection the path serves."""
    model = apps.get_model(MODELS[path.split("/")[3]])
    return getattr(model.objects.order_by("-pk").first(), parameter)


def test_api_fuzzing_finds_no_server_error_and_no_response_breaking_the_schema(
    api_schema,
):
    operations = [r.ok() for r in api_schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 24  # a list and an item for every collection
    statuses = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            statuses.add(case.call_and_validate(checks=CHECKS).status_code)

        check()
        keys = [
            p["name"]
            for p in operation.definition.raw.get("parameters", [])
            if p["in"] == "path"
        ]
        if keys:  # an item: also check a record that exists
            case = operation.Case(
                path_parameters={keys[0]: real_key(operation.path, keys[0])}
            )
            assert case.call_and_validate(checks=CHECKS).status_code == 200, (
                operation.path
            )
    assert {200, 400, 404} <= statuses  # the fuzzing reached the API, not a redirect
