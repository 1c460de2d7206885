"""Who may do what: curators, event editors of office A and of office B, and
anonymous visitors, over the admin, spreadsheet imports and API writes. One
rule (Event.objects.editable_by) serves all three; another office's event is
not found."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from collection.files import ImportFailed
from collection.roles import CURATOR, EVENT_EDITOR
from opendata.collections import export_dataset, import_dataset
from outreach.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    city = f.CityFactory(slug="houston-tx", name="Houston")
    a = f.ConsulateFactory(slug="consulate-a", name="Consulate A", city=city)
    b = f.ConsulateFactory(slug="consulate-b", name="Consulate B", city=city)
    return a, b


@pytest.fixture
def events(offices):
    a, b = offices
    return (
        f.EventFactory(slug="event-a", host_office=a, title_en="Event of A"),
        f.EventFactory(slug="event-b", host_office=b, title_en="Event of B"),
    )


@pytest.fixture
def people(offices):
    a, b = offices
    return {
        "curator": f.curator(),
        "editor_a": f.event_editor("editor-a", a),
        "editor_b": f.event_editor("editor-b", b),
    }


def logged_in(client, user):
    client.force_login(user)
    return client


def api_for(user=None):
    client = APIClient()
    if user is not None:
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def admin_url(view, *args, model="event", app="outreach"):
    return reverse(f"admin:{app}_{model}_{view}", args=args)


# --- The groups ------------------------------------------------------------------


def test_the_roles_are_groups_created_by_a_migration():
    curator = set(
        Group.objects.get(name=CURATOR).permissions.values_list("codename", flat=True)
    )
    editor = set(
        Group.objects.get(name=EVENT_EDITOR).permissions.values_list(
            "codename", flat=True
        )
    )
    assert {"change_agreement", "import_agreement", "export_event"} <= curator
    assert {"add_event", "change_event", "delete_event", "import_event"} <= editor
    assert {"view_office", "view_city", "view_edition"} <= editor
    assert not {"change_agreement", "view_agreement", "add_office"} & editor


def test_migrate_puts_the_roles_permissions_back():
    from django.contrib.auth.models import Permission
    from django.core.management import call_command

    editor = Group.objects.get(name=EVENT_EDITOR)
    editor.permissions.remove(Permission.objects.get(codename="change_event"))
    editor.permissions.add(Permission.objects.get(codename="change_agreement"))
    Group.objects.filter(name=CURATOR).delete()

    call_command("migrate", verbosity=0)

    codenames = set(editor.permissions.values_list("codename", flat=True))
    assert "change_event" in codenames and "change_agreement" not in codenames
    curator = Group.objects.get(name=CURATOR)
    assert curator.permissions.filter(codename="change_agreement").exists()


def test_the_rule_scopes_event_editors_to_their_offices(people, events):
    a_event, b_event = events
    assert set(Event.objects.editable_by(people["curator"])) == {a_event, b_event}
    assert list(Event.objects.editable_by(people["editor_a"])) == [a_event]
    assert list(Event.objects.editable_by(people["editor_b"])) == [b_event]
    assert not Event.objects.editable_by(f.event_editor("no-office")).exists()


# --- The admin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [("curator", {"Event of A", "Event of B"}), ("editor_a", {"Event of A"})],
)
def test_the_event_changelist_shows_what_each_may_change(
    client, people, events, who, shown
):
    page = logged_in(client, people[who]).get(admin_url("changelist"))
    assert page.status_code == 200
    listed = {e.title_en for e in page.context["cl"].result_list}
    assert listed == shown


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_offices_event_is_not_found_in_the_admin(client, people, events, view):
    a_event, b_event = events
    client = logged_in(client, people["editor_a"])
    assert client.get(admin_url(view, b_event.pk)).status_code == 404
    assert client.get(admin_url(view, a_event.pk)).status_code == 200


def test_an_event_editor_cannot_post_changes_to_another_offices_event(
    client, people, events
):
    _, b_event = events
    response = logged_in(client, people["editor_a"]).post(
        admin_url("change", b_event.pk), {"title_en": "Taken over"}
    )
    assert response.status_code == 404
    b_event.refresh_from_db()
    assert b_event.title_en == "Event of B"


def test_an_event_editor_hosts_events_only_at_their_offices(client, people, offices):
    a, b = offices
    client = logged_in(client, people["editor_a"])
    form = client.get(admin_url("add")).context["adminform"].form
    assert list(form.fields["host_office"].queryset) == [a]
    assert form.fields["host_office"].required
    response = client.post(
        admin_url("add"),
        {
            "title_en": "Workshop",
            "slug": "workshop",
            "kind": "workshop",
            "status": "scheduled",
            "mode": "in_person",
            "host_office": b.pk,
            "is_all_day": "",
            "time_zone": "America/Chicago",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert "host_office" in response.context["adminform"].form.errors
    assert not Event.objects.filter(slug="workshop").exists()


@pytest.mark.parametrize(
    ("model", "app"),
    [("agreement", "registry"), ("office", "registry"), ("membership", "registry")],
)
def test_event_editors_cannot_change_anything_else(client, people, model, app):
    client = logged_in(client, people["editor_a"])
    assert client.get(admin_url("add", model=model, app=app)).status_code == 403
    if model == "agreement":
        assert (
            client.get(admin_url("changelist", model=model, app=app)).status_code == 403
        )


def test_anonymous_visitors_are_sent_to_the_login(client, events):
    response = client.get(admin_url("changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_curator_changes_any_office_event(client, people, events, offices):
    _, b_event = events
    client = logged_in(client, people["curator"])
    assert client.get(admin_url("change", b_event.pk)).status_code == 200
    form = client.get(admin_url("add")).context["adminform"].form
    assert set(offices) <= set(form.fields["host_office"].queryset)


# --- Imports -------------------------------------------------------------------------


def event_rows(*rows):
    dataset = export_dataset("events", Event.objects.filter(slug="event-a"))
    template = dict(zip(dataset.headers, dataset[0], strict=True))
    dataset = export_dataset("events", Event.objects.none())
    dataset.headers = list(template)
    for changes in rows:
        dataset.append([{**template, **changes}[h] for h in template])
    return dataset


def test_an_event_editor_imports_events_of_their_office(people, events):
    data = event_rows({"slug": "new-a", "title_en": "New at A"})
    import_dataset("events", data, user=people["editor_a"])
    assert Event.objects.get(slug="new-a").host_office.slug == "consulate-a"


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"slug": "new-b", "host_office": "consulate-b"}, "host_office"),
        ({"slug": "event-b", "title_en": "Taken over"}, "slug"),
    ],
    ids=["host elsewhere", "another office's event"],
)
def test_an_event_editor_cannot_import_over_another_office(
    people, events, changes, column
):
    data = event_rows({"slug": "fine-a", "title_en": "Fine"}, changes)
    with pytest.raises(ImportFailed) as failure:
        import_dataset("events", data, user=people["editor_a"])
    [error] = failure.value.errors
    assert error.row == 3
    assert error.messages[0].startswith(f"{column}:")
    assert not Event.objects.filter(slug__in=["fine-a", "new-b"]).exists()
    assert Event.objects.get(slug="event-b").title_en == "Event of B"


def test_a_curator_imports_any_office_event(people, events):
    data = event_rows({"slug": "event-b", "title_en": "Renamed by a curator"})
    import_dataset("events", data, user=people["curator"])
    assert Event.objects.get(slug="event-b").title_en == "Renamed by a curator"


def test_the_admin_import_is_scoped_too(client, people, events):
    data = event_rows({"slug": "event-b", "title_en": "Taken over"})
    upload = ("events.csv", data.export("csv").encode())
    client = logged_in(client, people["editor_a"])
    response = client.post(
        admin_url("import"),
        {"import_file": _file(*upload), "format": "0"},
    )
    assert response.status_code == 200
    assert [e.row for e in response.context["row_errors"]] == [2]
    assert "confirm_form" not in response.context
    assert Event.objects.get(slug="event-b").title_en == "Event of B"


def test_the_admin_export_holds_only_the_editors_events(client, people, events):
    from outreach.resources import EventResource

    columns = {
        f"eventresource_{field.column_name}": "on"
        for field in EventResource().get_export_fields()
    }
    client = logged_in(client, people["editor_a"])
    response = client.post(
        admin_url("export"), {"format": "0", "export_items": [], **columns}
    )
    assert response.status_code == 200
    assert "event-a" in response.content.decode()
    assert "event-b" not in response.content.decode()


def _file(name, content):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_importing_needs_the_import_permission(client, people):
    client = logged_in(client, people["editor_a"])
    assert (
        client.get(admin_url("import", model="agreement", app="registry")).status_code
        == 403
    )
    assert client.get(admin_url("import")).status_code == 200


# --- API writes -------------------------------------------------------------------------

EVENTS = "/api/v1/events/"


def new_event(host):
    return {
        "slug": "api-event",
        "title_en": "From the API",
        "kind": "workshop",
        "host_office": host,
        "city": "houston-tx",
        "time_zone": "America/Chicago",
        "starts_at": "2027-08-30T10:00:00-05:00",
        "is_published": True,
    }


def test_api_event_editor_writes_their_offices_events(people, events):
    api = api_for(people["editor_a"])
    assert api.post(EVENTS, new_event("consulate-a"), format="json").status_code == 201
    response = api.patch(f"{EVENTS}event-a/", {"title_en": "Renamed"}, format="json")
    assert response.status_code == 200
    assert api.delete(f"{EVENTS}api-event/").status_code == 204


def test_api_another_offices_event_is_not_found_for_writes(people, events):
    api = api_for(people["editor_a"])
    assert (
        api.patch(f"{EVENTS}event-b/", {"title_en": "X"}, format="json").status_code
        == 404
    )
    assert (
        api.put(
            f"{EVENTS}event-b/", new_event("consulate-a"), format="json"
        ).status_code
        == 404
    )
    assert api.delete(f"{EVENTS}event-b/").status_code == 404
    assert api.get(f"{EVENTS}event-b/").status_code == 200  # published: readable
    assert Event.objects.filter(slug="event-b", title_en="Event of B").exists()


def test_api_event_editor_cannot_host_elsewhere(people, events):
    api = api_for(people["editor_a"])
    response = api.post(EVENTS, new_event("consulate-b"), format="json")
    assert response.status_code == 400
    assert "host_office" in response.json()
    moved = api.patch(
        f"{EVENTS}event-a/", {"host_office": "consulate-b"}, format="json"
    )
    assert moved.status_code == 400
    assert Event.objects.get(slug="event-a").host_office.slug == "consulate-a"


def test_api_event_editor_sees_only_their_own_drafts(people, offices):
    a, b = offices
    f.EventFactory(slug="draft-a", host_office=a, is_published=False)
    f.EventFactory(slug="draft-b", host_office=b, is_published=False)
    api = api_for(people["editor_a"])
    assert api.get(f"{EVENTS}draft-a/").status_code == 200
    assert api.get(f"{EVENTS}draft-b/").status_code == 404
    assert api_for(people["curator"]).get(f"{EVENTS}draft-b/").status_code == 200


def test_api_event_editors_cannot_write_or_publish_agreements(people):
    draft = f.AgreementFactory(slug="draft", is_published=False)
    published = f.AgreementFactory(slug="public", is_published=True)
    api = api_for(people["editor_a"])
    url = "/api/v1/agreements/"
    assert (
        api.patch(f"{url}public/", {"title_en": "X"}, format="json").status_code == 403
    )
    assert api.get(f"{url}draft/").status_code == 404  # no draft agreements either
    assert api.post(url, {"slug": "x"}, format="json").status_code == 403
    draft.refresh_from_db()
    published.refresh_from_db()
    assert not draft.is_published and published.title_en != "X"


def test_api_anonymous_clients_cannot_write(events):
    api = api_for()
    assert api.post(EVENTS, new_event("consulate-a"), format="json").status_code == 401
    assert api.delete(f"{EVENTS}event-a/").status_code == 401


def test_api_a_curator_writes_any_office_event(people, events):
    api = api_for(people["curator"])
    response = api.patch(
        f"{EVENTS}event-b/", {"title_en": "By a curator"}, format="json"
    )
    assert response.status_code == 200
    assert Event.objects.get(slug="event-b").title_en == "By a curator"
