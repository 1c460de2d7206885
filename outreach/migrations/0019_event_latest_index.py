"""Events most recent first (EventQuerySet.latest_first(): starts_at DESC
NULLS LAST, title_en), indexed on PostgreSQL, alone and after the city, so that an agency's, an
office's or a city's latest events are read off the index, stopping after
the few a page shows, instead of sorting all of them (31,000 for one agency
at 200,000 events). PostgreSQL only, like registry's agreement_listing: an
SQLite index cannot say NULLS LAST."""

from django.db import migrations

INDEXES = {
    "event_latest": "(starts_at DESC NULLS LAST, title_en)",
    # A city's past events, latest first (the city page).
    "event_city_latest": "(city_id, starts_at DESC NULLS LAST, title_en)",
}


def create_latest(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON outreach_event {columns}"
            )


def drop_latest(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0018_list_indexes"),
    ]

    operations = [migrations.RunPython(create_latest, drop_latest)]
