from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Static files, without the map's build tooling (static/map/) in production."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "map"]
