"""Keep what an agreement derives from other records in step with them: the
names of its parties, which its search reads (`Agreement.party_names`).

Any write of a party, an office or an agency, one by one (post_save,
post_delete) or in bulk by an import (collection.signals.bulk_written),
rewrites the names of the agreements it touches, as one UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from collection.signals import bulk_written

from .models import Agency, Agreement, Office, Party


def agreements_of(model: type[Any], keys: Iterable[Any]) -> Any:
    """The agreements whose party names rows of `model` (by key) are in."""
    keys = list(keys)
    if model is Agreement:
        return Agreement.objects.filter(pk__in=keys)
    if model is Party:
        parties = Party.objects.filter(pk__in=keys)
    elif model is Office:
        parties = Party.objects.filter(office__in=keys)
    else:
        parties = Party.objects.filter(Q(agency__in=keys) | Q(office__agency__in=keys))
    return Agreement.objects.filter(pk__in=parties.order_by().values("agreement_id"))


def _written(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if sender is Party:
        # Also when the party is gone (post_delete).
        Agreement.objects.filter(pk=instance.agreement_id).refresh_party_names()
        return
    agreements_of(sender, [instance.pk]).refresh_party_names()


def _bulk_written(sender: type[Any], instances: list[Any], **kwargs: Any) -> None:
    if sender is Party:
        keys = {party.agreement_id for party in instances}
        Agreement.objects.filter(pk__in=keys).refresh_party_names()
    elif sender in (Agreement, Office, Agency):
        agreements_of(sender, [i.pk for i in instances]).refresh_party_names()


def connect() -> None:
    for model in (Party, Office, Agency):
        label = model._meta.label
        post_save.connect(_written, sender=model, dispatch_uid=f"names-save-{label}")
    post_delete.connect(_written, sender=Party, dispatch_uid="names-delete-party")
    bulk_written.connect(_bulk_written, dispatch_uid="names-bulk")
