import django.db.models.deletion
from django.db import migrations, models

# Portable (PostgreSQL and SQLite): each row takes its target's post.
FILL = """
UPDATE analytics_targetmetrics SET post_id = (
    SELECT publishing_posttarget.post_id FROM publishing_posttarget
    WHERE publishing_posttarget.id = analytics_targetmetrics.target_id
)
"""


class Migration(migrations.Migration):
    """TargetMetrics.post, copied from the target: the selectors count posts without joining targets."""

    dependencies = [
        ("analytics", "0003_published_index"),
        ("publishing", "0007_missed_and_unsent_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetmetrics",
            name="post",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="publishing.post"
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="targetmetrics",
            name="post",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="publishing.post"),
        ),
    ]
