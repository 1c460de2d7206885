"""Topics (from outreach) and office memberships (from curation) become
registry models. Their tables were renamed by outreach 0010 and curation 0004;
here the models, the lists that point at topics, and their content types (so
permissions, group grants and admin log entries) move over. Only the
migration state changes: every row and every history entry stays where it is.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = [
    ("outreach", "topic"),
    ("outreach", "historicaltopic"),
    ("curation", "membership"),
    ("curation", "historicalmembership"),
]


def move_content_types(forwards):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for app_label, model in MOVED:
            source, target = (app_label, "registry") if forwards else ("registry", app_label)
            if not ContentType.objects.filter(app_label=target, model=model).exists():
                ContentType.objects.filter(app_label=source, model=model).update(
                    app_label=target
                )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_constraint_messages"),
        ("outreach", "0010_topic_table_moves"),
        ("curation", "0004_membership_table_moves"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Topic",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("slug", models.SlugField(max_length=60, unique=True, verbose_name="slug")),
                        ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                        ("name_es", models.CharField(max_length=100, verbose_name="name (Spanish)")),
                        ("updated_at", models.DateTimeField(auto_now=True, db_index=True, verbose_name="updated at")),
                    ],
                    options={
                        "verbose_name": "topic",
                        "verbose_name_plural": "topics",
                        "ordering": ["name_en"],
                        "permissions": (("import_topic", "Can import topics"), ("export_topic", "Can export topics")),
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalTopic",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("slug", models.SlugField(max_length=60, verbose_name="slug")),
                        ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                        ("name_es", models.CharField(max_length=100, verbose_name="name (Spanish)")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical topic",
                        "verbose_name_plural": "historical topics",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AlterField(
                    model_name="agreement",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="agreements", to="registry.topic", verbose_name="topics"),
                ),
                migrations.AlterField(
                    model_name="historicalagreement_topics",
                    name="topic",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registry.topic"),
                ),
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("office", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="registry.office", verbose_name="office")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "office membership",
                        "verbose_name_plural": "office memberships",
                        "constraints": [models.UniqueConstraint(fields=("user", "office"), name="membership_unique_office", violation_error_message="This person already belongs to this office.")],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalMembership",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("office", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registry.office", verbose_name="office")),
                        ("user", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "historical office membership",
                        "verbose_name_plural": "historical office memberships",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ]
        ),
        migrations.RunPython(move_content_types(True), move_content_types(False)),
    ]
