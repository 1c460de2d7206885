from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """The machinery every collection shares (see docs/architecture.md)."""

    name = "collection"

    def ready(self) -> None:
        from . import signals

        signals.connect()
