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

from public.views.common import GROUP_ROWS, SECTION_ROWS, map_view
from registry.models import City
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
        f.PartyFactory(agreement=agreement, office=world.consulate, side="foreign")
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
        event.offices.add(office, world.consulate)
        event.topics.add(f.TopicFactory())
        world.event.offices.add(office)
        world.event.sources.add(f.SourceFactory())
        f.OutcomeFactory(edition=world.edition)
        f.ProgrammeFactory(city=world.city)
        f.OrganizationFactory(city=world.city, name="Letter carriers")
        f.CityFactory(state=world.texas)
        f.AgencyFactory(parent=world.dol)


# A page that counts reads the data revision first: its counts are kept per
# revision (collection.counting); with the page cache on, that read is shared.
# A list reads its page's keys, then their rows (collection.counting).
PAGES = {
    "home": ("/", 10),
    "agreement list": ("/agreements/", 8),
    "agreement list, filtered": ("/agreements/?agency=dol&country=mx&state=tx&year_from=2010&ordering=title_en", 12),
    # The agreement and its parties, citations, documents, laws, topics, the
    # figures of its reports, the instruments resting on it.
    "agreement": ("/agreements/houston-letter/", 8),
    "city list": ("/cities/", 1),
    "city": ("/cities/houston-tx/", 19),  # whom to call: 4
    "agency list": ("/agencies/", 1),
    "agency": ("/agencies/dol/", 16),
    "office": ("/offices/mx-consulate-houston/", 13),
    "find help": ("/help/", 1),
    "find help, answered": ("/help/?zip=77036", 15),
    "country": ("/countries/mx/", 8),
    "search": ("/search/?q=letter", 5),
    "labor rights week": ("/labor-rights-week/", 1),
    # The edition, its sources and figures, how many cities, a page of them
    # with their counts, their first events.
    "edition": ("/labor-rights-week/2017/", 6),
    "event": ("/events/2017-houston/", 6),
    "calendar": ("/events.ics?city=houston-tx", 3),  # the city, upcoming, past
    "feed": ("/feeds/agreements/?agency=dol", 3),
    # The index: how many of each kind of record, and when each last changed;
    # sitemaps count their records once per data revision (counted()), so the
    # revision is read too.
    "sitemap": ("/sitemap.xml", 15),
    "sitemap of agreements": ("/sitemap-agreements.xml", 3),
    "sitemap of events": ("/sitemap-events.xml?p=1", 3),
    "open data": ("/data/", 0),
    # Each with the six reads of how complete the record is (registry.coverage)
    # and the data revision, under which its tables are kept (kept()).
    "numbers": ("/numbers/", 15),
    "numbers, filtered": ("/numbers/?agency=dol&country=mx&year_from=2010", 18),
    "numbers table": ("/numbers/signed-per-year.csv?country=mx", 3),
}  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_in_english_and_spanish(client, world, name):
    path, _count = PAGES[name]
    assert client.get(path).status_code == 200
    if not path.startswith(("/sitemap", "/feeds")):
        response = client.get(f"/es{path}")
        assert response.status_code == 200
        if response["Content-Type"].startswith("text/html"):
            assert b'<html lang="es">' in response.content


@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_pinned_and_the_same_with_ten_times_the_data(
    client, world, name
):
    """Ten times the data takes every bounded section of the city, country,
    agency and office pages past its bound: the work stays the same."""
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


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ("0 agreements", "No agreement matches these filters.",
              "Filters in force:", "Status today: Expiring within 90 days", "Country: Mexico",
              "show every agreement")),
        ("/es", ("0 acuerdos", "Ningún acuerdo coincide con estos filtros.",
                 "Filtros aplicados:", "Situación actual: Vence en menos de 90 días", "País: México",
                 "mostrar todos los acuerdos")),
    ],
)  # fmt: skip
def test_a_list_with_no_match_says_so_and_how_to_widen_it(client, world, prefix, words):
    response = client.get(
        f"{prefix}/agreements/", {"status": "expiring", "country": "mx"}
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for text in words:
        assert text in page, text
    # Each filter in force can be removed on its own.
    assert 'href="?country=mx">' in page and 'href="?status=expiring">' in page


@pytest.mark.parametrize(
    ("prefix", "no_term", "no_start", "invite"),
    [
        ("", "The sources do not state a term or an expiry.",
         "The sources state its term (24 months) but not when it was signed",
         "Do you know more? Send a correction."),
        ("/es", "Las fuentes no indican un plazo ni un vencimiento.",
         "Las fuentes indican su plazo (24 meses), pero no cuándo se firmó",
         "¿Sabe más? Envíe una corrección."),
    ],
)  # fmt: skip
def test_an_unknown_status_says_why_and_invites_a_correction(
    client, prefix, no_term, no_start, invite
):
    f.AgreementFactory(slug="silent", title_en="Silent letter")
    f.AgreementFactory(
        slug="undated",
        title_en="Undated letter",
        signed_on=None,
        signed_on_precision="unknown",
        term_months=24,
    )
    f.AgreementFactory(slug="open", title_en="Open letter", is_open_ended=True)
    page = html.unescape(client.get(f"{prefix}/agreements/silent/").content.decode())
    assert no_term in page and invite in page
    assert f'href="{prefix}/agreements/silent/#correction"' in page
    listed = html.unescape(client.get(f"{prefix}/agreements/").content.decode())
    assert no_term in listed and no_start in listed
    assert listed.count(invite) == 2  # not for the open-ended one, which is in force


@pytest.mark.parametrize(
    ("prefix", "label", "year"),
    [("", "Within 90 days", "Within a year"), ("/es", "En 90 días", "En un año")],
)
def test_expiring_looks_90_days_ahead_and_can_look_a_year_ahead(
    client, prefix, label, year
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    f.AgreementFactory(title_en="Ends next month", expires_on=today + timedelta(30))
    f.AgreementFactory(title_en="Ends in the autumn", expires_on=today + timedelta(200))
    f.AgreementFactory(title_en="Ends in two years", expires_on=today + timedelta(700))
    f.AgreementFactory(title_en="Ended", expires_on=today - timedelta(10))

    def titles(**query):
        page = client.get(f"{prefix}/agreements/", query).content.decode()
        return {t for t in ("next month", "autumn", "two years", "Ended") if t in page}

    assert titles(status="expiring") == {"next month"}
    assert titles(expires_within="90") == {"next month"}
    assert titles(expires_within="365") == {"next month", "autumn"}
    page = client.get(f"{prefix}/agreements/").content.decode()
    assert f">{label}</option>" in page and f">{year}</option>" in page
    assert client.get("/agreements/", {"expires_within": "30"}).status_code == 400


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ("0 results for “zzyzx”.", "every agreement", "find help from a ZIP code")),
        ("/es", ("0 resultados para «zzyzx».", "todos los acuerdos",
                 "buscar ayuda con un código postal")),
    ],
)  # fmt: skip
def test_a_search_with_no_match_says_so_and_how_to_widen_it(client, prefix, words):
    f.AgreementFactory(title_en="Letter of arrangement")
    page = html.unescape(
        client.get(f"{prefix}/search/", {"q": "zzyzx"}).content.decode()
    )
    for text in words:
        assert text in page, text


def test_the_list_sorts_by_expiry_soonest_first_unknown_last(client):
    from datetime import date

    f.AgreementFactory(title_en="Never stated")
    f.AgreementFactory(title_en="Ends later", expires_on=date(2031, 1, 1))
    f.AgreementFactory(title_en="Ends sooner", expires_on=date(2030, 1, 1))
    page = client.get("/agreements/", {"ordering": "expires"}).content.decode()
    assert (
        page.index("Ends sooner")
        < page.index("Ends later")
        < page.index("Never stated")
    )
    assert '<option value="expires" selected>Expiring soonest</option>' in page


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


def section(page, title_id):
    """The HTML of the page's <section> headed by the element `title_id`."""
    return page.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize(
    "path, filters",
    [
        ("/countries/mx/", "country=mx"),
        ("/agencies/dol/", "agency=dol"),
        ("/cities/houston-tx/", "city=houston-tx"),
        ("/offices/mx-consulate-houston/", "office=mx-consulate-houston"),
    ],
)
def test_record_pages_show_the_most_recent_agreements_and_link_to_all(
    client, world, path, filters
):
    grow(world, 10)
    agreements = section(client.get(path).content.decode(), "agreements-title")
    shown = re.findall(r'<a href="/agreements/([\w-]+)/">', agreements)
    listed = client.get(f"/agreements/?{filters}")
    total = listed.context["page_obj"].paginator.count
    assert len(shown) == SECTION_ROWS < total
    newest = [a.slug for a in listed.context["page_obj"].object_list[:SECTION_ROWS]]
    assert shown == newest
    assert f'<a href="/agreements/?{filters}">See all {total} agreements</a>' in (
        agreements
    )
    # Spanish too.
    spanish = section(client.get(f"/es{path}").content.decode(), "agreements-title")
    assert f"Ver los {total} acuerdos" in spanish


def test_a_short_section_has_no_see_all_link(client, world):
    page = client.get("/countries/mx/").content.decode()
    assert "See all" not in page
    assert 'href="/agreements/?country=mx">Filter these agreements' in page


def test_events_offices_and_partners_of_a_city_are_bounded(client, world):
    grow(world, 10)
    page = client.get("/cities/houston-tx/").content.decode()
    events = section(page, "events-title")
    assert events.count('<li class="card">') == 2 * SECTION_ROWS - 9  # 10 + 1 past
    assert 'href="/labor-rights-week/">See all 12 events</a>' in events
    offices = section(page, "offices-title")
    assert offices.count('<li class="card">') == SECTION_ROWS
    assert "Showing 10 of 24." in offices
    assert "covers=houston-tx" in offices  # the download lists them all
    partners = section(page, "partners-title")
    assert partners.count("<li>") == SECTION_ROWS
    assert "Showing 10 of 11." in partners


def test_a_countrys_offices_are_grouped_by_state_and_each_group_bounded(client, world):
    grow(world, 10)
    offices = section(client.get("/countries/mx/").content.decode(), "offices-title")
    assert '<h3 class="group-title">Texas</h3>' in offices
    assert len(re.findall(r'href="/offices/[\w-]+/"', offices)) == GROUP_ROWS
    assert "and 2 more offices here" in offices
    assert "12 offices, by state." in offices
    assert "/api/v1/offices/?country=mx" in offices


def test_an_agency_counts_its_agreements_with_each_country(client, world):
    grow(world, 10)
    agreements = section(
        client.get("/agencies/dol/").content.decode(), "agreements-title"
    )
    assert (
        'href="/agreements/?agency=dol&amp;country=mx">Mexico</a> <span class="meta">(12)</span>'
        in agreements
    )
    assert "?agency=dol&amp;country=us" not in agreements  # its own country


def test_an_agencys_events_are_bounded(client, world):
    grow(world, 10)
    events = section(client.get("/agencies/dol/").content.decode(), "events-title")
    assert events.count('<li class="card">') == SECTION_ROWS
    assert 'href="/labor-rights-week/">See all 12 events</a>' in events


def test_city_page_puts_what_covers_the_city_first_and_notes_last(client, world):
    world.city.gateway_type = "post_ww2"
    world.city.note = "Gateway type as the research article groups the city."
    world.city.save()
    page = client.get("/cities/houston-tx/").content.decode()
    order = ["agreements-title", "events-title", "programmes-title", "offices-title",
             "partners-title", "gateway-title", "notes-title"]  # fmt: skip
    assert [page.index(f'id="{name}"') for name in order] == sorted(
        page.index(f'id="{name}"') for name in order
    )
    gateway = section(page, "gateway-title")
    assert "Post-World War II gateway" in gateway
    assert "Few immigrants settled here before the Second World War" in gateway
    notes = section(page, "notes-title")
    assert "Notes from the registry" in page and "research article" in notes
    spanish = client.get("/es/cities/houston-tx/").content.decode()
    assert "Pocos inmigrantes se asentaron aquí" in spanish
    assert "Notas del registro" in spanish


def test_office_page_puts_agreements_and_events_first_and_notes_last(client, world):
    world.consulate.kind_note = "Sources disagree on its rank."
    world.consulate.note = "State inferred from city name."
    world.consulate.save()
    page = client.get("/offices/mx-consulate-houston/").content.decode()
    order = ["agreements-title", "events-title", "facts-title", "notes-title"]
    positions = [page.index(f'id="{name}"') for name in order]
    assert positions == sorted(positions)
    notes = section(page, "notes-title")
    assert "Sources disagree on its rank." in notes
    assert "State inferred from city name." in notes
    assert "Sources disagree" not in page.split('id="notes-title"')[0]


def test_maps_show_the_region_of_their_dots_or_nothing_for_one_dot(client, world):
    dallas = f.CityFactory(state=world.texas, latitude=32.78, longitude=-96.80)
    f.ConsulateFactory(agency=world.sre, city=dallas)
    country = client.get("/countries/mx/").content.decode()
    viewbox = re.search(r'<svg viewBox="([\d. ]+)"', country).group(1)
    x, y, width, height = map(float, viewbox.split())
    assert width < 400 and abs(width / height - 960 / 600) < 0.01
    for dot in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', country):
        assert x < float(dot[0]) < x + width and y < float(dot[1]) < y + height
    # Spanish writes no decimal comma into the SVG.
    assert viewbox in client.get("/es/countries/mx/").content.decode()
    # One office, one city: no map.
    assert "<svg" not in client.get("/offices/mx-consulate-houston/").content.decode()


def test_the_whole_map_is_shown_when_the_dots_span_the_country():
    points = [{"x": 40.0, "y": 100.0}, {"x": 930.0, "y": 500.0}]
    assert map_view(points)["viewbox"] == "0.0 0.0 960.0 600.0"
    points = [{"x": 100.0, "y": 100.0}, {"x": 900.0, "y": 500.0}]
    assert map_view(points)["viewbox"] == "60.0 25.0 880.0 550.0"
    assert map_view([])["viewbox"] == "0.0 0.0 960.0 600.0"


def test_agreement_filters_fold_behind_one_control_open_when_a_filter_is_set(
    client, world
):
    closed = client.get("/agreements/").content.decode()
    assert '<details class="filters">' in closed
    assert "<summary>Filter</summary>" in closed
    opened = client.get("/agreements/?kind=alliance&city=houston-tx").content.decode()
    assert '<details class="filters" open>' in opened
    assert "(2 active)" in opened
    # A filter the form does not show (from a "See all" link) is kept and named.
    assert '<input type="hidden" name="city" value="houston-tx">' in opened
    assert "Also filtered by: City: Houston" in opened
    assert 'href="?kind=alliance">remove</a>' in opened
    spanish = client.get("/es/agreements/?city=houston-tx").content.decode()
    assert "<summary>Filtros" in spanish and "(1 activo)" in spanish


#: Which column of a collection's CSV names the row, and where its page is.
CSV_KEYS = {
    "agreements": ("slug", "/agreements/"),
    "offices": ("slug", "/offices/"),
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


def test_an_editions_events_are_bounded_by_city_and_paged(client, monkeypatch):
    """However many events an edition has, a page of it shows a page of its
    cities, each with its first events and how many more it has."""
    from public.views import events as views

    monkeypatch.setattr(views, "EDITION_CITIES", 2)
    monkeypatch.setattr(views, "EDITION_CITY_EVENTS", 2)
    edition = f.EditionFactory(year=2019)
    start = timezone.now() - timedelta(days=400)
    for name in ("Austin", "Boston", "Chicago"):
        city = f.CityFactory(name=name, slug=name.lower())
        for day in range(3):
            f.EventFactory(
                edition=edition,
                city=city,
                title_en=f"{name} clinic {day}",
                starts_at=start + timedelta(days=day),
            )
    f.EventFactory(edition=edition, city=None, title_en="National webinar")
    first = client.get("/labor-rights-week/2019/").content.decode()
    assert "Austin clinic 0" in first and "Austin clinic 1" in first
    assert "Austin clinic 2" not in first
    assert "And 1 more event in Austin" in first
    assert "Boston clinic 1" in first and "Chicago clinic" not in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get("/labor-rights-week/2019/", {"page": 2}).content.decode()
    assert "Chicago clinic 0" in second and "Austin" not in second
    assert "National webinar" in second  # events without a city come last


def test_the_home_page_and_every_city_page_lead_to_find_help(client, world):
    """A worker starts from where they live: the home page asks for a ZIP code
    and a city's page links to the answer for its state and county."""
    home = client.get("/").content.decode()
    assert 'action="/help/"' in home and 'name="zip"' in home
    for city in City.objects.all():
        page = client.get(city.get_absolute_url()).content.decode()
        assert 'href="/help/' in page, city.slug


def test_the_home_map_is_in_each_language_and_shows_a_change_at_once(client, world):
    """The home page's map of consulates is rendered once per data revision
    and language (it names every consular office): each language has its
    own, and a renamed office is on the next page, not the next revision's."""
    english = client.get("/").content.decode()
    spanish = client.get("/es/").content.decode()
    assert "Consulates and embassies on a map of the United States" in english
    assert "Consulados y embajadas en un mapa de Estados Unidos" in spanish
    assert 'href="/cities/houston-tx/"' in english
    assert 'href="/es/cities/houston-tx/"' in spanish
    assert "Consulate General of Mexico in Houston" in english
    world.consulate.name = "Consulado General de México en Houston"
    world.consulate.save()
    renamed = client.get("/").content.decode()
    assert "Consulate General of Mexico in Houston" not in renamed
    assert "Consulado General de México en Houston" in renamed


def test_the_home_page_lists_what_expires_soonest_and_follows_the_day(
    client, world, monkeypatch
):
    today = timezone.localdate()
    signed = today - timedelta(days=700)
    f.AgreementFactory(slug="soon", signed_on=signed, expires_on=today + timedelta(5))
    f.AgreementFactory(slug="later", signed_on=signed, expires_on=today + timedelta(60))

    def expiring():
        page = client.get("/").content.decode()
        section = page.split('id="expiring-title"')[1].split("</section>")[0]
        return re.findall(r'href="/agreements/([^/"]+)/"', section)

    assert expiring() == ["soon", "later"]
    # Kept per day: ten days on, the first one has expired.
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + timedelta(10))
    assert expiring() == ["later"]
