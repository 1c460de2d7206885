"""The curators' review queue and renewal radar: its sections, its admin page
and its daily e-mail."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from collection.roles import CURATOR, EVENT_EDITOR
from curation.management.commands import registry_radar
from curation.radar import build_radar
from registry.models import Agreement, CorrectionReport, Party
from tests import factories as f
from tests.helpers import queries

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)


def days(n):
    return TODAY + timedelta(days=n)


def expiring_on(day, **kwargs):
    return f.AgreementFactory(signed_on=date(2025, 1, 1), expires_on=day, **kwargs)


def in_force(**kwargs):
    return f.AgreementFactory(is_open_ended=True, **kwargs)


def report(status=CorrectionReport.Status.NEW, message="Wrong date", **kwargs):
    return CorrectionReport.objects.create(
        page_url="/agreements/x/", message=message, status=status, **kwargs
    )


def listed_offices(radar):
    return {
        office: group.agency
        for group in radar.offices_without_agreement
        for office in group.offices
    }


def user(name, group=None, **kwargs):
    member = User.objects.create_user(name, password="pw", **kwargs)
    if group:
        member.groups.add(f.role(group))
    return member


def every_kind_of_row():
    """One row for every section of the radar, as of today."""
    today = timezone.localdate()
    f.ContactFactory(standing="lead", is_published=False)
    report(agreement=f.AgreementFactory())
    expiring = f.AgreementFactory(
        signed_on=date(2025, 1, 1), expires_on=today + timedelta(days=30)
    )
    f.PartyFactory(agreement=expiring)
    f.PartyFactory(agreement=expiring, office=f.ConsulateFactory(), side="foreign")
    f.AgreementFactory(
        renews=expiring,
        is_published=False,
        signed_on=None,
        signed_on_precision="unknown",
    )
    expired = f.AgreementFactory(
        signed_on=date(2020, 1, 1), expires_on=today - timedelta(days=30)
    )
    f.PartyFactory(agreement=expired)
    f.AgreementFactory(
        renews=expired,
        is_published=False,
        signed_on=None,
        signed_on_precision="unknown",
    )
    f.AgreementSourceFactory()
    f.OfficeFactory()
    f.EventFactory(is_published=False, edition=f.EditionFactory())
    f.OrganizationFactory()
    f.ProgrammeFactory()


# Sections


def test_open_reports_are_the_unclosed_ones_newest_first():
    agreement = f.AgreementFactory()
    older = report(agreement=agreement)
    newer = report(status=CorrectionReport.Status.IN_PROGRESS)
    CorrectionReport.objects.filter(pk=older.pk).update(
        created_at=older.created_at - timedelta(days=1)
    )
    report(status=CorrectionReport.Status.FIXED)
    report(status=CorrectionReport.Status.DISMISSED)

    radar = build_radar(TODAY)

    assert radar.open_reports == [newer, older]
    assert radar.open_reports[1].agreement == agreement


def test_expiring_lists_published_agreements_expiring_within_90_days_soonest_first():
    later = expiring_on(days(60))
    sooner = expiring_on(days(10))
    expiring_on(days(100))  # not yet
    expiring_on(days(30), is_published=False)  # a draft
    expiring_on(days(-1))  # already expired
    in_force()

    assert build_radar(TODAY).expiring == [sooner, later]


def test_expiring_shows_a_renewal_being_prepared():
    agreement = expiring_on(days(10))
    draft = f.AgreementFactory(
        renews=agreement,
        is_published=False,
        signed_on=None,
        signed_on_precision="unknown",
    )

    (listed,) = build_radar(TODAY).expiring

    assert listed.renewal == draft


def test_expired_without_renewal():
    bare = expiring_on(days(-10))
    with_draft_renewal = expiring_on(days(-400))
    draft = f.AgreementFactory(
        renews=with_draft_renewal,
        is_published=False,
        signed_on=None,
        signed_on_precision="unknown",
    )
    renewed = expiring_on(days(-20))
    f.AgreementFactory(renews=renewed, signed_on=days(-30))
    renewal_signed_later = expiring_on(days(-5))
    f.AgreementFactory(renews=renewal_signed_later, signed_on=days(20))
    concluded = f.AgreementFactory(is_concluded=True)
    expiring_on(days(-10), is_published=False)  # a draft
    expiring_on(days(10))  # not yet expired

    radar = build_radar(TODAY)

    assert radar.expired_without_renewal == [bare, with_draft_renewal, concluded]
    assert radar.expired_without_renewal[1].renewal == draft


def test_offices_with_no_agreement_in_force_grouped_by_agency():
    agency, other_agency = f.AgencyFactory(name="A agency"), f.AgencyFactory(name="B")
    covered, lapsed, never, draft_only, closed = (
        f.OfficeFactory(agency=agency, name=name)
        for name in ("Covered", "Lapsed", "Never", "Draft only", "Closed")
    )
    elsewhere = f.OfficeFactory(agency=other_agency)
    closed.active_to = days(-1)
    closed.save()
    f.PartyFactory(agreement=in_force(), office=covered)
    f.PartyFactory(agreement=expiring_on(date(2025, 6, 30)), office=covered)
    f.PartyFactory(agreement=expiring_on(date(2025, 6, 30)), office=lapsed)
    f.PartyFactory(agreement=in_force(is_published=False), office=draft_only)
    f.PartyFactory(agreement=f.AgreementFactory(), office=closed)
    # A party that names an agency, not an office, hides no office.
    Party.objects.create(agreement=in_force(), agency=agency, side="us")

    radar = build_radar(TODAY)

    assert listed_offices(radar) == {
        draft_only: agency,
        lapsed: agency,
        never: agency,
        elsewhere: other_agency,
    }
    assert [g.agency for g in radar.offices_without_agreement] == [
        agency,
        other_agency,
    ]
    assert radar.office_without_agreement_count == 4
    assert radar.offices_without_agreement[0].offices[1].last_expiry == date(
        2025, 6, 30
    )
    assert radar.offices_without_agreement[0].offices[2].last_expiry is None


def test_an_office_party_to_an_expiring_agreement_is_in_force():
    office = f.OfficeFactory()
    f.PartyFactory(agreement=expiring_on(days(10)), office=office)

    assert office not in listed_offices(build_radar(TODAY))


def test_records_without_a_source():
    sourced_agreement = f.AgreementSourceFactory().agreement
    bare_agreement = f.AgreementFactory()
    sourced_office, bare_office = f.OfficeFactory(), f.OfficeFactory()
    sourced_event, bare_event = f.EventFactory(), f.EventFactory()
    sourced_edition, bare_edition = f.EditionFactory(), f.EditionFactory(year=2018)
    sourced_org, bare_org = f.OrganizationFactory(), f.OrganizationFactory()
    sourced_programme, bare_programme = f.ProgrammeFactory(), f.ProgrammeFactory()
    sourced_agency = f.AgencyFactory()
    sourced_city = f.CityFactory()
    for sourced in (
        sourced_office, sourced_event, sourced_edition, sourced_org,
        sourced_programme, sourced_agency, sourced_city,
    ):  # fmt: skip
        sourced.sources.add(f.SourceFactory())

    radar = build_radar(TODAY)

    assert radar.agreements_without_source == [bare_agreement]
    assert bare_office in radar.offices_without_source
    assert sourced_office not in radar.offices_without_source
    assert radar.events_without_source == [bare_event]
    assert radar.editions_without_source == [bare_edition]
    assert radar.organizations_without_source == [bare_org]
    assert radar.programmes_without_source == [bare_programme]
    assert bare_office.agency in radar.agencies_without_source
    assert sourced_agency not in radar.agencies_without_source
    assert bare_office.city in radar.cities_without_source
    assert sourced_city not in radar.cities_without_source
    assert sourced_agreement not in radar.agreements_without_source
    assert [s.opts.model_name for s in radar.without_source] == [
        "agreement", "agency", "office", "city", "edition", "organization",
        "programme", "event",
    ]  # fmt: skip


def test_drafts_awaiting_publication():
    draft = f.AgreementFactory(is_published=False)
    f.AgreementFactory()
    draft_event = f.EventFactory(is_published=False)
    f.EventFactory()

    radar = build_radar(TODAY)

    assert radar.draft_agreements == [draft]
    assert radar.draft_events == [draft_event]


def test_radar_takes_a_fixed_number_of_queries(django_assert_num_queries):
    every_kind_of_row()
    with django_assert_num_queries(17):
        build_radar()
    for _ in range(3):
        every_kind_of_row()
    with django_assert_num_queries(17):
        radar = build_radar()
    # What the page and the mail show is fetched already.
    with django_assert_num_queries(0):
        for agreement in radar.expiring + radar.expired_without_renewal:
            [str(party) for party in agreement.parties.all()]
            str(agreement.renewal)
        for group in radar.offices_without_agreement:
            [str(office.city) for office in group.offices]
        [str(row) for section in radar.without_source for row in section.rows]
        [str(a.renews) for a in radar.draft_agreements]
        [str(e.host_office) for e in radar.draft_events]
        [str(r.agreement) for r in radar.open_reports]
        [(str(c.owner), c.source.host) for c in radar.contact_leads]


# The admin page

REVIEW = "/admin/review/"


def test_review_page_url():
    assert reverse("admin-review") == REVIEW


def test_review_page_shows_each_section_to_a_curator(client):
    expiring = expiring_on(
        timezone.localdate() + timedelta(days=20), title_en="Expiring LOA"
    )
    expired = expiring_on(
        timezone.localdate() - timedelta(days=20), title_en="Lapsed LOA"
    )
    f.AgreementFactory(renews=expired, is_published=False, title_en="Draft renewal")
    report(agreement=expiring, message="The consul's name is misspelt")
    f.OfficeFactory(name="WHD Nowhere District Office")
    f.EventFactory(is_published=False, title_en="Draft workshop")
    client.force_login(user("curator", CURATOR, is_staff=True))

    response = client.get(REVIEW)

    assertContains(response, "Review queue and radar")
    assertContains(response, "Open correction reports (1)")
    assertContains(response, "The consul&#x27;s name is misspelt")
    assertContains(response, "Expiring within 90 days (1)")
    assertContains(response, "Expired without renewal (1)")
    assertContains(response, "WHD Nowhere District Office")
    assertContains(response, "Draft workshop")
    assertNotContains(response, "No draft agreements.")
    assertNotContains(response, "No draft events.")
    assertContains(
        response, reverse("admin:registry_agreement_change", args=[expiring.pk])
    )
    assertContains(
        response, reverse("admin:registry_agreement_change", args=[expired.pk])
    )


def test_review_page_says_when_a_section_is_empty(client):
    client.force_login(user("curator", CURATOR, is_staff=True))

    response = client.get(REVIEW)

    assertContains(response, "Open correction reports (0)")
    assertContains(response, "No open correction reports.")
    assertContains(response, "No published agreement expires soon.")
    assertContains(response, "Every expired agreement has a published renewal.")
    assertContains(response, "Every open office is a party to an agreement in force.")
    assertContains(response, "No draft agreements.")
    assertContains(response, "No draft events.")


def test_review_page_is_pinned(client):
    """The page costs the same queries with four times the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user("curator", CURATOR, is_staff=True))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REVIEW).status_code == 200
        return len(captured)

    every_kind_of_row()
    few = queries()
    for _ in range(3):
        every_kind_of_row()
    assert queries() == few
    assert few <= 25


def test_review_page_is_for_curators_only(client):
    assert client.get(REVIEW).url == f"/admin/login/?next={REVIEW}"

    client.force_login(user("editor", EVENT_EDITOR, is_staff=True))
    assert client.get(REVIEW).status_code == 403

    client.force_login(user("curator-not-staff", CURATOR))
    assert client.get(REVIEW).url == f"/admin/login/?next={REVIEW}"

    client.force_login(user("root", is_staff=True, is_superuser=True))
    assert client.get(REVIEW).status_code == 200


def test_review_page_is_pinned_and_flat(client):
    client.force_login(user("curator", CURATOR, is_staff=True))
    every_kind_of_row()
    few = queries(client, REVIEW)
    for _ in range(4):
        every_kind_of_row()
    many = queries(client, REVIEW)
    # The session, the curator, their permissions (2), then the radar (17).
    assert (few, many) == (21, 21)


def test_admin_index_links_to_the_review_page_for_curators_only(client):
    client.force_login(user("curator", CURATOR, is_staff=True))
    assertContains(client.get("/admin/"), f'href="{REVIEW}"')

    client.force_login(user("editor", EVENT_EDITOR, is_staff=True))
    assertNotContains(client.get("/admin/"), f'href="{REVIEW}"')


# The daily e-mail


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://registry.example.org/"
    return "https://registry.example.org"


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("registry_radar", *args, stdout=out)
    return out.getvalue()


def test_radar_mails_active_curators_and_superusers_with_an_address(mailoutbox, site):
    user("ana", CURATOR, email="ana@example.org")
    user("bo", CURATOR, email="")
    user("cy", CURATOR, email="cy@example.org", is_active=False)
    user("dee", is_superuser=True, email="dee@example.org")
    user("ed", EVENT_EDITOR, email="ed@example.org", is_staff=True)
    user("flo", CURATOR, email="flo@example.org", is_superuser=True)
    expiring = expiring_on(days(10), title_en="Houston LOA")
    expiring_on(days(50))
    expiring_on(days(80))
    expiring_on(days(-10))
    f.AgreementFactory(is_concluded=True)
    report()

    output = run("--date", "2026-11-24")

    assert sorted(m.to[0] for m in mailoutbox if len(m.to) == 1) == [
        "ana@example.org",
        "dee@example.org",
        "flo@example.org",
    ]  # one mail each, so that no curator sees another's address
    mail = mailoutbox[0]
    assert mail.subject == (
        "Registry radar for 2026-11-24: "
        "3 expiring, 2 expired without renewal, 1 open report"
    )
    link = f"{site}/admin/registry/agreement/{expiring.pk}/change/"
    assert "Houston LOA" in mail.body and link in mail.body
    assert f"{site}/admin/review/" in mail.body
    (html, mimetype) = mail.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Radar sent to 3 recipients." in output


def test_radar_says_in_one_line_when_a_section_is_empty(mailoutbox, site):
    user("ana", CURATOR, email="ana@example.org")

    run("--date", "2026-11-24")

    body = mailoutbox[0].body
    assert "Open correction reports (0)\nNo open correction reports.\n" in body
    assert "Draft events awaiting publication (0)\nNo draft events.\n" in body
    assert mailoutbox[0].subject == (
        "Registry radar for 2026-11-24: "
        "0 expiring, 0 expired without renewal, 0 open reports"
    )


def test_radar_dry_run_prints_the_digest_and_sends_nothing(mailoutbox, site):
    user("ana", CURATOR, email="ana@example.org")
    expiring_on(days(10), title_en="Houston LOA")

    output = run("--dry-run", "--date", "2026-11-24")

    assert mailoutbox == []
    assert output.startswith("Registry radar for 2026-11-24: 1 expiring,")
    assert "Expiring within 90 days (1)\n- Houston LOA: expires" in output
    assert "in 10 days" in output


def test_radar_without_recipients_sends_nothing(mailoutbox):
    user("bo", CURATOR, email="")

    output = run()

    assert mailoutbox == []
    assert output == (
        "No active curator or superuser has an e-mail address; "
        "the radar was not sent.\n"
    )


def test_radar_lists_a_limited_number_of_rows_per_section(
    mailoutbox, monkeypatch, site
):
    monkeypatch.setattr(registry_radar, "EMAIL_ROWS", 2)
    for n in range(5):
        f.AgreementFactory(is_published=False, title_en=f"Draft {n}")

    output = run("--dry-run")

    assert "Draft agreements awaiting publication (5)" in output
    assert "... and 3 more on the review page." in output


def test_radar_rejects_a_malformed_date():
    with pytest.raises(CommandError, match="Not a date: 24/11/2026"):
        run("--date", "24/11/2026")


def test_expired_agreement_with_a_draft_renewal_is_in_the_mail(mailoutbox, site):
    lapsed = expiring_on(days(-3), title_en="Lapsed LOA")
    f.AgreementFactory(renews=lapsed, is_published=False, title_en="New LOA draft")

    output = run("--dry-run", "--date", "2026-11-24")

    assert "- Lapsed LOA: expired" in output
    assert "; draft renewal: New LOA draft" in output
    assert Agreement.objects.get(pk=lapsed.pk).status_on(TODAY) == "expired"
