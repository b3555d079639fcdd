"""Demo rater calibration for `seed_demo`: safe to run again.

The demo training center (accounts.demo) holds two practice sessions whose volunteers
consented on a form that covers calibration. Each gets a calibration-purpose recording
through sessions_app's real upload service, kept for calibration by the platform admin
with gold-standard ratings of the fidelity rubric. The demo reviewer has passed one
attempt, on the first; passing the second, in the demo, makes them a calibrated rater.
"""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import User
from sessions_app.models import Recording, Session
from sessions_app.services.recordings import recording_upload

from .demo_reviews import tiny_wav
from .models import CalibrationAttempt, CalibrationRecording, GoldRating, Rubric, RubricItem
from .services.calibration import calibration_recording_save, calibration_start, calibration_submit
from .services.reviews import RatingInput

ADMIN = "admin@demo.example"
CLINICIAN = "clinician@demo.example"
REVIEWER = "reviewer@demo.example"

# The expert's adherence per part (helpfulness half a point lower), per practice session.
GOLD = [
    {"Format": "2.5", "Content": "2", "Process": "2"},
    {"Format": "3", "Content": "2.5", "Process": "1.5"},
]


def _gold_values(
    rubric: Rubric, by_part: dict[str, str]
) -> dict[int, tuple[Decimal, Decimal | None]]:
    values = {}
    for item in RubricItem.objects.filter(part__rubric=rubric).select_related("part"):
        adherence = Decimal(by_part.get(item.part.name, "2"))
        helpfulness = adherence - Decimal("0.5") if item.takes_helpfulness else None
        values[item.pk] = (adherence, helpfulness)
    return values


def _calibration(
    session: Session, *, rubric: Rubric, gold: dict[str, str], number: int, users: dict[str, User]
) -> CalibrationRecording:
    existing = CalibrationRecording.objects.filter(recording__session=session).first()
    if existing is not None:
        return existing
    recording = recording_upload(
        session=session,
        file=SimpleUploadedFile("practice.wav", tiny_wav(str(session.code).encode()), "audio/wav"),
        purpose=Recording.Purpose.CALIBRATION,
        uploaded_by=users[CLINICIAN],
    )
    calibration = CalibrationRecording(
        recording=recording, rubric=rubric, title=f"Practice session {number} (role play)"
    )
    calibration_recording_save(calibration=calibration, by=users[ADMIN])
    for item_id, (adherence, helpfulness) in _gold_values(rubric, gold).items():
        rating = GoldRating(
            calibration=calibration, item_id=item_id, adherence=adherence, helpfulness=helpfulness
        )
        rating.full_clean()
        rating.save()
    return calibration


def _passed_attempt(calibration: CalibrationRecording, *, gold: dict[str, str], by: User) -> None:
    """The reviewer's attempt: within half a point of gold on every item but the first,
    whose adherence they rated a full point lower (still over 80% agreement: a pass)."""
    if calibration.attempts.submitted().filter(reviewer=by).exists():
        return
    attempt = calibration_start(calibration=calibration, by=by)
    ratings: dict[int, RatingInput] = {}
    for index, (item_id, (adherence, helpfulness)) in enumerate(
        _gold_values(calibration.rubric, gold).items()
    ):
        ratings[item_id] = {
            "adherence": min(adherence + Decimal("0.5"), Decimal(3)) if index else adherence - 1,
            "helpfulness": helpfulness,
        }
    calibration_submit(attempt=attempt, by=by, ratings=ratings)


@transaction.atomic
def seed_demo_calibration(*, sessions: list[Session], users: dict[str, User]) -> dict[str, int]:
    """Two calibration recordings with gold ratings and one passed attempt by the demo
    reviewer; returns counts to print."""
    rubric = Rubric.objects.filter(kind=Rubric.Kind.FIDELITY, organization=None, active=True)
    fidelity = rubric.order_by("-version").first()
    if fidelity is None:
        return {"calibrations": 0, "attempts": 0}  # an admin retired the shared rubric
    calibrations = [
        _calibration(session, rubric=fidelity, gold=gold, number=number, users=users)
        for number, (session, gold) in enumerate(zip(sessions, GOLD, strict=False), start=1)
    ]
    if calibrations:
        _passed_attempt(calibrations[0], gold=GOLD[0], by=users[REVIEWER])
    return {
        "calibrations": len(calibrations),
        "attempts": CalibrationAttempt.objects.submitted()
        .filter(calibration__in=calibrations)
        .count(),
    }
