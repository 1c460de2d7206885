"""Keep the data revision in step with every write to the registry's data.

This is cache bookkeeping, not domain logic: any save, delete or change of a
many-to-many list of a curated (history-tracked) model moves the revision on,
so that no client is told "not modified" about data that changed. Bulk writes
that bypass signals (QuerySet.update, bulk_create) call Revision.bump()
themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from .history import tracked_models

#: Sent by an import after it wrote a batch of rows in bulk (no post_save is
#: sent for them): sender the model, `instances` the rows written.
bulk_written = Signal()


def _bump(sender: Any, **kwargs: Any) -> None:
    from .models import Revision

    if kwargs.get("raw"):
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    Revision.bump()


def connect() -> None:
    for model in tracked_models():
        label = model._meta.label
        post_save.connect(_bump, sender=model, dispatch_uid=f"revision-save-{label}")
        post_delete.connect(
            _bump, sender=model, dispatch_uid=f"revision-delete-{label}"
        )
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            assert through is not None
            m2m_changed.connect(
                _bump,
                sender=through,
                dispatch_uid=f"revision-m2m-{through._meta.label}",
            )
