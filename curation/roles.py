"""The two staff roles, and the one rule that scopes event editors.

- *curator*: every permission on the registry's data, imports and exports
  included; publishes agreements.
- *event editor*: adds, changes, imports and exports the events hosted by the
  offices they belong to (Membership), and sees the records an event form
  refers to; nothing else, so no agreement and no publishing of one.

The rule (`editable_events`, `may_host`) serves the admin's changelists and
forms, the spreadsheet import and the API's writes alike. Another office's
event is simply not there: 404, never 403, so its existence is not confirmed.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db.models import QuerySet

CURATOR = "curator"
EVENT_EDITOR = "event editor"

#: Apps whose every model permission curators hold.
CURATED_APPS = ("registry", "outreach", "curation")

#: What an event editor may do to events.
EVENT_ACTIONS = ("add", "change", "delete", "view", "import", "export")

#: What an event form refers to, which event editors may look up (view only).
EVENT_REFERENCES = (
    ("outreach", "edition"),
    ("outreach", "organization"),
    ("outreach", "topic"),
    ("registry", "office"),
    ("registry", "agency"),
    ("registry", "city"),
    ("registry", "source"),
)


def create_all_permissions(apps: Any = global_apps) -> None:
    """Every model's permissions, now: Django creates them after migrations,
    but the roles need them during one (and after a test flushes them)."""
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        models_module = app_config.models_module
        app_config.models_module = models_module or True  # type: ignore[assignment]
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module


def sync_roles(apps: Any = global_apps) -> None:
    """Create both groups with exactly their permissions (run by a migration,
    with the migration's historical models)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    curator, _ = Group.objects.get_or_create(name=CURATOR)
    curator.permissions.set(
        Permission.objects.filter(content_type__app_label__in=CURATED_APPS).exclude(
            content_type__model__startswith="historical"
        )
    )
    editor, _ = Group.objects.get_or_create(name=EVENT_EDITOR)
    wanted = [("outreach", f"{action}_event") for action in EVENT_ACTIONS] + [
        (app_label, f"view_{model}") for app_label, model in EVENT_REFERENCES
    ]
    editor.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
    )


def curates_everything(user: Any) -> bool:
    """Superusers and curators are not scoped to offices."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_curates_everything", None)
    if cached is None:
        cached = user.groups.filter(name=CURATOR).exists()
        user._curates_everything = cached
    return bool(cached)


def offices_of(user: Any) -> QuerySet[Any]:
    """The offices whose events the user may edit."""
    from registry.models import Office

    if curates_everything(user):
        return Office.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Office.objects.none()
    return Office.objects.filter(memberships__user=user)


def editable_events(user: Any, events: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The events the user may change or delete: all of them for curators,
    those hosted by their offices for event editors, none for anyone else."""
    from outreach.models import Event

    events = Event.objects.all() if events is None else events
    if curates_everything(user):
        return events
    if not (user and user.is_authenticated and user.is_active):
        return events.none()
    return events.filter(host_office__memberships__user=user)


def may_host(user: Any, office: Any) -> bool:
    """May the user give an event this host office?"""
    if curates_everything(user):
        return True
    if office is None:
        return False
    return offices_of(user).filter(pk=office.pk).exists()
