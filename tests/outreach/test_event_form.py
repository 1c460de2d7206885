"""The admin's event form as consulate staff use it: a title in either
language is enough, the slug makes itself, times are the event's local times
in its city's time zone, languages are checkboxes, their office comes chosen;
and the admin speaks the language its user chose."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outreach.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db
ADD = "/admin/outreach/event/add/"


@pytest.fixture
def chicago():
    city = f.CityFactory(name="Chicago", slug="chicago-il", time_zone="America/Chicago")
    return f.ConsulateFactory(name="Consulado de México en Chicago", city=city)


@pytest.fixture
def editor(client, chicago):
    client.force_login(f.event_editor("chicago-staff", chicago))
    return client


def posted(office, **fields):
    return {
        "title_en": "",
        "title_es": "",
        "slug": "",
        "kind": "workshop",
        "status": "scheduled",
        "mode": "in_person",
        "host_office": office.pk,
        "city": office.city.pk,
        "time_zone": "",
        "starts_at_0": "2027-09-01",
        "starts_at_1": "17:00:00",
        **fields,
    }


def test_a_new_event_starts_at_the_editors_office_in_its_citys_time_zone(
    editor, chicago
):
    form = editor.get(ADD).context["adminform"].form
    assert form.initial["host_office"] == chicago.pk
    assert form.initial["city"] == chicago.city.pk
    assert form.initial["time_zone"] == "America/Chicago"
    page = editor.get(ADD).content.decode()
    assert 'type="checkbox" name="languages" value="es"' in page
    assert 'type="checkbox" name="translated_by_registry" value="title_es"' in page


def test_a_spanish_title_is_enough_and_the_rest_fills_itself(editor, chicago):
    response = editor.post(
        ADD,
        posted(
            chicago,
            title_es="Taller de salarios en Pilsen",
            languages=["en", "es"],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert event.slug == "2027-taller-de-salarios-en-pilsen"
    assert event.time_zone == "America/Chicago"
    assert event.languages == "es,en"  # in the list's order, whatever the ticks'
    # 17:00 as typed is 17:00 in Chicago, not on the server's clock.
    assert event.starts_at == datetime(
        2027, 9, 1, 17, tzinfo=ZoneInfo("America/Chicago")
    )
    again = editor.post(ADD, posted(chicago, title_es="Taller de salarios en Pilsen"))
    assert again.status_code == 302
    assert Event.objects.latest("pk").slug == "2027-taller-de-salarios-en-pilsen-2"


def test_the_form_shows_an_events_times_in_its_own_time_zone(editor, chicago):
    event = f.EventFactory(
        host_office=chicago,
        city=chicago.city,
        starts_at=datetime(2027, 9, 1, 17, tzinfo=ZoneInfo("America/Chicago")),
    )
    page = editor.get(reverse("admin:outreach_event_change", args=[event.pk]))
    assert 'value="17:00:00"' in page.content.decode()


def test_no_title_at_all_is_a_form_error(editor, chicago):
    response = editor.post(ADD, posted(chicago))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["Give a title in English or in Spanish."]
    assert not Event.objects.exists()


@pytest.mark.parametrize("city", ["99999999999999999999999", "abc", "0"])
def test_a_city_that_names_nothing_is_a_form_error_not_a_500(editor, chicago, city):
    response = editor.post(ADD, posted(chicago, title_es="Taller", city=city))
    assert response.status_code == 200
    assert "city" in response.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_a_language_code_outside_the_list_is_refused(chicago):
    event = f.EventFactory(host_office=chicago, languages="es,xx")
    with pytest.raises(ValidationError, match="Unknown language code: xx"):
        event.full_clean()


def test_the_admin_speaks_the_language_its_user_chose(editor):
    assert 'lang="en"' in editor.get(ADD).content.decode()
    editor.post("/i18n/setlang/", {"language": "es", "next": ADD})
    page = editor.get(ADD).content.decode()
    assert '<html lang="es"' in page
    assert "Título (español)" in page  # the project's labels
    assert "Guardar y añadir otro" in page  # Django's own
    assert "Basta un título en inglés o en español." in page
    # The public site keeps the language of its address.
    assert '<html lang="en">' in editor.get("/").content.decode()
