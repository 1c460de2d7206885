"""The two staff roles, as groups every app can check (curation.roles keeps
the groups' permissions up to date).

- *curator*: every permission on the registry's data; not scoped to offices.
- *event editor*: the events hosted by the offices they belong to
  (`Office.objects.for_member`, `Event.objects.editable_by`).
"""

from __future__ import annotations

from typing import Any

CURATOR = "curator"
EVENT_EDITOR = "event editor"


def is_active_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def curates_everything(user: Any) -> bool:
    """Superusers and curators are not scoped to offices."""
    if not is_active_staff(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_curates_everything", None)
    if cached is None:
        cached = user.groups.filter(name=CURATOR).exists()
        user._curates_everything = cached
    return bool(cached)
