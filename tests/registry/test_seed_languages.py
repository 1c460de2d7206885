"""The seed's content is in both languages, and every text the registry
translated says so: in the data, the API and the page."""

import pytest
from django.urls import reverse

from outreach.models import Edition, Event
from registry.models import Agreement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed")]


def cites_spanish_title(agreement):
    """An official Spanish title is cited: its source among the agreement's,
    its words in the note."""
    return "The Spanish title is as" in agreement.note and any(
        source.url in agreement.note for source in agreement.sources.all()
    )


def test_every_published_agreement_has_a_spanish_title_and_both_summaries():
    agreements = list(Agreement.objects.published().prefetch_related("sources"))
    assert len(agreements) > 150
    missing = [
        a.slug
        for a in agreements
        if not (a.title_es.strip() and a.summary_en.strip() and a.summary_es.strip())
    ]
    assert missing == []


def test_every_spanish_title_is_either_the_registrys_translation_or_cited():
    agreements = list(Agreement.objects.published().prefetch_related("sources"))
    unmarked = [
        a.slug
        for a in agreements
        if "title_es" not in a.translated_fields and not cites_spanish_title(a)
    ]
    assert unmarked == []
    # The summaries are the registry's; their Spanish is its translation.
    assert [a.slug for a in agreements if "summary_es" not in a.translated_fields] == []
    official = [a for a in agreements if "title_es" not in a.translated_fields]
    assert official, "the official Spanish titles found are cited"
    assert all(cites_spanish_title(a) for a in official)


def test_events_have_descriptions_in_both_languages_marked_where_translated():
    events = list(Event.objects.published())
    assert [e.slug for e in events if e.description_en and not e.description_es] == []
    for event in events:
        # Exactly one of the two titles is the registry's translation.
        titles = {"title_en", "title_es"} & set(event.translated_fields)
        assert len(titles) == 1, event.slug
        assert "description_es" in event.translated_fields, event.slug


def test_an_edition_theme_given_in_one_language_is_translated_and_marked():
    for edition in Edition.objects.all():
        assert bool(edition.theme_en) == bool(edition.theme_es), edition.year
        if edition.theme_en:
            assert len(edition.translated_fields) <= 1
    assert Edition.objects.exclude(translated_by_registry="").count() >= 5


def test_the_page_and_the_api_say_translated_by_the_registry(client):
    agreement = Agreement.objects.published().exclude(title_es="").first()
    assert "title_es" in agreement.translated_fields
    url = agreement.get_absolute_url()
    spanish = client.get(f"/es{url}")
    text = spanish.content.decode()
    assert agreement.title_es in text
    assert "(traducido por el registro)" in text
    english = client.get(url)
    assert "(translated by the registry)" in english.content.decode()
    api = client.get(reverse("api:agreement-detail", kwargs={"slug": agreement.slug}))
    assert api.json()["translated_by_registry"] == agreement.translated_fields


@pytest.mark.parametrize("words", ["migracion", "MIGRACIÓN", "derechos", "alianza"])
def test_spanish_search_finds_agreements_without_accents_or_case(client, words):
    """`migracion` finds “Migración”, on SQLite as on PostgreSQL."""
    response = client.get("/es/search/", {"q": words})
    assert response.status_code == 200
    found = [
        a.slug
        for a in Agreement.objects.published()
        if a.get_absolute_url() in response.content.decode()
    ]
    assert found, words
