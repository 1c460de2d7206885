"""axe-core (bundled with axe-playwright-python, no download) finds no
accessibility violation on any page type, in English and Spanish, on a phone
and on a desktop; and no page is wider than the screen."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/agreements/",
    "/agreements/?agency=dol-osha&status=unknown",
    "/agreements/2012-osha-phoenix-mx-phoenix-alliance/",
    "/cities/",
    "/cities/houston-tx/",
    "/agencies/",
    "/agencies/dol-whd/",
    "/offices/mx-consulate-houston/",
    "/countries/mx/",
    "/labor-rights-week/",
    "/labor-rights-week/2016/",
    "/events/2016-houston-kick-off/",
    "/events/2017-houston-labor-rights-week/",
    "/search/?q=alliance",
    "/data/",
]


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_accessibility_violations_on_any_page_type(browser, site, device):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context, page = open_page(browser, **device)
    problems = []
    for path in PAGES + ["/es" + p for p in PAGES if not p.startswith("/data")]:
        response = page.goto(site + path)
        assert response.status == 200, path
        results = axe.run(page)
        if results.violations_count:
            problems.append(f"{path}\n{results.generate_report()}")
        # Content reflows to the screen's width: nothing scrolls sideways.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        if overflow > 0:
            problems.append(f"{path}: {overflow}px wider than the screen")
    context.close()
    assert not problems, "\n\n".join(problems)
