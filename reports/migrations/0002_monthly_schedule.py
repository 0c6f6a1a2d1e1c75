from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone


def add_schedule(apps, schema_editor):
    # The first of next month at 06:00 (site time), then monthly ("M") from there.
    today = timezone.localdate()
    first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    next_run = timezone.make_aware(datetime.combine(first, time(6, 0)))
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name="reports.monthly_reports",
        defaults={"func": "reports.tasks.monthly_reports", "schedule_type": "M", "repeats": -1, "next_run": next_run},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="reports.monthly_reports").delete()


class Migration(migrations.Migration):
    """Last month's reports are made and emailed on the first of each month (django-q2's scheduler)."""

    dependencies = [
        ("reports", "0001_reports"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
