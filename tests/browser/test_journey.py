"""A visitor's journey through the real site, on a desktop and on a phone:
home → a city → an agreement → Spanish → the Labor Rights Week edition → the
edition's calendar file."""

import re
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from outreach.models import Event
from tests.browser.conftest import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_city_agreement_spanish_edition_calendar(browser, site, device):
    context, page = open_page(browser, **device)
    page.goto(site + "/")
    expect(page.locator("h1")).to_have_text("Binational labour agreements")

    page.get_by_role("link", name="Cities", exact=True).first.click()
    page.get_by_role("link", name="Houston", exact=True).click()
    expect(page.locator("h1")).to_have_text("Houston, TX")
    expect(
        page.get_by_role("heading", name="Agreements covering the city")
    ).to_be_visible()

    agreements = page.locator("section[aria-labelledby=agreements-title] .card-title a")
    title = agreements.first.inner_text()
    agreements.first.click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_role("heading", name="Parties")).to_be_visible()
    assert page.locator(".status").first.inner_text().strip()  # status in words

    page.get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(r"/es/agreements/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Partes")).to_be_visible()

    page.get_by_role("link", name="Semana de Derechos Laborales").first.click()
    page.wait_for_url(re.compile(r"/es/labor-rights-week/$"))
    page.get_by_role("link", name="2016", exact=True).click()
    expect(page.locator("h1")).to_contain_text("2016")
    expect(page.get_by_text("Houston, TX").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name="Los eventos de esta edición en su calendario (iCal)"
        ).click()
    download = download_info.value
    assert download.suggested_filename == "events.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    uids = {str(event["uid"]) for event in calendar.walk("VEVENT")}
    # The edition's dated events, and nothing from other years.
    dated = Event.objects.published().dated().filter(edition__year=2016)
    assert uids == {
        f"event-{slug}@labour-agreements-registry"
        for slug in dated.values_list("slug", flat=True)
    }
    assert "event-2016-houston-kick-off@labour-agreements-registry" in uids
    context.close()
