"""The registry's multi-record writes: all or nothing, and every row they
write, change or drop keeps its history with who did it."""

import pytest
from django.db import IntegrityError

from registry.models import Agreement, AgreementSource, Party, Source
from registry.services import cite_sources, save_agreement, sources_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def citations(agreement):
    return [
        (c.source.url, c.is_primary)
        for c in agreement.citations.select_related("source").order_by(
            "-is_primary", "source__url"
        )
    ]


def test_sources_for_finds_known_sources_and_adds_new_urls_with_history():
    curator = f.curator()
    known = f.SourceFactory(url="https://www.dol.gov/a")
    printed = f.SourceFactory(url="", title="Annual report 2012")
    found = sources_for(
        keys=["https://www.dol.gov/a", "Annual report 2012", "https://sre.gob.mx/b"],
        by=curator,
    )
    assert found[:2] == [known, printed]
    new = found[2]
    assert (new.url, new.reliability) == (
        "https://sre.gob.mx/b",
        Source.Reliability.UNRATED,
    )
    assert new.history.get().history_user == curator
    with pytest.raises(LookupError):
        sources_for(keys=["No such printed report"], by=curator)


def test_cite_sources_makes_the_first_primary_and_records_every_change():
    curator = f.curator()
    agreement = f.AgreementFactory()
    a, b, c = (f.SourceFactory(url=f"https://example.org/{n}") for n in "abc")
    cite_sources(citations={agreement: [a, b]}, by=curator)
    assert citations(agreement) == [(a.url, True), (b.url, False)]

    cite_sources(citations={agreement: [b, c]}, by=curator, reason="checked")
    assert citations(agreement) == [(b.url, True), (c.url, False)]
    history = AgreementSource.history.order_by("history_id")
    assert [(h.source_id, h.history_type, h.is_primary) for h in history] == [
        (a.pk, "+", True),
        (b.pk, "+", False),
        (a.pk, "-", True),
        (c.pk, "+", False),
        (b.pk, "~", True),
    ]
    assert {h.history_user for h in history} == {curator}
    assert {h.history_change_reason for h in history[2:]} == {"checked"}


def test_save_agreement_writes_the_agreement_its_parties_and_sources_with_history():
    curator = f.curator()
    consulate, district = f.ConsulateFactory(), f.OfficeFactory()
    law = f.LawFactory()
    source = f.SourceFactory()
    agreement = Agreement(
        title_en="Alliance",
        slug="alliance",
        kind=Agreement.Kind.ALLIANCE,
        scope=Agreement.Scope.LOCAL,
        signed_on_precision="unknown",
    )
    save_agreement(
        agreement=agreement,
        lists={"laws": [law]},
        parties=[
            Party(office=district, side=Party.Side.US, signer_name="A. Director"),
            Party(office=consulate, side=Party.Side.FOREIGN),
        ],
        sources=[source],
        by=curator,
    )
    saved = Agreement.objects.get(slug="alliance")
    assert [p.office for p in saved.parties.order_by("position")] == [
        district,
        consulate,
    ]
    assert list(saved.laws.all()) == [law]
    assert citations(saved) == [(source.url, True)]
    assert saved.history.latest("history_id").history_user == curator
    assert {p.history_user for p in Party.history.all()} == {curator}

    # Replacing the parties drops the old rows, which keep their history.
    save_agreement(
        agreement=saved, parties=[Party(office=consulate, side="foreign")], by=curator
    )
    assert [p.office for p in saved.parties.all()] == [consulate]
    assert Party.history.filter(history_type="-").count() == 2


def test_save_agreement_is_all_or_nothing():
    office = f.OfficeFactory()
    agreement = f.AgreementFactory(title_en="Before")
    agreement.title_en = "After"
    with pytest.raises(IntegrityError):
        save_agreement(
            agreement=agreement,
            parties=[
                Party(office=office, side="us"),
                Party(office=office, side="us"),  # one party row per office
            ],
            by=None,
        )
    agreement.refresh_from_db()
    assert agreement.title_en == "Before"
    assert not agreement.parties.exists()
