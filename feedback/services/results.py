"""Writes for the staff results page: a manager hides a comment that could identify
someone."""

from accounts.models import User

from ..models import FeedbackAnswer


def feedback_answer_hide(*, answer: FeedbackAnswer, by: User) -> bool:
    """Hide a comment for good, recording who hid it: it leaves every page and export and
    no longer counts toward any minimum. Hiding one already hidden changes nothing (the
    first manager stays recorded); returns whether this call hid it."""
    hidden = FeedbackAnswer.objects.filter(pk=answer.pk, hidden=False).update(
        hidden=True, hidden_by=by
    )
    return hidden == 1
