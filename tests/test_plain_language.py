"""Participants' words stay plain: about a 12-year-old's reading level (issue 14).

What is scored: every sentence in curriculum/participant_text.py, the 25 topic summaries,
the default feedback instrument's questions and answer words, and the reminders as a
participant receives them (every kind, email and text message). Links are taken out
first: a URL is not a word anyone reads.

English, Flesch-Kincaid grade (textstat 0.7.4, pinned: later versions fetch data from
the internet):

- All of it together at or below grade 6.5. A 12-year-old is in US grade 6 or 7; 6.5
  keeps the whole at the lower end of that, so a reader who struggles (a second
  language, a hard day, a small borrowed screen) is not left behind, while one grade-8
  sentence here and there does not fail the build.
- Each string of 15 words or more at or below grade 8. Short strings (a button, a
  heading) are left out of this check: a formula over five words says nothing.

Spanish, Fernández-Huerta (textstat.set_lang("es")), on the Spanish of the same strings:
all together at least 70 ("fairly easy"), each string of 15 words or more at least 60.
"""

import re
from pathlib import Path

import pytest
import textstat
from django.utils import timezone, translation

from curriculum.participant_text import TEXT, participant_text
from curriculum.seed_data import SUMMARIES_ES, TOPICS
from feedback.models import FeedbackInstrument
from reminders.content import reminder_render
from reminders.models import Reminder
from reminders.services import reminder_schedule
from tests.factories import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db

GRADE_TARGET = 6.5
GRADE_CEILING = 8
EASE_TARGET = 70
EASE_FLOOR = 60
LONG = 15  # words: a string this long gets the per-string check

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://\S+")

# Values for placeholders, as a participant would see them.
EXAMPLES = {
    "en": {"weekday": "Tuesday", "time": "6:00 PM", "title": "Asking for Help", "url": ""},
    "es": {"weekday": "martes", "time": "18:00", "title": "Pedir ayuda", "url": ""},
}
EXAMPLES["en"]["limit"] = EXAMPLES["es"]["limit"] = 1000


def _sentence(text: str) -> str:
    """The text as sentences: URLs out, and a full stop after a heading or a button, so
    the formula does not read the next string as the same sentence."""
    text = " ".join(URL.sub("", text).split()).rstrip(" :")
    return text if text[-1:] in ".?!" else text + "."


def _module_strings(language: str) -> list[str]:
    with translation.override(language):
        return [
            participant_text(key, **EXAMPLES[language]) if "%(" in str(text) else str(text)
            for key, text in TEXT.items()
        ]


def _instrument_strings(language: str) -> list[str]:
    instrument = FeedbackInstrument.objects.get(organization=None, version=1)
    strings = []
    for item in instrument.items.all():
        strings.append(item.prompt(language))
        strings.extend(item.scale(language) if item.kind == item.Kind.RATING else [])
    return strings


def _reminder_strings(language: str) -> list[str]:
    from feedback.services.links import feedback_link_ensure

    session = SessionFactory()
    participant = ParticipantFactory(
        organization=session.group.organization,
        contact_phone="+15555550123",
        contact_email="someone@example.net",
        remind_by_email=True,
        remind_by_sms=True,
        preferred_language=language,
    )
    strings = []
    for kind in sorted(Reminder.PARTICIPANT_KINDS):
        about = (
            feedback_link_ensure(session=session, by=None) if kind == "feedback_link" else session
        )
        for channel in ("email", "sms"):
            reminder = reminder_schedule(
                kind=kind,
                channel=channel,
                due_at=timezone.now(),
                participant=participant,
                about=about,
            )
            rendered = reminder_render(reminder)
            strings.extend(
                [rendered.subject, rendered.sms] if channel == "sms" else [rendered.text]
            )
    return strings


def participant_strings(language: str) -> list[str]:
    summaries = [summary for *_, summary, _goals in TOPICS]
    if language == "es":
        summaries = list(SUMMARIES_ES.values())
    strings = (
        _module_strings(language)
        + summaries
        + _instrument_strings(language)
        + _reminder_strings(language)
    )
    return [_sentence(text) for text in strings if URL.sub("", text).strip()]


def _long(strings: list[str]) -> list[str]:
    return [text for text in strings if textstat.lexicon_count(text) >= LONG]


@pytest.fixture
def english():
    textstat.set_lang("en_US")
    yield
    textstat.set_lang("en_US")


@pytest.fixture
def spanish():
    textstat.set_lang("es")
    yield
    textstat.set_lang("en_US")


def test_the_english_participant_text_together_is_at_about_grade_six(english):
    grade = textstat.flesch_kincaid_grade(" ".join(participant_strings("en")))
    assert grade <= GRADE_TARGET, f"Flesch-Kincaid grade {grade}, target {GRADE_TARGET}"


def test_no_long_english_participant_string_is_above_grade_eight(english):
    graded = sorted(
        ((textstat.flesch_kincaid_grade(text), text) for text in _long(participant_strings("en"))),
        reverse=True,
    )
    grade, worst = graded[0]
    assert grade <= GRADE_CEILING, f"Hardest (grade {grade}, ceiling {GRADE_CEILING}): {worst}"


def test_the_spanish_participant_text_together_is_fairly_easy(spanish):
    ease = textstat.fernandez_huerta(" ".join(participant_strings("es")))
    assert ease >= EASE_TARGET, f"Fernández-Huerta {ease}, target {EASE_TARGET}"


def test_no_long_spanish_participant_string_is_hard(spanish):
    scored = sorted(
        (textstat.fernandez_huerta(text), text) for text in _long(participant_strings("es"))
    )
    ease, worst = scored[0]
    assert ease >= EASE_FLOOR, f"Hardest (Fernández-Huerta {ease}, floor {EASE_FLOOR}): {worst}"


def test_every_participant_sentence_is_used_somewhere():
    folders = [ROOT / "templates", *(path.parent for path in ROOT.glob("*/apps.py"))]
    sources = [
        path.read_text()
        for folder in folders
        for path in folder.rglob("*")
        if path.suffix in {".html", ".txt", ".py"} and path.name != "participant_text.py"
    ]
    unused = [key for key in TEXT if not any(f'"{key}"' in source for source in sources)]
    assert unused == []
