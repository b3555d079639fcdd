"""Rebuilding the dashboards' rollups (dashboards/models.py) from the other apps' tables.

One organization at a time, in one transaction: its rows are deleted and written again,
so a page never sees half of a refresh (it reads the old rows until the commit). Each
session's facilitation model and training level are computed by the same selectors the
feedback pages use, so the dashboards and those pages agree.

A fixed number of queries per organization whatever its size (the reads below, then the
deletes and the batched writes); on PostgreSQL the writes go through COPY.
"""

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Organization
from facilitators.models import Review, Rubric
from facilitators.selectors.reviews import reviews_with_scores, scores_of
from feedback.models import FeedbackResponse
from feedback.selectors import feedback_totals
from sessions_app.models import (
    Adaptation,
    Attendance,
    Enrollment,
    FacilitatorAssignment,
    Recording,
    Session,
    SessionFacilitator,
    SessionLog,
)
from sessions_app.selectors import facilitation_models

from ..models import FeedbackFact, RollupRefresh, SessionFact, SessionFactMember
from ..selectors.feedback_by_training_level import session_training_levels
from ..selectors.filters import month_start

BATCH = 5000


def _bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert plain tuples in `fields` order: COPY on PostgreSQL, bulk_create elsewhere."""
    columns = [cast(models.Field, model._meta.get_field(name)).column for name in fields]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(str(column)) for column in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    manager = model._default_manager
    batch: list[models.Model] = []
    for row in rows:
        batch.append(model(**{str(c): value for c, value in zip(columns, row, strict=True)}))
        if len(batch) >= BATCH:
            manager.bulk_create(batch)
            batch = []
    manager.bulk_create(batch)


def _enrolled_on(organization: Organization) -> dict[int, list[tuple[date, date | None]]]:
    spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for group_id, joined_on, left_on in Enrollment.objects.filter(
        group__organization=organization
    ).values_list("group_id", "joined_on", "left_on"):
        spans[group_id].append((joined_on, left_on))
    return spans


def _counts(queryset: models.QuerySet[Any], key: str) -> dict[int, int]:
    return dict(queryset.values_list(key).annotate(n=Count("pk")).order_by().values_list(key, "n"))


def _parts_done(session_ids: models.QuerySet[Any]) -> dict[int, int]:
    """Of check-in, the quotation, handouts and check-out, how many each session's log
    records as done."""
    rows = (
        SessionLog.objects.filter(session_id__in=session_ids)
        .annotate(handouts=Count("handouts_used"))
        .values_list(
            "session_id", "check_in_done", "quotation_reference", "handouts", "check_out_done"
        )
    )
    return {
        session_id: int(check_in) + int(bool(quotation)) + int(handouts > 0) + int(check_out)
        for session_id, check_in, quotation, handouts, check_out in rows
    }


def _fidelity(session_ids: models.QuerySet[Any]) -> dict[int, tuple[int, Decimal, int]]:
    """Per session: its submitted fidelity reviews, the sum of their adherence means and
    how many pass (scored as the reviews pages score them)."""
    found: dict[int, tuple[int, Decimal, int]] = {}
    for review in reviews_with_scores().filter(
        status=Review.Status.SUBMITTED,
        assignment__rubric__kind=Rubric.Kind.FIDELITY,
        assignment__recording__session_id__in=session_ids,
    ):
        scores = scores_of(review)
        if scores.adherence is None:
            continue
        recording = review.assignment.recording
        assert recording is not None  # the filter above reached it
        session_id = recording.session_id
        count, total, passing = found.get(session_id, (0, Decimal(0), 0))
        found[session_id] = (count + 1, total + scores.adherence, passing + int(scores.passes))
    return found


def _teams(sessions: Sequence[tuple], organization: Organization) -> dict[int, set[int]]:
    """Each session's facilitators: held ones from their snapshot, the others from their
    group's assignments today and the session's clinician."""
    held = [row[0] for row in sessions if row[2] == Session.Status.HELD]
    snapshot: dict[int, set[int]] = defaultdict(set)
    for session_id, user_id in SessionFacilitator.objects.filter(
        session__group__organization=organization
    ).values_list("session_id", "user_id"):
        snapshot[session_id].add(user_id)
    assigned: dict[int, set[int]] = defaultdict(set)
    for group_id, user_id in FacilitatorAssignment.objects.filter(
        group__organization=organization
    ).values_list("group_id", "user_id"):
        assigned[group_id].add(user_id)
    held_set = set(held)
    teams = {}
    for pk, group_id, _status, _starts, _zone, clinician_id, *_rest in sessions:
        if pk in held_set:
            teams[pk] = snapshot.get(pk, set())
        else:
            teams[pk] = assigned.get(group_id, set()) | ({clinician_id} if clinician_id else set())
    return teams


def rollups_refresh(organization: Organization) -> int:
    """Rebuild one organization's rollups; returns how many sessions they hold."""
    started = time.monotonic()
    session_rows = Session.objects.filter(group__organization=organization)
    sessions = list(
        session_rows.order_by("pk").values_list(
            "pk",
            "group_id",
            "status",
            "starts_at",
            "group__timezone",
            "clinician_id",
            "cancel_reason",
            "topic_id",
            "drop_in_count",
        )
    )
    zones: dict[str, ZoneInfo] = {}
    local_dates = {}
    for pk, _group, _status, starts_at, zone, *_rest in sessions:
        tz = zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))
        local_dates[pk] = starts_at.astimezone(tz).date()
    ids = session_rows.values("pk")
    models_by_id = facilitation_models(local_dates)
    levels = session_training_levels(
        (pk, status, group_id, local_dates[pk]) for pk, group_id, status, *_ in sessions
    )
    spans = _enrolled_on(organization)
    present = _counts(
        Attendance.objects.filter(session_id__in=ids, status=Attendance.Status.PRESENT),
        "session_id",
    )
    adaptations = _counts(Adaptation.objects.filter(session_id__in=ids), "session_id")
    responses = _counts(FeedbackResponse.objects.filter(session_id__in=ids), "session_id")
    recorded = set(
        Recording.objects.filter(session_id__in=ids).values_list("session_id", flat=True)
    )
    parts = _parts_done(ids)
    teams = _teams(sessions, organization)
    feedback = feedback_totals(sessions=session_rows).per_session
    fidelity = _fidelity(ids)

    def fact_rows() -> Iterable[tuple]:
        for (
            pk,
            group_id,
            status,
            _starts,
            _zone,
            _clinician,
            reason,
            topic_id,
            drop_ins,
        ) in sessions:
            day = local_dates[pk]
            enrolled = sum(
                1
                for joined_on, left_on in spans.get(group_id, ())
                if joined_on <= day and (left_on is None or left_on > day)
            )
            yield (
                pk,
                organization.pk,
                group_id,
                day,
                month_start(day),
                status,
                reason,
                topic_id,
                models_by_id[pk].value,
                levels[pk],
                enrolled,
                present.get(pk, 0),
                drop_ins,
                parts.get(pk, 0),
                adaptations.get(pk, 0),
                pk in recorded,
                responses.get(pk, 0),
                *fidelity.get(pk, (0, Decimal(0), 0)),
            )

    with transaction.atomic():
        FeedbackFact.objects.filter(fact__organization=organization).delete()
        SessionFactMember.objects.filter(fact__organization=organization).delete()
        SessionFact.objects.filter(organization=organization).delete()
        _bulk_insert(
            SessionFact,
            (
                "session",
                "organization",
                "group",
                "local_date",
                "month",
                "status",
                "cancel_reason",
                "topic",
                "facilitation_model",
                "training_level",
                "enrolled",
                "present",
                "drop_ins",
                "parts_done",
                "adaptations",
                "recorded",
                "responses",
                "fidelity_reviews",
                "fidelity_total",
                "fidelity_passing",
            ),
            fact_rows(),
        )
        _bulk_insert(
            SessionFactMember,
            ("fact", "user"),
            ((pk, user_id) for pk, people in teams.items() for user_id in sorted(people)),
        )
        _bulk_insert(
            FeedbackFact,
            ("fact", "item_key", "answers", "total"),
            (
                (session_id, key, aggregate.responses, int(aggregate.total))
                for (session_id, key), aggregate in sorted(feedback.items())
            ),
        )
        RollupRefresh.objects.update_or_create(
            organization=organization,
            defaults={
                "refreshed_at": timezone.now(),
                "sessions": len(sessions),
                "seconds": round(time.monotonic() - started, 3),
            },
        )
    return len(sessions)


def rollups_refresh_all(*, organizations: Iterable[Organization] | None = None) -> dict[str, int]:
    """Rebuild every (or the given) organization's rollups, each in its own transaction;
    returns sessions by organization slug."""
    chosen = Organization.objects.order_by("pk") if organizations is None else organizations
    return {organization.slug: rollups_refresh(organization) for organization in chosen}
