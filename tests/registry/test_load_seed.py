"""Loading the seed over a registry that curators have worked on: refused
without --force, a report with it, and even applied it never undoes a
person's change, publishes a draft or brings back what a person deleted."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from collection.history import stamp
from registry.models import Agreement, Contact, Law
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("load_seed", stdout=StringIO())


def curate(instance, user, **values):
    for name, value in values.items():
        setattr(instance, name, value)
    stamp(instance, user=user)
    instance.save()


def load_seed(*args):
    out = StringIO()
    call_command("load_seed", *args, stdout=out)
    return out.getvalue()


def test_on_a_database_with_data_it_refuses_and_changes_nothing(seeded):
    curator = f.curator()
    agreement = Agreement.objects.published().order_by("slug").first()
    curate(agreement, curator, is_published=False)
    with pytest.raises(CommandError, match="already has data.*--force"):
        load_seed()
    assert not Agreement.objects.get(pk=agreement.pk).is_published


def test_force_reports_what_it_would_change_and_writes_nothing(seeded):
    curator = f.curator()
    titled, drifted = Agreement.objects.order_by("slug")[:2]
    curate(titled, curator, title_en="Title a curator corrected")
    drifted.title_en = "Changed outside the admin"  # no person on record
    drifted.save()
    Law.objects.get(slug="ada").delete()  # by the system: the seed adds it back

    report = load_seed("--force")

    assert "agreements row" in report
    assert "not applied: changed by curator on" in report
    assert "'Changed outside the admin' -> " in report
    assert "laws row" in report and "add" in report
    assert "Dry run: nothing was written" in report
    assert Agreement.objects.get(pk=titled.pk).title_en == "Title a curator corrected"
    assert Agreement.objects.get(pk=drifted.pk).title_en == "Changed outside the admin"
    assert not Law.objects.filter(slug="ada").exists()


def test_apply_keeps_curation_drafts_and_deletions(seeded):
    curator = f.curator()
    titled, unpublished, drifted, drafted_by_drift = (
        Agreement.objects.published().order_by("slug")[:4]
    )
    seed_title = drifted.title_en
    curate(titled, curator, title_en="Title a curator corrected")
    curate(unpublished, curator, is_published=False)
    # A draft that nobody curated, whose title also drifted: the title comes
    # back from the seed, the draft stays a draft.
    drafted_by_drift.is_published = False
    drafted_by_drift.title_en = "Drifted draft"
    drafted_by_drift.save()
    drifted.title_en = "Changed outside the admin"
    drifted.save()
    contact = Contact.objects.order_by("pk").first()
    stamp(contact, user=curator)
    contact.delete()
    ada = Law.objects.get(slug="ada")
    ada.delete()  # by the system
    revisions = {
        a.pk: a.history.count()
        for a in (titled, unpublished, drifted, drafted_by_drift)
    }

    report = load_seed("--force", "--apply")

    assert "Applied" in report
    assert Agreement.objects.get(pk=titled.pk).title_en == "Title a curator corrected"
    assert not Agreement.objects.get(pk=unpublished.pk).is_published
    assert Agreement.objects.get(pk=drifted.pk).title_en == seed_title
    draft = Agreement.objects.get(pk=drafted_by_drift.pk)
    assert not draft.is_published and draft.title_en != "Drifted draft"
    assert not Contact.objects.filter(pk=contact.pk).exists()  # deleted by a person
    assert not Contact.objects.filter(
        office=contact.office_id,
        agency=contact.agency_id,
        kind=contact.kind,
        value=contact.value,
        source=contact.source_id,
    ).exists()
    assert "deleted by curator" in report
    assert Law.objects.filter(slug="ada").exists()
    # Curated records get no new history row; the applied ones one each.
    assert titled.history.count() == revisions[titled.pk]
    assert unpublished.history.count() == revisions[unpublished.pk]
    assert drifted.history.count() == revisions[drifted.pk] + 1
    # Applied again, the seed has nothing left to change.
    again = load_seed("--force")
    assert "would change 0 record(s)" in again


def test_if_empty_on_an_empty_database_loads_everything():
    report = load_seed("--if-empty")
    assert "Loaded" in report
    assert Agreement.objects.exists()
