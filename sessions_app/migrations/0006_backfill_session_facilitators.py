"""Backfill who ran each session already held, from its group's assignments as they stand
now (the best record there is of a past day) and the session's clinician: the rule of
`sessions_app.services.running.session_team_snapshot`, repeated here on the historical
models. Sessions that already have a snapshot are left alone, so running it again adds
nothing."""

from django.db import migrations


def backfill(apps, schema_editor):
    Session = apps.get_model("sessions_app", "Session")
    FacilitatorAssignment = apps.get_model("sessions_app", "FacilitatorAssignment")
    SessionFacilitator = apps.get_model("sessions_app", "SessionFacilitator")
    held = Session.objects.filter(status="held").exclude(
        pk__in=SessionFacilitator.objects.values("session_id")
    )
    sessions = list(held.values_list("pk", "group_id", "clinician_id"))
    teams: dict[int, list[tuple[int, str]]] = {}
    for group_id, user_id, role in FacilitatorAssignment.objects.filter(
        group_id__in={group_id for _, group_id, _ in sessions}
    ).values_list("group_id", "user_id", "role"):
        teams.setdefault(group_id, []).append((user_id, role))
    rows = []
    for session_id, group_id, clinician_id in sessions:
        for user_id, role in teams.get(group_id, []):
            rows.append(SessionFacilitator(session_id=session_id, user_id=user_id, role=role))
        if clinician_id:
            rows.append(
                SessionFacilitator(
                    session_id=session_id, user_id=clinician_id, role="session_clinician"
                )
            )
    SessionFacilitator.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0005_session_facilitators")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
