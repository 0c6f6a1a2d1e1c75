from django.db import migrations


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name="integrations.storage_import_sweep",
        defaults={"func": "integrations.storage.imports.sweep", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="integrations.storage_import_sweep").delete()


class Migration(migrations.Migration):
    """Storage imports whose worker died are re-queued every minute on django-q2's scheduler."""

    dependencies = [
        ("integrations", "0007_storage_pick_cursor_deliverable_file"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
