"""The two staff roles' permissions, kept in step with the models.

- *curator*: every permission on the registry's data, imports and exports
  included; publishes agreements.
- *event editor*: adds, changes, imports and exports the events hosted by the
  offices they belong to (Membership), and sees the records an event form
  refers to; nothing else, so no agreement and no publishing of one.

The groups are checked everywhere through collection.roles; which events an
editor may change is `Event.objects.editable_by(user)` (outreach). This module
only says which permissions each group holds, for every app at once.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps

from collection.roles import CURATOR, EVENT_EDITOR

__all__ = ["CURATOR", "EVENT_EDITOR", "create_all_permissions", "sync_roles"]

#: Apps whose every model permission curators hold.
CURATED_APPS = ("registry", "outreach")

#: What an event editor may do to events.
EVENT_ACTIONS = ("add", "change", "delete", "view", "import", "export")

#: What an event form refers to, which event editors may look up (view only).
EVENT_REFERENCES = (
    ("outreach", "edition"),
    ("outreach", "organization"),
    ("registry", "topic"),
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
    """Create both groups with exactly their permissions (after every
    `migrate`, and by a migration with the migration's historical models, in
    which a model the roles name may not exist yet: it is left out until the
    `migrate` that adds it)."""
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
            permission
            for app_label, codename in wanted
            for permission in Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        ]
    )
