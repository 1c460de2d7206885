from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """The machinery every collection shares (see docs/architecture.md)."""

    name = "collection"

    def ready(self) -> None:
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from . import search, signals
        from .models import Revision

        signals.connect()
        connection_created.connect(search.register_fold, dispatch_uid="collection-fold")
        request_started.connect(Revision.forget, dispatch_uid="collection-revision")
