"""Staff in the admin, in a real browser: an event editor adds their
consulate's Labor Rights Week event, which the public site and the calendar
then show; a curator's spreadsheet with one bad row is refused whole."""

import pytest
from playwright.sync_api import expect

from outreach.models import Edition, Event
from registry.models import Agreement, Office
from tests import factories as f
from tests.browser.conftest import DESKTOP, open_page

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, site, username):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")


def choose(page, field, text):
    """Pick `text` in one of the admin's autocomplete (select2) fields."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    dropdown = page.locator(".select2-container--open .select2-dropdown")
    dropdown.locator(".select2-search__field").fill(text)
    dropdown.locator(".select2-results__option", has_text=text).first.click()


def test_an_event_editor_adds_their_consulates_event(browser, site):
    consulate = Office.objects.get(slug="mx-consulate-houston")
    f.event_editor("houston-editor", consulate)
    Edition.objects.create(year=2027, number=19)  # a curator's work
    context, page = open_page(browser, **DESKTOP)
    log_in(page, site, "houston-editor")

    page.goto(f"{site}/admin/outreach/event/add/")
    page.fill("#id_title_en", "Labor Rights Week 2027 opening in Houston")
    page.fill("#id_title_es", "Inauguración de la Semana de Derechos Laborales 2027")
    page.fill("#id_slug", "2027-houston-opening")
    page.select_option("#id_kind", "press_event")
    choose(page, "edition", "2027")
    page.fill("#id_starts_at_0", "2027-08-30")
    page.fill("#id_starts_at_1", "10:00:00")
    page.select_option("#id_time_zone", "America/Chicago")
    choose(page, "city", "Houston")
    # Their only office is already chosen, and no other is offered.
    assert page.locator("#id_host_office option").all_inner_texts() == [str(consulate)]
    # (the admin's sticky save bar may cover the box: use the keyboard)
    page.focus("#id_is_published")
    page.keyboard.press("Space")
    assert page.is_checked("#id_is_published")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text(
        "was added successfully"
    )

    event = Event.objects.get(slug="2027-houston-opening")
    assert event.history.get().history_user.username == "houston-editor"
    page.goto(f"{site}/cities/houston-tx/")
    expect(
        page.get_by_role("link", name="Labor Rights Week 2027 opening in Houston")
    ).to_be_visible()
    page.goto(f"{site}/es/cities/houston-tx/")
    expect(
        page.get_by_text("Inauguración de la Semana de Derechos Laborales 2027")
    ).to_be_visible()
    calendar = page.request.get(f"{site}/events.ics?city=houston-tx").text()
    assert "UID:event-2027-houston-opening@labour-agreements-registry" in calendar
    context.close()


def test_an_event_editor_in_spanish_adds_an_event_with_only_a_spanish_title(
    browser, site
):
    """Consulate staff choose Spanish; a Spanish title is enough, the slug makes
    itself, the time zone is their office's city's, languages are boxes."""
    consulate = Office.objects.get(slug="mx-consulate-chicago")
    f.event_editor("chicago-editor", consulate)
    context, page = open_page(browser, **DESKTOP)
    log_in(page, site, "chicago-editor")
    page.select_option("#admin-language", "es")
    page.click(".language-choice button")
    expect(page.locator("#site-name")).to_contain_text("Registro")

    page.goto(f"{site}/admin/outreach/event/add/")
    expect(page.locator("h1")).to_contain_text("Añadir")
    # Their office is chosen, the time zone is its city's, the city too.
    assert page.locator("#id_host_office").input_value() == str(consulate.pk)
    # Named as Spanish sources write it.
    assert page.locator("#id_host_office option:checked").inner_text() == (
        "Consulado General de México en Chicago"
    )
    assert page.locator("#id_time_zone").input_value() == "America/Chicago"
    page.fill("#id_title_es", "Feria de derechos laborales en La Villita")
    page.select_option("#id_kind", "workshop")
    page.fill("#id_starts_at_0", "2027-09-01")
    page.fill("#id_starts_at_1", "17:00:00")
    page.get_by_role("checkbox", name="Español", exact=True).check()
    page.get_by_role("checkbox", name="Inglés", exact=True).check()
    page.focus("#id_is_published")
    page.keyboard.press("Space")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text(
        "fue agregado correctamente"
    )

    event = Event.objects.get(title_es="Feria de derechos laborales en La Villita")
    assert event.slug == "2027-feria-de-derechos-laborales-en-la-villita"
    assert event.title_en == ""
    assert event.time_zone == "America/Chicago"
    assert event.languages == "es,en"
    assert event.host_office == consulate
    for prefix in ("", "/es"):
        page.goto(f"{site}{prefix}/cities/chicago-il/")
        expect(
            page.get_by_role("link", name="Feria de derechos laborales en La Villita")
        ).to_be_visible()
        calendar = page.request.get(f"{site}{prefix}/events.ics?city=chicago-il").text()
        assert "SUMMARY:Feria de derechos laborales en La Villita" in calendar
        assert "DTSTART;TZID=America/Chicago:20270901T170000" in calendar
    context.close()


def test_a_curators_file_with_one_bad_row_changes_nothing(browser, site):
    f.curator("registry-curator")
    before = Agreement.objects.count()
    rows = [
        "slug,title_en,kind,scope,signed_on",
        "2027-good-one,A good letter,loa,local,2027-01",
        "2027-bad-kind,A bad letter,treaty,local,2027-02",
        "2027-good-two,Another good letter,mou,local,2027",
    ]
    context, page = open_page(browser, **DESKTOP)
    log_in(page, site, "registry-curator")
    page.goto(f"{site}/admin/registry/agreement/import/")
    page.set_input_files(
        "#id_import_file",
        files=[
            {
                "name": "agreements.csv",
                "mimeType": "text/csv",
                "buffer": "\n".join(rows).encode(),
            }
        ],
    )
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 1
    assert errors.locator("td").first.inner_text() == "3"
    assert "treaty" in errors.inner_text()
    assert page.locator("input[value='Confirm import']").count() == 0
    assert Agreement.objects.count() == before
    assert not Agreement.objects.filter(slug__startswith="2027-").exists()
    context.close()
