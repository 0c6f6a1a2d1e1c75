from django.db import migrations

SCHEDULES = {
    # name: (function, minutes between runs)
    "analytics.sync_posts": ("analytics.tasks.sync_posts", 5),
    "analytics.sync_accounts": ("analytics.tasks.sync_accounts", 60),
}


def add_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1}
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    """Post figures every five minutes (what is due on the 1 h … 28 d ladder), accounts hourly (each
    once per local day), on django-q2's scheduler (type I = every `minutes`)."""

    dependencies = [
        ("analytics", "0001_metrics"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
