"""Every admin page renders for a curator, in a pinned number of queries that
does not grow with the number of rows."""

from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from collection.history import is_history_model
from outreach.models import (
    Edition,
    Event,
    Organization,
    Outcome,
    Programme,
    ProgrammeContact,
)
from registry.models import (
    Agency,
    Agreement,
    AgreementSource,
    City,
    Contact,
    CorrectionReport,
    Country,
    Document,
    Jurisdiction,
    Law,
    Membership,
    Office,
    Party,
    Source,
    State,
    Topic,
)
from tests import factories as f
from tests.helpers import queries

pytestmark = pytest.mark.django_db


def full_agreement():
    agreement = f.AgreementFactory(
        renews=f.AgreementFactory(), framework=f.AgreementFactory()
    )
    f.PartyFactory(agreement=agreement)
    f.PartyFactory(agreement=agreement, office=f.ConsulateFactory(), side="foreign")
    f.AgreementSourceFactory(agreement=agreement)
    f.DocumentFactory(agreement=agreement)
    agreement.laws.add(f.LawFactory())
    agreement.topics.add(f.TopicFactory())
    return agreement


def full_event():
    event = f.EventFactory(edition=f.EditionFactory())
    event.offices.add(f.OfficeFactory())
    event.agencies.add(f.AgencyFactory())
    event.organizations.add(f.OrganizationFactory())
    event.topics.add(f.TopicFactory())
    event.sources.add(f.SourceFactory())
    return event


def full_office():
    office = f.ConsulateFactory()
    f.JurisdictionFactory(office=office)
    office.sources.add(f.SourceFactory())
    return office


def next_edition():
    year = 2009 + Edition.objects.count()
    return f.EditionFactory(year=year)


def full_programme():
    programme = f.ProgrammeFactory(city=f.CityFactory())
    programme.offices.add(f.OfficeFactory())
    f.OutcomeFactory(edition=None, programme=programme)
    return programme


def next_country():
    codes = [
        c
        for c in "abcdefghijklmnopqrstuvwxyz"
        if not Country.objects.filter(code=f"z{c}")
    ]
    return f.CountryFactory(code=f"z{codes[0]}")


def next_state():
    n = State.objects.count()
    return f.StateFactory(code=f"Q{n}", slug=f"q{n}")


MAKERS: dict[type, Callable[[], object]] = {
    Country: next_country,
    State: next_state,
    Source: f.SourceFactory,
    City: f.CityFactory,
    Agency: lambda: f.AgencyFactory(parent=f.AgencyFactory()),
    Office: full_office,
    Jurisdiction: f.JurisdictionFactory,
    Law: f.LawFactory,
    Agreement: full_agreement,
    Party: f.PartyFactory,
    Document: f.DocumentFactory,
    Topic: f.TopicFactory,
    Edition: lambda: f.OutcomeFactory(edition=next_edition()).edition,
    Organization: lambda: f.OrganizationFactory(city=f.CityFactory()),
    Programme: full_programme,
    Event: full_event,
    Outcome: f.OutcomeFactory,
    CorrectionReport: lambda: CorrectionReport.objects.create(
        agreement=f.AgreementFactory(), page_url="/agreements/x/", message="Wrong date"
    ),
    Contact: f.ContactFactory,
    ProgrammeContact: f.ProgrammeContactFactory,
    Membership: lambda: Membership.objects.create(
        user=f.event_editor(f"editor-{Membership.objects.count()}"),
        office=f.ConsulateFactory(),
    ),
}

# Queries per page, counting the session, the curator and their permissions
# (event pages also ask whether the user curates every office's events).
CHANGELIST = {
    Country: 7, State: 8, Source: 9, City: 9, Agency: 8, Office: 9, Jurisdiction: 8,
    Law: 7, Agreement: 9, Party: 9, Document: 7, Topic: 7, Edition: 9,
    Organization: 7, Programme: 7, Event: 11, Outcome: 8, CorrectionReport: 9,
    Membership: 7, Contact: 8, ProgrammeContact: 7,
}  # fmt: skip
#: The event change page reads the event's time zone first (its times are shown in it).
CHANGE = {
    Country: 6, State: 7, Source: 6, City: 10, Agency: 10, Office: 14, Jurisdiction: 9,
    Law: 6, Agreement: 19, Party: 9, Document: 7, Topic: 6, Edition: 9,
    Organization: 9, Programme: 16, Event: 22, Outcome: 8, CorrectionReport: 7,
    Membership: 10, Contact: 8, ProgrammeContact: 8,
}  # fmt: skip
ADD = dict.fromkeys(MAKERS, 5)
ADD.update({State: 6, Event: 6})  # events: is the user a curator?


@pytest.fixture
def curator_client(client):
    """A staff member in the curator group."""
    client.force_login(f.curator())
    return client


def url(model, view, *args):
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


def test_every_model_is_in_the_admin():
    curated = {
        model
        for app in ("registry", "outreach")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.auto_created and not is_history_model(model)
    }
    assert curated - {AgreementSource} == set(MAKERS)  # sources are edited inline
    assert curated <= set(admin.site._registry) | {AgreementSource}


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_changelist_is_pinned_and_flat(curator_client, model):
    for _ in range(2):
        MAKERS[model]()
    few = queries(curator_client, url(model, "changelist"))
    for _ in range(5):
        MAKERS[model]()
    many = queries(curator_client, url(model, "changelist"))
    assert (few, many) == (CHANGELIST[model], CHANGELIST[model])


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_change_page_is_pinned(curator_client, model):
    obj = MAKERS[model]()
    assert queries(curator_client, url(model, "change", obj.pk)) == CHANGE[model]


@pytest.mark.parametrize(
    "model", [m for m in MAKERS if m is not CorrectionReport], ids=lambda m: m.__name__
)
def test_add_page_is_pinned(curator_client, model):
    MAKERS[model]()
    assert queries(curator_client, url(model, "add")) == ADD[model]


def test_correction_reports_come_from_the_site_and_are_triaged_in_the_admin(
    curator_client,
):
    report = MAKERS[CorrectionReport]()
    assert curator_client.get(url(CorrectionReport, "add")).status_code == 403
    curator_client.post(
        url(CorrectionReport, "changelist"),
        {"action": "mark_fixed", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.status == CorrectionReport.Status.FIXED


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_fixed", CorrectionReport.Status.FIXED),
        ("mark_dismissed", CorrectionReport.Status.DISMISSED),
    ],
)
def test_triage_in_the_admin_keeps_its_history(client, action, status):
    curator = f.curator("triager")
    client.force_login(curator)
    reports = [MAKERS[CorrectionReport]() for _ in range(2)]
    already = MAKERS[CorrectionReport]()
    CorrectionReport.objects.filter(pk=already.pk).update(status=status)
    client.post(
        url(CorrectionReport, "changelist"),
        {"action": action, "_selected_action": [r.pk for r in [*reports, already]]},
    )
    for report in reports:
        latest, first = report.history.order_by("-history_id")[:2]
        assert (latest.status, latest.history_type, latest.history_user) == (
            status,
            "~",
            curator,
        )
        assert first.status == CorrectionReport.Status.NEW
    # A report that already had the status is left alone: no empty change.
    assert already.history.count() == 1


def test_agreement_list_shows_the_derived_status_and_filters_on_it(curator_client):
    renewed = f.AgreementFactory(title_en="Old letter")
    f.AgreementFactory(title_en="New letter", renews=renewed)
    page = curator_client.get(url(Agreement, "changelist"), {"status": "superseded"})
    content = page.content.decode()
    assert "Old letter" in content and "New letter" not in content
    assert "Superseded by a renewal" in content


def test_agreement_change_page_lists_instruments_resting_on_it(curator_client):
    declaration = f.AgreementFactory(title_en="Joint Declaration", kind="declaration")
    f.AgreementFactory(title_en="WHD letter", framework=declaration)
    f.AgreementFactory(title_en="OSHA letter", framework=declaration)
    page = curator_client.get(url(Agreement, "change", declaration.pk))
    assert (
        "WHD letter" in page.content.decode() and "OSHA letter" in page.content.decode()
    )


def test_admin_search_finds_agreements_by_signer(curator_client):
    party = f.PartyFactory(signer_name="Hilda L. Solis")
    page = curator_client.get(url(Agreement, "changelist"), {"q": "Solis"})
    assert party.agreement.title_en in page.content.decode()


def test_autocomplete_for_offices_answers(curator_client):
    f.ConsulateFactory(name="Consulate of Mexico in Yuma, Arizona")
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Yuma",
            "app_label": "registry",
            "model_name": "party",
            "field_name": "office",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == [
        "Consulate of Mexico in Yuma, Arizona"
    ]


def more_children(obj):
    """Add inline rows of every kind the object's change page shows."""
    if isinstance(obj, Agreement):
        f.PartyFactory(agreement=obj)
        f.AgreementSourceFactory(agreement=obj)
        f.DocumentFactory(agreement=obj)
        f.AgreementFactory(framework=obj)
        obj.laws.add(f.LawFactory())
    elif isinstance(obj, Office):
        f.JurisdictionFactory(office=obj, state=next_state())
        obj.sources.add(f.SourceFactory())
    elif isinstance(obj, Edition):
        f.OutcomeFactory(edition=obj)
    elif isinstance(obj, Programme):
        f.OutcomeFactory(edition=None, programme=obj)
        obj.organizations.add(f.OrganizationFactory())
    elif isinstance(obj, Event):
        obj.offices.add(f.OfficeFactory())
        obj.topics.add(f.TopicFactory())


@pytest.mark.parametrize(
    "model", [Agreement, Office, Edition, Programme, Event], ids=str
)
def test_change_page_does_not_grow_with_inline_rows(curator_client, model):
    obj = MAKERS[model]()
    more_children(obj)
    few = queries(curator_client, url(model, "change", obj.pk))
    for _ in range(4):
        more_children(obj)
    assert queries(curator_client, url(model, "change", obj.pk)) == few
