"""The curator and event editor groups, with their permissions (curation.roles)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from curation.roles import create_all_permissions, sync_roles

    # Permissions are normally created after all migrations have run; create
    # them now so that the groups can hold them on a fresh database.
    create_all_permissions(apps)
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    from curation.roles import CURATOR, EVENT_EDITOR

    apps.get_model("auth", "Group").objects.filter(
        name__in=[CURATOR, EVENT_EDITOR]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_initial"),
        ("registry", "0008_history_and_transfer_permissions"),
        ("outreach", "0008_history_and_transfer_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
