from decimal import Decimal

import pytest
from django.utils import translation

from outreach.models import Outcome
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_figures_read_as_sources_give_them():
    outcome = f.OutcomeFactory(
        value=Decimal("18750.00"),
        metric=Outcome.Metric.PEOPLE_REACHED,
        qualifier=Outcome.Qualifier.MORE_THAN,
    )
    with translation.override("en"):
        assert str(outcome) == "People reached: more than 18,750"
    assert f.OutcomeFactory(value=Decimal("2.5")).amount == "2.5"


def test_content_is_shown_in_the_visitors_language_with_a_fallback():
    event = f.EventFactory(title_en="Opening", title_es="Inauguración")
    english_only = f.EventFactory(title_en="Workshop", title_es="")
    edition = f.EditionFactory(
        year=2020, theme_en="", theme_es="Tus derechos son esenciales"
    )
    with translation.override("es"):
        assert (event.title, english_only.title) == ("Inauguración", "Workshop")
        assert str(edition) == "Semana de Derechos Laborales 2020"
    with translation.override("en"):
        assert event.title == "Opening"
        assert edition.theme == "Tus derechos son esenciales"


def test_event_and_edition_urls():
    assert f.EditionFactory(year=2018).get_absolute_url() == "/labor-rights-week/2018/"
    assert (
        f.EventFactory(slug="2016-houston").get_absolute_url()
        == "/events/2016-houston/"
    )
