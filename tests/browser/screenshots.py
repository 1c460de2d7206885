"""`make screenshots`: one screenshot of each page type at phone and at desktop
width, saved into docs/screenshots/ for reviewers.

Not a test module (its name does not start with test_), so `make test` does not
collect it; `make screenshots` runs it explicitly.
"""

from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

PAGE_TYPES = {
    "home": "/",
    "agreement-list": "/agreements/?agency=dol-osha",
    "agreement": "/agreements/2012-osha-phoenix-mx-phoenix-alliance/",
    "city-list": "/cities/",
    "city": "/cities/houston-tx/",
    "agency-list": "/agencies/",
    "agency": "/agencies/dol-whd/",
    "office": "/offices/mx-consulate-houston/",
    "country": "/countries/mx/",
    "labor-rights-week": "/labor-rights-week/",
    "edition": "/labor-rights-week/2016/",
    "event": "/events/2016-houston-kick-off/",
    "search": "/search/?q=migracion",
    "open-data": "/data/",
    "help": "/help/?zip=77036",
    "help-es": "/es/help/?zip=77036",
    "city-es": "/es/cities/houston-tx/",
    "not-found": "/agreements/no-such-agreement/",
}


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshot_each_page_type(browser, site, device, request):
    name = request.node.callspec.id
    OUT.mkdir(parents=True, exist_ok=True)
    context, page = open_page(browser, **device)
    for page_type, path in PAGE_TYPES.items():
        response = page.goto(site + path)
        expected = 404 if page_type == "not-found" else 200
        assert response.status == expected, path
        page.screenshot(path=OUT / f"{page_type}-{name}.png", full_page=True)
    context.close()
