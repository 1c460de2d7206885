"""Two people editing the same record in the admin: the second save, made on
the version both opened, is refused with who changed what since, and keeps
what its author typed; nothing of it is written, inline rows included."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from outreach.models import Event
from registry.models import Agreement, Party
from tests import factories as f

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """What a browser would send for a page's change form: every named input,
    checked box, selected option and text area, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind == "checkbox" and "checked" not in attrs:
                return
            self.add(name, attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # Browsers drop the newline Django writes after <textarea>.
            values = self.data[self.textarea]
            values[-1] = values[-1].removeprefix("\r").removeprefix("\n")
            self.textarea = None


def opened(client: Client, path: str) -> dict[str, list[str]]:
    """The change form as `client` sees it (GET), ready to post back."""
    response = client.get(path)
    assert response.status_code == 200
    return form_of(response)


def form_of(response) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def errors_of(response) -> str:
    return " ".join(
        str(e) for e in response.context["adminform"].form.non_field_errors()
    )


@pytest.fixture
def agreement():
    agreement = f.AgreementFactory(title_en="Old title", summary_en="Old summary")
    f.PartyFactory(agreement=agreement, signer_name="Old signer")
    return agreement


def test_the_second_curator_to_save_an_agreement_is_told_and_nothing_is_lost(
    agreement,
):
    ana = logged_in(f.curator("ana", first_name="Ana", last_name="Ruiz"))
    ben = logged_in(f.curator("ben"))
    path = change_url(agreement)
    ana_form, ben_form = opened(ana, path), opened(ben, path)
    assert ana_form["record_version"] == [str(agreement.version)]

    ana_form["title_en"] = ["Title by Ana"]
    del ana_form["is_published"]  # unchecked: a draft again
    assert ana.post(path, ana_form).status_code == 302

    ben_form["summary_en"] = ["Summary by Ben"]
    ben_form["parties-0-signer_name"] = ["Signer by Ben"]
    refused = ben.post(path, ben_form)

    assert refused.status_code == 200  # the form again, not saved
    error = errors_of(refused)
    assert "Ana Ruiz" in error and "Title (English)" in error
    assert "Title by Ana" in error and "Published: no" in error  # the values now
    assert "Your changes are not saved" in error
    history = reverse("admin:registry_agreement_history", args=[agreement.pk])
    assert f'href="{history}"' in error
    shown = form_of(refused)
    assert shown["summary_en"] == ["Summary by Ben"]  # what Ben typed is kept
    assert shown["parties-0-signer_name"] == ["Signer by Ben"]
    agreement.refresh_from_db()
    assert (agreement.title_en, agreement.summary_en) == ("Title by Ana", "Old summary")
    assert Party.objects.get(agreement=agreement).signer_name == "Old signer"

    # The form shown again carries the current version: saving it again,
    # after a review, is deliberate and goes through.
    shown["title_en"] = ["Title by Ana"]
    shown.pop("is_published")
    assert ben.post(path, shown).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title_en, agreement.summary_en) == (
        "Title by Ana",
        "Summary by Ben",
    )
    assert Party.objects.get(agreement=agreement).signer_name == "Signer by Ben"


def test_a_save_on_the_current_version_goes_through_and_moves_it_on(agreement):
    ana = logged_in(f.curator("ana"))
    path = change_url(agreement)
    form = opened(ana, path)
    form["title_en"] = ["First"]
    assert ana.post(path, form).status_code == 302
    form = opened(ana, path)
    form["title_en"] = ["Second"]
    assert ana.post(path, form).status_code == 302
    latest = Agreement.objects.get(pk=agreement.pk)
    assert latest.title_en == "Second" and latest.version > agreement.version


def test_an_import_between_opening_and_saving_is_named_too(agreement):
    from opendata.collections import export_dataset, import_dataset

    ben = logged_in(f.curator("ben"))
    path = change_url(agreement)
    form = opened(ben, path)
    data = export_dataset("agreements", Agreement.objects.filter(pk=agreement.pk))
    data.dict = [{**data.dict[0], "title_en": "Imported title"}]
    import_dataset("agreements", data, user=f.curator("importer"))

    form["summary_en"] = ["Summary by Ben"]
    refused = ben.post(path, form)
    error = errors_of(refused)
    assert "importer" in error and "Title (English)" in error
    assert Agreement.objects.get(pk=agreement.pk).summary_en == "Old summary"


def test_a_view_only_change_page_has_no_version_to_check(agreement):
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    page = logged_in(viewer).get(change_url(agreement))
    assert page.status_code == 200
    assert "record_version" not in form_of(page)


def test_two_event_editors_of_one_office_cannot_overwrite_each_other():
    office = f.ConsulateFactory()
    event = f.EventFactory(host_office=office, title_en="Old", venue="Old venue")
    cora = logged_in(f.event_editor("cora", office))
    dan = logged_in(f.event_editor("dan", office))
    path = change_url(event)
    cora_form, dan_form = opened(cora, path), opened(dan, path)

    cora_form["venue"] = ["Venue by Cora"]
    assert cora.post(path, cora_form).status_code == 302
    dan_form["title_en"] = ["Title by Dan"]
    refused = dan.post(path, dan_form)

    assert refused.status_code == 200
    error = errors_of(refused)
    assert "cora" in error and "Venue" in error
    assert form_of(refused)["title_en"] == ["Title by Dan"]
    event = Event.objects.get(pk=event.pk)
    assert (event.title_en, event.venue) == ("Old", "Venue by Cora")
