"""Reads for recording consent: each person's state on the current form version (the
consent screen, and invariant 4's check before a recording is stored), and the recordings
a withdrawal would remove (its confirmation page, and the withdrawal itself)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from ..models import Attendance, Consent, ConsentForm, Participant, Recording, Session
from .running import participant_list_present

# A participant whose preferred language has no form of a kind is asked with this one.
FALLBACK_LANGUAGE = "en"


class ConsentState(TextChoices):
    ACTIVE = "active", _("Consent given")
    NONE = "none", _("Not asked yet")
    DECLINED = "declined", _("Did not agree")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    OLDER_VERSION = "older_version", _("Given on an older form version")
    NO_FORM = "no_form", _("No consent form set up")


@dataclass
class ParticipantConsent:
    participant: Participant
    state: ConsentState
    current_form: ConsentForm | None
    # The participant's most recent consent of the kind (any version): what the screen
    # shows and what a stale submission is compared with.
    latest: Consent | None
    # The active consent on the current version, when there is one.
    active: Consent | None
    # A granted consent not yet withdrawn (any version, even expired): what can be withdrawn.
    standing: Consent | None

    @property
    def latest_code(self) -> str:
        return str(self.latest.code) if self.latest else ""


def consent_form_list_current(
    *, organization_id: int, kind: str = ConsentForm.Kind.RECORDING
) -> dict[str, ConsentForm]:
    """The current form of `kind` per language for an organization: the highest version
    among its own and shared forms (its own wins a tie)."""
    current: dict[str, ConsentForm] = {}
    forms = ConsentForm.objects.for_organization(organization_id).filter(kind=kind)
    for form in forms.order_by("language", "-version", "organization_id"):
        best = current.get(form.language)
        if best is None or (best.version == form.version and best.organization_id is None):
            current[form.language] = form
    return current


def consent_form_current_for(
    *, forms_by_language: dict[str, ConsentForm], language: str
) -> ConsentForm | None:
    """The form to ask someone in `language` with: theirs, else English, else none."""
    return forms_by_language.get(language) or forms_by_language.get(FALLBACK_LANGUAGE)


def _state(
    consents: list[Consent], current_form: ConsentForm | None
) -> tuple[ConsentState, Consent | None]:
    """The latest answer decides: a "no" today blocks recording even if an earlier "yes"
    still stands (that earlier yes still covers the sessions it was given for). Each
    consent carries `is_active` from the one definition (ConsentQuerySet.with_state)."""
    if current_form is None:
        return ConsentState.NO_FORM, None
    if not consents:
        return ConsentState.NONE, None
    latest = consents[0]
    if not latest.granted:
        return ConsentState.DECLINED, None
    on_current = [c for c in consents if c.form_id == current_form.pk]
    active = next((c for c in on_current if c.is_active), None)  # type: ignore[attr-defined]
    if active is not None:
        return ConsentState.ACTIVE, active
    if latest.withdrawn_at is not None:
        return ConsentState.WITHDRAWN, None
    if latest.form_id != current_form.pk:
        return ConsentState.OLDER_VERSION, None
    return ConsentState.EXPIRED, None


def consent_list_for_participants(
    *,
    participants: Iterable[Participant],
    organization_id: int,
    kind: str = ConsentForm.Kind.RECORDING,
) -> list[ParticipantConsent]:
    """Each participant's consent state of `kind` on the current form version, in three
    queries whatever the number of participants."""
    participants = list(participants)
    forms = consent_form_list_current(organization_id=organization_id, kind=kind)
    by_participant: dict[int, list[Consent]] = {p.pk: [] for p in participants}
    consents = (
        Consent.objects.filter(participant__in=participants, form__kind=kind)
        .with_state()
        .select_related("form")
        .order_by("-captured_at", "-pk")
    )
    for consent in consents:
        by_participant[consent.participant_id].append(consent)
    rows = []
    for participant in participants:
        history = by_participant[participant.pk]
        form = consent_form_current_for(
            forms_by_language=forms, language=participant.preferred_language
        )
        state, active = _state(history, form)
        rows.append(
            ParticipantConsent(
                participant=participant,
                state=state,
                current_form=form,
                latest=history[0] if history else None,
                active=active,
                standing=next((c for c in history if c.is_standing), None),  # type: ignore[attr-defined]
            )
        )
    return rows


def consent_list_for_session(*, session: Session) -> list[ParticipantConsent]:
    """Recording consent of everyone marked present at a session."""
    return consent_list_for_participants(
        participants=participant_list_present(session=session),
        organization_id=session.group.organization_id,
    )


def recording_ids_removed_by_withdrawal(*, participant_id: int) -> QuerySet[Recording, int]:
    """The ids of the still-available recordings a participant is on (listed on the file,
    or marked present at the session): what withdrawing their recording consent removes.
    The one definition, for the withdrawal and for the page that asks to confirm it."""
    return (
        Recording.objects.filter(
            Q(participants=participant_id)
            | Q(
                session__attendance__participant_id=participant_id,
                session__attendance__status=Attendance.Status.PRESENT,
            )
        )
        .available()
        .values_list("pk", flat=True)
        .distinct()
    )


def recording_list_removed_by_withdrawal(*, consent: Consent) -> list[Recording]:
    """The recordings withdrawing `consent` would remove, oldest session first, with each
    session's group (for its name and time zone); none for other consent kinds."""
    if consent.form.kind != ConsentForm.Kind.RECORDING:
        return []
    ids = recording_ids_removed_by_withdrawal(participant_id=consent.participant_id)
    return list(
        Recording.objects.filter(pk__in=ids)
        .select_related("session", "session__group")
        .order_by("session__starts_at", "pk")
    )
