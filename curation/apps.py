from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CurationConfig(AppConfig):
    name = "curation"
    verbose_name = _("Curation")

    def ready(self) -> None:
        post_migrate.connect(
            keep_roles, sender=self, dispatch_uid="curation.keep_roles"
        )


def keep_roles(sender: AppConfig, apps: Any = global_apps, **kwargs: Any) -> None:
    """After every `migrate` (and every flush), both roles hold exactly their
    permissions, those of models added since included."""
    from .roles import create_all_permissions, sync_roles

    create_all_permissions(apps)
    sync_roles(apps)
