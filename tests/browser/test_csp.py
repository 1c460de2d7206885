"""The Content-Security-Policy is enforced and the site lives within it: on
every page type of the public site in both languages, on the API
documentation and in the admin (a curator's changelists, change forms with
inlines and autocompletes, the import with its preview, the export, the
history, the review page, the token page, the lockout page), Chromium
reports no violation and no script error."""

import re

import pytest

from outreach.models import Event
from registry.models import Agreement
from tests import factories as f
from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import PAGES

pytestmark = pytest.mark.django_db(transaction=True)

#: Every violation, reported into the test as it happens (an init script
#: runs before any of the page's own scripts).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""


class Watch:
    """What the browser says about one context's pages: violations (the
    event and the console's "Refused to ..."), script errors, and main
    documents served without the enforced policy."""

    def __init__(self, context):
        self.problems: list[str] = []
        context.expose_binding(
            "reportCspViolation",
            lambda source, text: self.problems.append(f"{source['page'].url}: {text}"),
        )
        context.add_init_script(REPORT_VIOLATIONS)

    def page(self, context):
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        page.on("response", self._response)
        return page

    def _console(self, message):
        if "Content Security Policy" in message.text or message.text.startswith(
            "Refused to"
        ):
            self.problems.append(f"console: {message.text}")

    def _response(self, response):
        if response.request.resource_type != "document":
            return
        headers = response.headers
        policy = headers.get("content-security-policy", "")
        if not re.search(r"default-src 'self'", policy):
            self.problems.append(f"{response.url}: no enforced policy")
        if "unsafe-inline" in policy or "unsafe-eval" in policy:
            self.problems.append(f"{response.url}: unsafe policy {policy}")
        if "content-security-policy-report-only" in headers:
            self.problems.append(f"{response.url}: report-only policy")

    def visit(self, page, url):
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        return response


def new_watched_page(browser):
    context = browser.new_context(locale="en-US", **DESKTOP)
    watch = Watch(context)
    return context, watch, watch.page(context)


def test_the_watch_sees_a_violation(browser, site):
    """The canary: an inline script added to a page is refused, and seen."""
    context, watch, page = new_watched_page(browser)
    watch.visit(page, f"{site}/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.inlineRan") is None
    assert any("script-src" in problem for problem in watch.problems), watch.problems
    context.close()


def test_no_violation_on_any_public_page_type(browser, site):
    context, watch, page = new_watched_page(browser)
    for path in PAGES + ["/es" + p for p in PAGES if not p.startswith("/data")]:
        response = watch.visit(page, site + path)
        assert response.status == 200, path
    # A 404 and the correction form's thanks (a message) are pages too.
    assert watch.visit(page, f"{site}/agreements/no-such-thing/").status == 404
    watch.visit(page, f"{site}/agreements/2012-osha-phoenix-mx-phoenix-alliance/")
    page.fill("textarea[name=message]", "The expiry date is 2017, not 2016.")
    page.click("form[action$='correction/'] [type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Thank you" in page.content()
    context.close()
    assert watch.problems == [], "\n".join(watch.problems)


def test_no_violation_in_the_api_documentation(browser, site):
    context, watch, page = new_watched_page(browser)
    watch.visit(page, f"{site}/api/v1/docs/")
    page.wait_for_selector(".opblock")
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    page.wait_for_load_state("networkidle")
    context.close()
    assert watch.problems == [], "\n".join(watch.problems)


def test_no_violation_in_the_admin(browser, site):
    f.curator("csp-curator")
    agreement = Agreement.objects.get(slug="2012-osha-phoenix-mx-phoenix-alliance")
    event = Event.objects.published().first()
    admin = f"{site}/admin"
    context, watch, page = new_watched_page(browser)

    watch.visit(page, f"{admin}/login/")
    page.fill("#id_username", "csp-curator")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url(f"{admin}/")
    for path in [
        "/",
        "/registry/agreement/",
        "/registry/agreement/?kind__exact=loa&q=alliance",
        "/registry/agreement/add/",
        f"/registry/agreement/{agreement.pk}/history/",
        "/registry/agreement/export/",
        "/registry/office/",
        f"/outreach/event/{event.pk}/change/",
        "/review/",
        "/token/",
    ]:
        assert watch.visit(page, admin + path).status == 200, path

    # A change form with inlines: add a party row, open an autocomplete.
    watch.visit(page, f"{admin}/registry/agreement/{agreement.pk}/change/")
    page.locator(".add-row a").first.click()
    page.click("#id_framework + .select2 .select2-selection")
    dropdown = page.locator(".select2-container--open .select2-dropdown")
    dropdown.locator(".select2-search__field").fill("alliance")
    dropdown.locator(".select2-results__option").first.wait_for()
    page.keyboard.press("Escape")
    # The date widgets' calendar and clock.
    watch.visit(page, f"{admin}/outreach/event/{event.pk}/change/")
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    page.locator(".datetimeshortcuts a[id^=clocklink]").first.click()

    # The import page and its preview.
    watch.visit(page, f"{admin}/registry/agreement/import/")
    page.set_input_files(
        "#id_import_file",
        files=[
            {
                "name": "agreements.csv",
                "mimeType": "text/csv",
                "buffer": b"slug,title_en,kind,scope,signed_on\n"
                b"2027-csp-check,A letter,loa,local,2027-01\n",
            }
        ],
    )
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    page.wait_for_selector("table.import-preview")

    # The token page makes a token; the lockout page after failed sign-ins.
    watch.visit(page, f"{admin}/token/")
    page.click("button[value=issue]")
    page.wait_for_selector("#api-token-key")
    page.context.clear_cookies()
    for _ in range(5):
        watch.visit(page, f"{admin}/login/")
        page.fill("#id_username", "csp-curator")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
        page.wait_for_load_state("networkidle")
    assert "Sign-in locked" in page.content()
    context.close()
    assert watch.problems == [], "\n".join(watch.problems)
