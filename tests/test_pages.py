"""Every page type of the public site: it answers in English and Spanish, hides
drafts, refuses what it cannot understand, and its query count is pinned and
the same with ten times more data."""

import csv
import html
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests import factories as f
from tests.helpers import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A small registry around one city, agency, consulate, edition and country."""
    mexico = f.CountryFactory(code="mx", name_en="Mexico", name_es="México")
    texas = f.StateFactory(code="TX", slug="tx", name="Texas")
    city = f.CityFactory(
        name="Houston", slug="houston-tx", state=texas, latitude=29.76, longitude=-95.37
    )
    dol = f.AgencyFactory(slug="dol", name="U.S. Department of Labor", acronym="DOL")
    whd = f.AgencyFactory(
        slug="dol-whd", name="Wage and Hour Division", acronym="WHD", parent=dol
    )
    sre = f.ForeignAgencyFactory(
        slug="mx-sre", name="Secretaría de Relaciones Exteriores", country=mexico
    )
    consulate = f.ConsulateFactory(
        slug="mx-consulate-houston",
        agency=sre,
        city=city,
        name="Consulate General of Mexico in Houston",
    )
    f.JurisdictionFactory(office=consulate, state=texas)
    national = f.AgreementFactory(slug="national", scope="national", kind="declaration")
    agreement = f.AgreementFactory(
        slug="houston-letter",
        title_en="WHD Houston letter",
        title_es="Carta de WHD Houston",
        framework=national,
        term_months=36,
    )
    f.PartyFactory(
        agreement=agreement,
        office=f.OfficeFactory(agency=whd, city=city),
        signer_name="A. Director",
    )
    f.PartyFactory(agreement=agreement, office=consulate, side="foreign")
    f.AgreementSourceFactory(agreement=agreement)
    edition = f.EditionFactory(year=2017, theme_en="Know your rights")
    event = f.EventFactory(
        slug="2017-houston", edition=edition, city=city, host_office=consulate
    )
    world = SimpleNamespace(**locals())
    grow(world, 1)
    return world


def grow(world, n):
    """Add `n` of everything each page lists."""
    soon = timezone.now() + timedelta(days=10)
    for _ in range(n):
        office = f.OfficeFactory(agency=world.whd, city=world.city)
        consulate = f.ConsulateFactory(agency=world.sre, city=world.city)
        agreement = f.AgreementFactory(
            renews=f.AgreementFactory(),
            framework=world.national,
            title_en="Letter of arrangement",
            term_months=24,
        )
        f.PartyFactory(agreement=agreement, office=office)
        f.PartyFactory(agreement=agreement, office=consulate, side="foreign")
        f.AgreementSourceFactory(agreement=agreement)
        f.PartyFactory(
            agreement=world.agreement, office=f.OfficeFactory(agency=world.whd)
        )
        f.AgreementSourceFactory(agreement=world.agreement)
        f.DocumentFactory(agreement=world.agreement)
        world.agreement.laws.add(f.LawFactory())
        world.agreement.topics.add(f.TopicFactory())
        event = f.EventFactory(
            edition=world.edition,
            city=world.city,
            host_office=consulate,
            starts_at=soon,
            title_en="Letter clinic",
        )
        event.offices.add(office)
        event.topics.add(f.TopicFactory())
        world.event.offices.add(office)
        world.event.sources.add(f.SourceFactory())
        f.OutcomeFactory(edition=world.edition)
        f.ProgrammeFactory(city=world.city)
        f.OrganizationFactory(city=world.city, name="Letter carriers")
        f.CityFactory(state=world.texas)
        f.AgencyFactory(parent=world.dol)


PAGES = {
    "home": ("/", 9),
    "agreement list": ("/agreements/", 6),
    "agreement list, filtered": ("/agreements/?agency=dol&country=mx&state=tx&year_from=2010&ordering=title_en", 10),
    "agreement": ("/agreements/houston-letter/", 7),
    "city list": ("/cities/", 1),
    "city": ("/cities/houston-tx/", 9),
    "agency list": ("/agencies/", 1),
    "agency": ("/agencies/dol/", 10),
    "office": ("/offices/mx-consulate-houston/", 7),
    "country": ("/countries/mx/", 5),
    "search": ("/search/?q=letter", 5),
    "labor rights week": ("/labor-rights-week/", 1),
    "edition": ("/labor-rights-week/2017/", 4),
    "event": ("/events/2017-houston/", 6),
    "calendar": ("/events.ics?city=houston-tx", 2),
    "feed": ("/feeds/agreements/?agency=dol", 3),
    "sitemap": ("/sitemap.xml", 7),
    "open data": ("/data/", 0),
}  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_in_english_and_spanish(client, world, name):
    path, _count = PAGES[name]
    assert client.get(path).status_code == 200
    if not path.startswith(("/sitemap", "/data", "/feeds")):
        response = client.get(f"/es{path}")
        assert response.status_code == 200
        if response["Content-Type"].startswith("text/html"):
            assert b'<html lang="es">' in response.content


@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_pinned_and_the_same_with_ten_times_the_data(
    client, world, name
):
    path, expected = PAGES[name]
    before = queries(client, path)
    grow(world, 10)
    assert (before, queries(client, path)) == (expected, expected)


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/no-such-agreement/", "/cities/nowhere-xx/", "/agencies/nobody/",
        "/offices/no-office/", "/countries/xx/", "/labor-rights-week/1999/",
        "/events/no-event/", "/es/agreements/no-such-agreement/",
    ],
)  # fmt: skip
def test_unknown_slugs_are_404(client, world, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path, status",
    [
        ("/agreements/?city=nowhere", 400), ("/agreements/?status=alive", 400),
        ("/agreements/?year_from=soon", 400), ("/agreements/?ordering=price", 400),
        ("/agreements/?page=9", 404), ("/agreements/?page=-1", 404),
        ("/agreements/?page=x", 404), ("/feeds/agreements/?kind=treaty", 400),
        ("/events.ics?edition=1850", 400), ("/events.ics?city=nowhere", 400),
    ],
)  # fmt: skip
def test_malformed_filters_and_pages_are_400_class(client, world, path, status):
    response = client.get(path)
    assert response.status_code == status


def test_the_filter_error_names_the_filter_on_the_page(client, world):
    response = client.get("/agreements/?city=nowhere")
    assert (
        b"city" in response.content
        and "Nothing is known by" in response.content.decode()
    )


def test_drafts_never_show_on_pages(client, world):
    draft = f.AgreementFactory(
        slug="draft", title_en="Unannounced draft", is_published=False
    )
    f.PartyFactory(agreement=draft, office=world.consulate, side="foreign")
    world.agreement.renews = draft
    world.agreement.save()
    for path in ["/", "/agreements/", "/cities/houston-tx/", "/offices/mx-consulate-houston/",
                 "/agreements/houston-letter/", "/search/?q=unannounced", "/countries/mx/",
                 "/feeds/agreements/"]:  # fmt: skip
        assert "Unannounced draft" not in client.get(path).content.decode(), path
    assert client.get("/agreements/draft/").status_code == 404


#: Which column of a collection's CSV names the row, and where its page is.
CSV_KEYS = {
    "agreements": ("slug", "/agreements/"),
    "events": ("slug", "/events/"),
    "cities": ("slug", "/cities/"),
    "agencies": ("slug", "/agencies/"),
    "editions": ("year", "/labor-rights-week/"),
}


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/?agency=dol-whd&ordering=title_en",
        "/cities/",
        "/cities/houston-tx/",
        "/agencies/",
        "/agencies/dol-whd/",
        "/offices/mx-consulate-houston/",
        "/countries/mx/",
        "/labor-rights-week/",
        "/labor-rights-week/2017/",
    ],
)
def test_every_list_downloads_as_csv_with_exactly_the_rows_shown(client, world, path):
    page = client.get(path).content.decode()
    links = re.findall(r'href="(/api/v1/(\w+)/\?[^"]*format=csv)"', page)
    assert links
    for link, collection in links:
        response = client.get(html.unescape(link))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        key, prefix = CSV_KEYS[collection]
        rows = csv.DictReader(io.StringIO(response.content.decode()))
        shown = set(re.findall(rf'href="{prefix}([\w-]+)/"', page))
        assert shown
        assert {row[key] for row in rows} == shown, (path, collection)
