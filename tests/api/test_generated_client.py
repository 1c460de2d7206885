"""A client generated from the served schema (openapi-python-client) lists,
filters and reads agreements on a live server, with typed models, and gets a
typed error for a 400 and a 404."""

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client as DjangoClient

from tests import factories as f

PACKAGE = "registry_api_client"
#: No network and no formatter: the generated code is used as it comes.
CONFIG = f"project_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n"
CONFIG += "post_hooks: []\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_setup, django_db_blocker):
    """The generated package, imported: its `client`, `models` and `api`."""
    root = tmp_path_factory.mktemp("generated")
    with django_db_blocker.unblock():
        response = DjangoClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    (root / "schema.json").write_bytes(response.content)
    (root / "config.yml").write_text(CONFIG)
    command = [
        str(Path(sys.executable).parent / "openapi-python-client"),
        "generate",
        "--path",
        str(root / "schema.json"),
        "--config",
        str(root / "config.yml"),
        "--meta",
        "none",
        "--output-path",
        str(root / PACKAGE),
        "--fail-on-warning",
    ]
    # The venv's own executable and a file this test wrote: no untrusted input.
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, (
        f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}"
    )
    sys.path.insert(0, str(root))
    try:
        yield {
            name: importlib.import_module(f"{PACKAGE}.{name}")
            for name in ("client", "models", "api.agreements.agreements_list")
            + ("api.agreements.agreements_retrieve",)
        }
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def api(generated, live_server, transactional_db):
    """An anonymous client of the live server. The generator types every
    operation that names a security scheme as needing AuthenticatedClient,
    though reads also accept none (`security: [{tokenAuth: []}, {}]`), so the
    plain Client is passed where an AuthenticatedClient is annotated."""
    client: ModuleType = generated["client"]
    return client.Client(base_url=live_server.url, raise_on_unexpected_status=True)


def test_the_generated_client_lists_filters_and_reads_agreements(generated, api):
    houston = f.CityFactory(slug="houston-tx")
    local = f.AgreementFactory(slug="houston-loa", kind="loa")
    f.PartyFactory(agreement=local, office=f.OfficeFactory(city=houston))
    f.AgreementFactory(slug="national-mou", kind="mou", scope="national")
    models = generated["models"]
    listing = generated["api.agreements.agreements_list"]
    retrieve = generated["api.agreements.agreements_retrieve"]

    page = listing.sync(client=api)
    assert isinstance(page, models.PaginatedAgreementList)
    assert page.count == 2
    assert all(isinstance(a, models.Agreement) for a in page.results)
    assert {a.slug for a in page.results} == {"houston-loa", "national-mou"}

    in_houston = listing.sync(client=api, city="houston-tx")
    assert [a.slug for a in in_houston.results] == ["houston-loa"]
    mous = listing.sync(client=api, kind=models.AgreementsListKind.MOU)
    assert [a.slug for a in mous.results] == ["national-mou"]

    agreement = retrieve.sync("houston-loa", client=api)
    assert isinstance(agreement, models.Agreement)
    assert agreement.kind == models.AgreementKindEnum.LOA
    assert agreement.parties[0].office.slug == local.parties.get().office.slug


def test_the_generated_client_gets_typed_errors_for_400_and_404(generated, api):
    f.AgreementFactory(slug="houston-loa")
    models = generated["models"]
    listing = generated["api.agreements.agreements_list"]
    retrieve = generated["api.agreements.agreements_retrieve"]

    bad = listing.sync_detailed(client=api, city="nowhere")
    assert bad.status_code == 400
    assert isinstance(bad.parsed, models.ValidationError)
    assert bad.parsed["city"] == ["Nothing is known by “nowhere”."]

    missing = retrieve.sync_detailed("no-such-agreement", client=api)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Error)
    assert missing.parsed.detail
