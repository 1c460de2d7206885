"""Features of the public pages: corrections, feeds, calendar, search, structured
data, citations and language alternates."""

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from public.views import events as events_views
from registry.models import CorrectionReport
from tests import factories as f
from tests.helpers import sitemap_locations

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def agreement():
    agreement = f.AgreementFactory(
        slug="phoenix-alliance",
        title_en="OSHA Phoenix alliance",
        kind="alliance",
        signed_on=date(2012, 4, 27),
        summary_en="Heat stress and falls",
    )
    f.PartyFactory(
        agreement=agreement, signer_name="Zachary Barnett", signer_title="Director"
    )
    f.AgreementSourceFactory(
        agreement=agreement, source__url="https://www.dol.gov/release"
    )
    return agreement


def correction(client, agreement, **data):
    return client.post(
        f"/agreements/{agreement.slug}/correction/",
        {
            "message": "The date is 27 April 2012.",
            "source_url": "",
            "contact": "",
            **data,
        },
    )


def test_a_correction_lands_in_the_curators_queue(client, agreement):
    response = correction(client, agreement, source_url="https://www.dol.gov/x")
    assert response.status_code == 302 and response["Location"].endswith("#correction")
    report = CorrectionReport.objects.get()
    assert (
        report.agreement == agreement and report.status == CorrectionReport.Status.NEW
    )
    assert report.source_url == "https://www.dol.gov/x"
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_the_form_needs_no_cookie_so_the_page_is_the_same_for_everyone(agreement):
    """No CSRF token, no session: the agreement page gives no visitor a cookie
    or a copy of their own (shared caches keep it), and a report needs none."""
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(f"/agreements/{agreement.slug}/")
    assert not page.cookies and "Cookie" not in page.get("Vary", "")
    assert "csrfmiddlewaretoken" not in page.content.decode()
    response = correction(visitor, agreement)
    assert response.status_code == 302
    assert CorrectionReport.objects.count() == 1
    thanks = visitor.get(response["Location"])
    assert not thanks.cookies
    assert "Thank you: the curators will check your report." in thanks.content.decode()
    assert "Thank you" not in page.content.decode()


def test_the_honeypot_keeps_bots_out_without_telling_them(client, agreement):
    response = correction(client, agreement, website="http://spam.example")
    assert response.status_code == 302
    assert not CorrectionReport.objects.exists()


def test_corrections_are_rate_limited_per_client(client, agreement):
    for _ in range(5):
        assert correction(client, agreement).status_code == 302
    assert correction(client, agreement).status_code == 429
    assert CorrectionReport.objects.count() == 5
    other = client.post(
        f"/agreements/{agreement.slug}/correction/",
        {"message": "Another person", "source_url": "", "contact": ""},
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 302


def test_an_empty_or_bad_correction_is_a_form_error_not_a_loss(client, agreement):
    response = correction(client, agreement, message="", contact="not-an-email")
    assert response.status_code == 400
    assert "Please check the form" in response.content.decode()
    assert not CorrectionReport.objects.exists()
    assert client.get(f"/agreements/{agreement.slug}/correction/").status_code == 405


def test_the_atom_feed_parses_and_follows_the_filters(client, agreement):
    f.AgreementFactory(title_en="EEOC memorandum", kind="mou")
    feed = feedparser.parse(client.get("/feeds/agreements/").content)
    assert not feed.bozo and feed.version == "atom10"
    assert {entry.title for entry in feed.entries} == {
        "OSHA Phoenix alliance",
        "EEOC memorandum",
    }
    only = feedparser.parse(
        client.get("/feeds/agreements/", {"kind": "alliance"}).content
    )
    assert [entry.title for entry in only.entries] == ["OSHA Phoenix alliance"]
    assert only.entries[0].link.endswith("/agreements/phoenix-alliance/")


#: Both events below are years ago: a date filter takes the calendar back to them.
SINCE_2016 = {"starts_after": "2016-01-01"}


def test_the_calendar_parses_with_stable_uids_time_zones_and_filters(client):
    chicago = f.CityFactory(
        slug="chicago-il", name="Chicago", time_zone="America/Chicago"
    )
    workshop = f.EventFactory(
        slug="workshop",
        city=chicago,
        edition=f.EditionFactory(year=2017),
        starts_at=datetime(2017, 8, 28, 10, tzinfo=CHICAGO),
        ends_at=datetime(2017, 8, 28, 12, tzinfo=CHICAGO),
        time_zone="America/Chicago",
    )
    f.EventFactory(
        slug="week",
        is_all_day=True,
        status="cancelled",
        starts_at=datetime(2016, 8, 29, tzinfo=CHICAGO),
        ends_at=datetime(2016, 9, 4, 23, 59, tzinfo=CHICAGO),
        time_zone="America/Chicago",
    )
    f.EventFactory(slug="undated", starts_at=None)
    f.EventFactory(slug="draft", is_published=False)
    response = client.get("/events.ics", SINCE_2016)
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "event-workshop@labour-agreements-registry",
        "event-week@labour-agreements-registry",
    }
    timed = events["event-workshop@labour-agreements-registry"]
    assert timed["dtstart"].params["TZID"] == "America/Chicago"
    assert timed.decoded("dtstart") == datetime(2017, 8, 28, 10, tzinfo=CHICAGO)
    assert "America/Chicago" in {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
    week = events["event-week@labour-agreements-registry"]
    assert (week.decoded("dtstart"), week.decoded("dtend")) == (
        date(2016, 8, 29),
        date(2016, 9, 5),
    )
    assert str(week["status"]) == "CANCELLED"
    by_city = icalendar.Calendar.from_ical(
        client.get("/events.ics", {"city": "chicago-il", **SINCE_2016}).content
    )
    assert [str(e["uid"]) for e in by_city.walk("VEVENT")] == [
        "event-workshop@labour-agreements-registry"
    ]
    by_edition = icalendar.Calendar.from_ical(
        client.get("/events.ics", {"edition": 2017}).content
    )
    assert len(by_edition.walk("VEVENT")) == 1
    by_agency = client.get(
        "/events.ics", {"agency": workshop.host_office.agency.slug, **SINCE_2016}
    )
    assert len(icalendar.Calendar.from_ical(by_agency.content).walk("VEVENT")) == 1
    spanish = icalendar.Calendar.from_ical(
        client.get("/es/events.ics", SINCE_2016).content
    )
    assert {str(e["uid"]) for e in spanish.walk("VEVENT")} == set(events)  # same UIDs


def calendar_uids(client, **params):
    calendar = icalendar.Calendar.from_ical(client.get("/events.ics", params).content)
    return [str(e["uid"]).split("@")[0] for e in calendar.walk("VEVENT")]


def test_the_calendar_holds_upcoming_events_and_the_past_year_at_most(
    client, monkeypatch
):
    now = timezone.now()
    for slug, days in [("next-week", 7), ("next-month", 30), ("last-month", -30)]:
        f.EventFactory(slug=slug, starts_at=now + timedelta(days=days), ends_at=None)
    f.EventFactory(slug="two-years-ago", starts_at=now - timedelta(days=730))
    # Upcoming ones and the past year's, in order of their start.
    assert calendar_uids(client) == [
        "event-last-month",
        "event-next-week",
        "event-next-month",
    ]
    # A date filter sets the dates; the bound still holds.
    since = (now - timedelta(days=800)).date().isoformat()
    assert calendar_uids(client, starts_after=since)[0] == "event-two-years-ago"
    # Over the bound: upcoming events first, then the most recent past ones.
    monkeypatch.setattr(events_views, "CALENDAR_LIMIT", 3)
    assert calendar_uids(client, starts_after=since) == [
        "event-last-month",
        "event-next-week",
        "event-next-month",
    ]
    monkeypatch.setattr(events_views, "CALENDAR_LIMIT", 2)
    assert calendar_uids(client) == ["event-next-week", "event-next-month"]


def test_search_covers_every_kind_and_ignores_accents_and_case(client, agreement):
    f.AgreementFactory(title_en="Memorando sobre migración laboral")
    f.OfficeFactory(name="OSHA Phoenix Area Office")
    f.CityFactory(name="Phoenix", slug="phoenix-az")
    f.EventFactory(title_en="Phoenix workshop")
    f.OrganizationFactory(name="Phoenix Workers Center")
    page = client.get("/search/", {"q": "phoenix"}).content.decode()
    for text in ("OSHA Phoenix alliance", "OSHA Phoenix Area Office", "Phoenix workshop",
                 "Phoenix Workers Center"):  # fmt: skip
        assert text in page
    # On SQLite (the quick start) as on PostgreSQL, in both languages.
    for path in ("/search/", "/es/search/"):
        for typed in ("migracion", "MIGRACIÓN", "Migración"):
            found = client.get(path, {"q": typed}).content.decode()
            assert "Memorando sobre migración laboral" in found, (path, typed)
    assert (
        "Type at least two letters"
        in client.get("/search/", {"q": "x"}).content.decode()
    )


def test_search_ranks_title_matches_first_on_postgresql(agreement):
    from registry.models import Agreement

    in_summary = f.AgreementFactory(
        title_en="Letter", summary_en="Covers Phoenix and Tucson"
    )
    ranked = list(Agreement.objects.search("phoenix").order_by("-rank", "pk"))
    assert set(ranked) == {agreement, in_summary}
    if connection.vendor == "postgresql":
        assert ranked[0] == agreement


def json_ld(response):
    match = re.search(
        rb'<script type="application/ld\+json">(.*?)</script>', response.content, re.S
    )
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_structured_data_on_agreement_event_and_office_pages(client, agreement):
    data = json_ld(client.get(agreement.get_absolute_url()))
    assert data["@type"] == "Legislation" and data["name"] == "OSHA Phoenix alliance"
    assert data["legislationDate"] == "2012-04-27"
    assert data["isBasedOn"] == ["https://www.dol.gov/release"]
    event = f.EventFactory(
        status="cancelled", mode="virtual", title_en="Webinar </script>"
    )
    event_data = json_ld(client.get(event.get_absolute_url()))
    assert event_data["@type"] == "Event" and event_data["name"] == "Webinar </script>"
    assert event_data["eventStatus"] == "https://schema.org/EventCancelled"
    assert (
        event_data["eventAttendanceMode"]
        == "https://schema.org/OnlineEventAttendanceMode"
    )
    office = f.ConsulateFactory(city=f.CityFactory())
    f.ContactFactory(office=office, value="+17132716800")
    f.ContactFactory(office=office, kind="address", value="3200 Rogerdale Rd.")
    f.ContactFactory(
        office=office,
        kind="main_phone",
        value="+13127382383",
        standing="lead",
        is_published=False,
    )
    office_data = json_ld(client.get(office.get_absolute_url()))
    assert (
        office_data["@type"] == "GovernmentOffice"
        and office_data["telephone"] == "+17132716800"
        and office_data["address"]["streetAddress"] == "3200 Rogerdale Rd."
    )


def test_month_precision_dates_are_not_shown_as_days(client):
    agreement = f.AgreementFactory(
        signed_on=date(2011, 11, 1), signed_on_precision="month"
    )
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "November 2011" in page and "Nov. 1, 2011" not in page
    assert "legislationDate" not in json.dumps(
        json_ld(client.get(agreement.get_absolute_url()))
    )


def test_cite_this_gives_text_and_bibtex(client, agreement):
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "“OSHA Phoenix alliance”. Alliance, signed April 27, 2012." in page
    assert "@misc{phoenix-alliance," in page and "year = {2012}" in page


def test_every_page_links_its_other_language_and_declares_alternates(client, agreement):
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert (
        'hreflang="es" href="http://testserver/es/agreements/phoenix-alliance/"' in page
    )
    assert 'hreflang="x-default"' in page
    assert (
        '<a class="language" href="http://testserver/es/agreements/phoenix-alliance/" hreflang="es" lang="es">Español</a>'
        in page
    )
    spanish = client.get("/es/agreements/phoenix-alliance/").content.decode()
    assert 'lang="en">English</a>' in spanish


def test_content_falls_back_to_the_other_language(client):
    f.AgreementFactory(
        slug="english-only", title_en="Letter of arrangement", title_es=""
    )
    f.AgreementFactory(slug="both", title_en="Letter", title_es="Carta de arreglo")
    assert (
        "Letter of arrangement"
        in client.get("/es/agreements/english-only/").content.decode()
    )
    assert (
        "<h1>Carta de arreglo</h1>"
        in client.get("/es/agreements/both/").content.decode()
    )
    assert "<h1>Letter</h1>" in client.get("/agreements/both/").content.decode()


def test_sitemap_lists_pages_in_both_languages(client, agreement):
    locations = sitemap_locations(client)
    assert "http://testserver/agreements/phoenix-alliance/" in locations
    assert "http://testserver/es/agreements/phoenix-alliance/" in locations


def test_the_sitemap_is_an_index_of_bounded_sitemaps(client, monkeypatch):
    """Past a page's limit a sitemap goes on in pages the index lists; each
    lists its records in both languages, and none reads more than its page."""
    from public.sitemaps import SITEMAPS

    monkeypatch.setattr(SITEMAPS["agreements"], "limit", 4)
    slugs = [f"alliance-{n}" for n in range(5)]
    for slug in slugs:
        f.AgreementFactory(slug=slug)
    f.AgreementFactory(slug="draft", is_published=False)
    index = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in index
    pages = [
        "http://testserver/sitemap-agreements.xml",
        "http://testserver/sitemap-agreements.xml?p=2",
        "http://testserver/sitemap-agreements.xml?p=3",
    ]
    assert all(f"<loc>{page}</loc>" in index for page in pages)
    assert "sitemap-agreements.xml?p=4" not in index
    listed = []
    for page in pages:
        with CaptureQueriesContext(connection) as captured:
            xml = client.get(page).content.decode()
        assert len(captured) == 2  # how many, and the page's records
        listed.append(re.findall(r"<loc>http://testserver(.*?)</loc>", xml))
    assert listed == [
        ["/agreements/alliance-0/", "/es/agreements/alliance-0/"]
        + ["/agreements/alliance-1/", "/es/agreements/alliance-1/"],
        ["/agreements/alliance-2/", "/es/agreements/alliance-2/"]
        + ["/agreements/alliance-3/", "/es/agreements/alliance-3/"],
        ["/agreements/alliance-4/", "/es/agreements/alliance-4/"],
    ]
    assert client.get(pages[0] + "?p=9").status_code == 404


def test_list_pages_offer_downloads_with_the_current_filters(client, agreement):
    page = client.get("/agreements/", {"kind": "alliance", "page": 1}).content.decode()
    assert 'href="/api/v1/agreements/?kind=alliance&amp;format=csv"' in page
    assert 'href="/api/v1/agreements/?kind=alliance"' in page
    assert 'href="/feeds/agreements/?kind=alliance"' in page
