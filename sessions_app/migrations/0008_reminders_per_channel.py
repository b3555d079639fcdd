from django.db import migrations, models


def split_opt_in(apps, schema_editor):
    # Whoever wanted reminders keeps them on both channels; a channel without its
    # contact detail sends nothing (the sender checks the contact at send time).
    Participant = apps.get_model("sessions_app", "Participant")
    Participant.objects.filter(reminder_opt_in=True).update(remind_by_email=True, remind_by_sms=True)


def join_opt_in(apps, schema_editor):
    Participant = apps.get_model("sessions_app", "Participant")
    Participant.objects.filter(
        models.Q(remind_by_email=True) | models.Q(remind_by_sms=True)
    ).update(reminder_opt_in=True)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0007_recording_purpose_calibration"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="remind_by_email",
            field=models.BooleanField(default=False, verbose_name="reminders by email"),
        ),
        migrations.AddField(
            model_name="participant",
            name="remind_by_sms",
            field=models.BooleanField(default=False, verbose_name="reminders by text message"),
        ),
        migrations.AddField(
            model_name="historicalparticipant",
            name="remind_by_email",
            field=models.BooleanField(default=False, verbose_name="reminders by email"),
        ),
        migrations.AddField(
            model_name="historicalparticipant",
            name="remind_by_sms",
            field=models.BooleanField(default=False, verbose_name="reminders by text message"),
        ),
        migrations.RunPython(split_opt_in, join_opt_in),
        migrations.RemoveField(model_name="participant", name="reminder_opt_in"),
        migrations.RemoveField(model_name="historicalparticipant", name="reminder_opt_in"),
    ]
