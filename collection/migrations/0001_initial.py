"""The data revision, moved here from the `opendata` app with its row (the
table was renamed by opendata's migration 0003); its content type follows."""

import django.utils.timezone
from django.db import migrations, models


def move_content_type(source, target):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=target, model="revision").exists():
            ContentType.objects.filter(app_label=source, model="revision").update(
                app_label=target
            )

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("opendata", "0003_revision_moves_to_collection"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Revision",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.PositiveBigIntegerField(default=0, verbose_name="number")),
                        ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed at")),
                    ],
                    options={
                        "verbose_name": "data revision",
                        "verbose_name_plural": "data revisions",
                    },
                ),
            ]
        ),
        migrations.RunPython(
            move_content_type("opendata", "collection"),
            move_content_type("collection", "opendata"),
        ),
    ]
