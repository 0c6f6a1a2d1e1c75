from django.db import migrations


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="publishing.sweep",
        defaults={"func": "publishing.tasks.sweep", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="publishing.sweep").delete()


class Migration(migrations.Migration):
    """The sweeper runs every minute on django-q2's scheduler (type I = every `minutes`)."""

    dependencies = [
        ("publishing", "0002_posts"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
