"""An agreement is found by its parties' names, read from its own row
(`Agreement.party_names`), which every write of a party, an office or an
agency keeps in step, one by one or by an import."""

import pytest
import tablib
from django.db import connection
from django.test import Client

from opendata.collections import import_dataset
from registry.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db


def found(text):
    return sorted(a.slug for a in Agreement.objects.published().search(text))


def page_finds(text, slug):
    return f"/agreements/{slug}/" in Client().get("/search/", {"q": text}).text


def api_finds(text):
    data = Client().get("/api/v1/agreements/", {"q": text}).json()
    return [row["slug"] for row in data["results"]]


@pytest.fixture
def houston():
    agency = f.AgencyFactory(name="Wage and Hour Division", acronym="WHD")
    office = f.OfficeFactory(
        agency=agency, name="Houston District Office", slug="whd-houston"
    )
    consulate = f.ConsulateFactory(
        name="Consulado General de México en Houston",
        name_en="Consulate General of Mexico in Houston",
    )
    agreement = f.AgreementFactory(slug="houston-loa", title_en="Letter")
    f.AgreementFactory(slug="other", title_en="Letter")
    f.PartyFactory(agreement=agreement, office=office, signer_name="Jane Mallett")
    f.PartyFactory(agreement=agreement, office=consulate, side="foreign")
    return agreement


@pytest.mark.parametrize(
    "text",
    ["Mallett", "WHD", "Wage Hour", "Consulado", "consulate general", "Houston"],
)
def test_an_agreement_is_found_by_its_parties_signers_and_agencies(houston, text):
    assert found(text) == ["houston-loa"]
    assert page_finds(text, "houston-loa")
    assert api_finds(text) == ["houston-loa"]


def test_renaming_an_office_or_an_agency_renames_its_agreements_parties(houston):
    office = houston.parties.get(side="us").office
    office.name = "Galveston Area Office"
    office.save()
    assert found("Galveston") == ["houston-loa"]
    assert found("District") == []
    agency = office.agency
    agency.acronym = "OWH"
    agency.save()
    assert found("OWH") == ["houston-loa"]
    assert found("WHD") == []


def test_a_party_removed_is_no_longer_a_match(houston):
    houston.parties.filter(signer_name="Jane Mallett").delete()
    assert found("Mallett") == []
    assert found("Consulado") == ["houston-loa"]


def test_saving_an_agreement_read_before_its_parties_changed_keeps_the_new_names(
    houston,
):
    stale = Agreement.objects.get(pk=houston.pk)
    party = houston.parties.get(signer_name="Jane Mallett")
    party.signer_name = "Ana Reyes"
    party.save()
    stale.title_en = "Letter of arrangement"
    stale.save()
    assert found("Reyes") == ["houston-loa"]
    assert found("Mallett") == []


def test_imported_parties_and_offices_are_found(houston):
    f.ConsulateFactory(slug="sv-houston", name="Consulado de El Salvador en Houston")
    parties = tablib.Dataset().load(
        "agreement,side,office,agency,signer_name\n"
        "other,foreign,sv-houston,,Rosa Quintanilla\n",
        format="csv",
    )
    import_dataset("parties", parties)
    assert found("Quintanilla") == ["other"]
    assert found("Salvador") == ["other"]
    offices = tablib.Dataset().load(
        "slug,name\nsv-houston,Consulado General de El Salvador en Houston\n",
        format="csv",
    )
    import_dataset("offices", offices)
    assert found("General Salvador") == ["other"]


@pytest.mark.postgres
def test_a_party_match_reads_the_text_index_not_the_parties(houston):
    """The party names are in the agreement's search document: the query
    is the text match alone, with no subquery over parties, offices or
    agencies that would keep PostgreSQL from its GIN index (which it then
    reads, once told not to read the table: a test's table is tiny)."""
    queryset = Agreement.objects.published().search("consulado")
    sql = str(queryset.query)
    assert "registry_party" not in sql
    assert "registry_office" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Without the published rows' own index (agreement_listing), which a
        # tiny table makes cheaper.
        plan = Agreement.objects.search("consulado").order_by().explain()
    assert "registry_agreement_search" in plan
