from django.db import migrations


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name="reports.report_sweep",
        defaults={"func": "reports.tasks.report_sweep", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="reports.report_sweep").delete()


class Migration(migrations.Migration):
    """Every minute, reports whose job went silent (a killed worker, a lost task) are queued again."""

    dependencies = [("reports", "0002_monthly_schedule")]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
