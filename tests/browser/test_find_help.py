"""A worker on a 360 px phone, in English and in Spanish, starts from the home
page with a ZIP code and finds, in at most three actions, a number to call,
the agreements covering the place and the events near it."""

import re

import pytest
from playwright.sync_api import expect

from registry.models import PHONE_KINDS, Contact
from tests.browser.conftest import PHONE, open_page
from tests.browser.test_accessibility import OVERFLOW

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "prefix": "",
        "zip": "Find help near you: your ZIP code",
        "button": "Find help",
        "call": "Whom to call first",
        "agreements": "Agreements covering your area",
        "events": "Events near you",
        "as_of": "as of",
    },
    "es": {
        "prefix": "/es",
        "zip": "Encuentre ayuda cerca de usted: su código postal",
        "button": "Buscar ayuda",
        "call": "A quién llamar primero",
        "agreements": "Acuerdos que cubren su zona",
        "events": "Eventos cerca de usted",
        "as_of": "dato de",
    },
}


def tel_links(page):
    return page.locator("section[aria-labelledby=call-title] a[href^='tel:']")


@pytest.mark.parametrize("language", ["en", "es"])
def test_from_the_home_page_to_a_number_for_77036(browser, site, language):
    words = WORDS[language]
    context, page = open_page(browser, **PHONE)
    page.goto(site + words["prefix"] + "/")

    # Action 1: type the ZIP code; action 2: press the button.
    page.get_by_label(words["zip"]).fill("77036")
    page.get_by_role("button", name=words["button"], exact=True).first.click()
    page.wait_for_url(re.compile(r"/help/\?zip=77036$"))

    expect(page.get_by_role("heading", name=words["call"])).to_be_visible()
    links = tel_links(page)
    numbers = {links.nth(i).get_attribute("href") for i in range(links.count())}
    # The agencies' national lines and Mexico's CIAM, each a tap away.
    assert {
        "tel:+1-866-487-9243",
        "tel:+1-800-321-6742",
        "tel:+1-520-623-7874",
    } <= numbers
    wage_line = page.locator("a[href='tel:+1-866-487-9243']").first
    expect(wage_line).to_be_visible()
    assert wage_line.inner_text() == "(866) 487-9243"
    assert words["as_of"] in wage_line.locator("xpath=..").inner_text()
    # The consulate's own line, where a public number is on record.
    own = Contact.objects.published().filter(
        office__slug="mx-consulate-houston", kind__in=PHONE_KINDS
    )
    for contact in own:
        expect(page.locator(f"a[href='{contact.href}']").first).to_be_visible()

    # The agreements covering the ZIP code, each with its status.
    expect(page.get_by_role("heading", name=words["agreements"])).to_be_visible()
    agreements = page.locator("section[aria-labelledby=agreements-title] .card")
    assert agreements.count() >= 1
    assert agreements.first.locator(".status").inner_text().strip()

    # The events near it.
    expect(page.get_by_role("heading", name=words["events"])).to_be_visible()
    events = page.locator("section[aria-labelledby=events-title] .card-title a")
    assert events.count() >= 1

    # Nothing scrolls sideways on the phone.
    assert page.evaluate(OVERFLOW) <= 0
    context.close()


def test_without_a_zip_code_a_state_and_county_lead_there_too(browser, site):
    context, page = open_page(browser, **PHONE)
    page.goto(site + "/help/")
    page.get_by_text("No ZIP code? Choose your state and county").click()
    page.get_by_label("State").select_option("tx")
    page.get_by_label("County").fill("Lubbock")
    page.locator("details button[type=submit]").click()
    page.wait_for_url(re.compile(r"/help/\?.*state=tx.*county=Lubbock"))
    expect(page.get_by_role("heading", name="Whom to call first")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Albuquerque")).first
    ).to_be_visible()
    context.close()
