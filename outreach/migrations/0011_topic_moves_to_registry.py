"""Topics are registry models now (registry 0010): events' topic lists point
there, and this app lets the models go. Only the migration state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0010_topic_table_moves"),
        ("registry", "0010_topic_and_membership_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalevent_topics",
                    name="topic",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registry.topic"),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="events", to="registry.topic", verbose_name="topics"),
                ),
                migrations.DeleteModel(name="HistoricalTopic"),
                migrations.DeleteModel(name="Topic"),
            ]
        ),
    ]
