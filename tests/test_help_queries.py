"""The help lookup's page and endpoint cost a pinned number of queries, the
same with ten times the offices, jurisdictions, contacts, agreements and
events. (Apart from tests/test_help.py, whose seed data stays loaded for its
whole module.)"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from registry.models import Contact, Office, State
from tests import factories as f
from tests.helpers import queries


def grow(n):
    """More offices, jurisdictions, contacts, agreements and events in Texas."""
    texas = State.objects.filter(slug="tx").first() or f.StateFactory(
        code="TX", slug="tx", name="Texas"
    )
    start = Office.objects.count()
    for i in range(start, start + n):
        city = f.CityFactory(
            state=texas, latitude=29 + i / 100, longitude=-95 - i / 100
        )
        consulate = f.ConsulateFactory(city=city)
        county = "Harris" if i % 2 else f"County {i}"
        f.JurisdictionFactory(office=consulate, state=texas, county=county)
        Contact.objects.create(
            office=consulate,
            kind="main_phone",
            value="+17132716800",
            as_of=date(2025, 1, 1),
            as_of_precision="day",
            source=f.SourceFactory(),
            standing="current",
            is_published=True,
        )
        agreement = f.AgreementFactory(scope="local")
        f.PartyFactory(agreement=agreement, office=consulate)
        national = f.AgreementFactory(scope="national")
        f.PartyFactory(agreement=national, office=None, agency=consulate.agency)
        f.EventFactory(city=city, starts_at=timezone.now() + timedelta(days=30))
        f.EventFactory(city=city, starts_at=timezone.now() - timedelta(days=30))


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(client):
    grow(2)
    page = queries(client, "/help/", zip="77036")
    api = queries(client, "/api/v1/help/", zip="77036")
    grow(20)
    assert queries(client, "/help/", zip="77036") == page
    assert queries(client, "/api/v1/help/", zip="77036") == api
    answer = client.get("/help/", {"zip": "77036"}).context["help"]
    assert answer.consulates and answer.consulates[0].contacts
    assert answer.local_agreements and answer.national_agreements
    assert answer.upcoming_events and answer.recent_events
    assert (page, api) == (PAGE_QUERIES, API_QUERIES)


# The data revision (counts are kept per revision), the form's states (the
# page only), then the state, the offices serving by
# jurisdiction, the nearest offices, their contacts, the national lines, local
# and national agreements (each with its parties and its count), upcoming
# and recent events, and programmes.
PAGE_QUERIES = 16
API_QUERIES = 15
