from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public site: pages that show the registry and outreach together."""

    name = "public"
