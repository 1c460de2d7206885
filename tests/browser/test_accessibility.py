"""axe-core (bundled with axe-playwright-python, no download) finds no
accessibility violation on any page type, in English and Spanish, on a phone
and on a desktop; and no page is wider than the screen, every agreement page
included."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/agreements/",
    "/agreements/?agency=dol-osha&status=unknown",
    "/agreements/?city=houston-tx",
    "/agreements/2012-osha-phoenix-mx-phoenix-alliance/",
    "/agreements/2016-osha-corpus-christi-mx-brownsville-alliance/",
    "/agreements/2024-osha-mx-chicago-alliance/",
    "/agreements/2021-osha-mx-sre-loa/",
    "/cities/",
    "/cities/houston-tx/",
    "/cities/chicago-il/",
    "/agencies/",
    "/agencies/dol/",
    "/agencies/dol-whd/",
    "/agencies/dol-osha/",
    "/offices/mx-consulate-houston/",
    "/offices/mx-consulate-los-angeles/",
    "/countries/mx/",
    "/countries/sv/",
    "/labor-rights-week/",
    "/labor-rights-week/2016/",
    "/events/2016-houston-kick-off/",
    "/events/2017-houston-labor-rights-week/",
    "/search/?q=alliance",
    "/help/",
    "/help/?zip=77036",
    "/help/?zip=79401",
    "/help/?state=tx",
    "/help/?state=tx&county=Harris",
    "/offices/dol-whd-houston/",
    "/data/",
    "/numbers/",
    "/numbers/?agency=dol-osha&country=mx",
]


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_accessibility_violations_on_any_page_type(browser, site, device):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context, page = open_page(browser, **device)
    problems = []
    for path in PAGES + ["/es" + p for p in PAGES]:
        response = page.goto(site + path)
        assert response.status == 200, path
        results = axe.run(page)
        if results.violations_count:
            problems.append(f"{path}\n{results.generate_report()}")
        # Content reflows to the screen's width: nothing scrolls sideways.
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            problems.append(f"{path}: {overflow}px wider than the screen")
    context.close()
    assert not problems, "\n\n".join(problems)


#: How many pixels the page is wider than the screen. Measured against the
#: layout viewport (clientWidth): a phone zooms out to fit a page that is too
#: wide, so window.innerWidth grows with the page and hides the overflow.
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_no_agreement_page_is_wider_than_a_phone(browser, site):
    """Every agreement of the seed, in English and Spanish, at 360 px: long
    titles, citation addresses and source links wrap. One page is reused."""
    from registry.models import Agreement

    slugs = list(Agreement.objects.published().values_list("slug", flat=True))
    assert len(slugs) > 100
    context, page = open_page(browser, **PHONE)
    problems = []
    for slug in slugs:
        for prefix in ("", "/es"):
            path = f"{prefix}/agreements/{slug}/"
            response = page.goto(site + path)
            assert response.status == 200, path
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                problems.append(f"{path}: {overflow}px wider than the screen")
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_no_accessibility_violations_on_the_admins_event_form(
    browser, site, device, language
):
    """The form consulate staff fill in, as an event editor sees it."""
    from axe_playwright_python.sync_playwright import Axe

    from registry.models import Office
    from tests import factories as f
    from tests.browser.test_curation import log_in

    f.event_editor("axe-editor", Office.objects.get(slug="mx-consulate-chicago"))
    context, page = open_page(browser, **device)
    context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    log_in(page, site, "axe-editor")
    page.goto(f"{site}/admin/outreach/event/add/")
    assert page.locator("html").get_attribute("lang") == language
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()
