"""Office memberships are registry models now (registry 0010): this app lets
them go. Only the migration state changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0004_membership_table_moves"),
        ("registry", "0010_topic_and_membership_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalMembership"),
                migrations.DeleteModel(name="Membership"),
            ]
        ),
    ]
