"""Every sentence a participant reads or hears from us, in English, in one place.

Participants are survivors of human trafficking living with substance use, often reading
on a borrowed phone. So the text is short, plain and warm (about a 12-year-old's reading
level: tests/test_plain_language.py checks it), and it never names the program, the
organization or anything that could tell a phone's owner what the person is going to.

To adjust a sentence:

- English: change it here. Keep the key (the part before the colon); the key is how the
  pages find it. Keep any %(name)s placeholder exactly as it is.
- Spanish: find the English sentence as a `msgid` in locale/es/LC_MESSAGES/django.po,
  change its `msgstr`, then run `python manage.py compilemessages`.
- Then run `pytest tests/test_plain_language.py`: it fails if the words got too hard.

Pages get a sentence with `{% load participant_text %}{% participant_text "key" %}`
(placeholders as keyword arguments), Python code with `participant_text.TEXT["key"]`.

Other participant words live elsewhere, each in one place too:

- The feedback questions and their answer words: the feedback instrument, in the admin
  (Feedback instruments); the default one is seeded by feedback/migrations/0002.
- The topic summaries: each topic's "plain-language summary" and its Spanish, in the
  admin (Topics), first seeded from curriculum/seed_data.py (TOPICS and SUMMARIES_ES).
  An organization that wants its own words adds a Topic material for participants, in
  the language it is for: the thank-you page then shows that instead of the summary.
- A consent form's own purpose and text: the consent form, in the admin.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TEXT: dict[str, Promise] = {
    # --- Every participant page (templates/layouts/participant.html) -----------------
    "page.title": _("Session feedback"),
    "page.quick_exit": _("Quick exit"),
    "page.quick_exit_about": _("How quick exit works"),
    "page.quick_exit_help": _(
        "Quick exit opens a weather page right away. The Back button will not bring you "
        "back here. But this page can still be in the phone's history."
    ),
    "page.history_help": _(
        "To remove it, open the browser menu, tap History, and delete this page. "
        "Next time, you can use a private (incognito) window."
    ),
    # --- The feedback form (templates/feedback/participant/form.html) ----------------
    "form.heading": _("How was today?"),
    "form.optional": _("You can skip any question. You can even send the form empty."),
    "form.anonymous": _(
        "We do not ask your name. We do not keep who you are, details about your phone, "
        "or the time you answer."
    ),
    "form.same_help": _("Your help stays the same, whether you answer or not."),
    "form.yes": _("Yes"),
    "form.no": _("No"),
    "form.send": _("Send"),
    # Shown under a question when an answer cannot be kept (feedback/services/responses.py).
    "form.error.pick_one": _("Please pick one of the answers."),
    "form.error.too_long": _("Please make this shorter: %(limit)s letters or less."),
    "form.error.needed": _("Please answer this question."),
    # --- A closed or unknown feedback link (templates/feedback/participant/closed.html) --
    "closed.heading": _("This form is closed"),
    "closed.body": _("Thank you for coming. You can talk to your group leader any time."),
    # --- After sending (templates/feedback/participant/thanks.html) -------------------
    "thanks.heading": _("Thank you"),
    "thanks.sent": _("Your answers were sent. Nobody can see who sent them."),
    "thanks.full": _(
        "We have enough answers for this group, so the form is closed. Thank you for coming."
    ),
    "thanks.topic": _("Today's topic: %(title)s"),
    # --- Stopping reminders (templates/reminders/opt_out/) ----------------------------
    "opt_out.title": _("Reminders"),
    "opt_out.ask_sms": _("Stop text reminders?"),
    "opt_out.ask_email": _("Stop email reminders?"),
    "opt_out.ask_sms_body": _("You will not get any more reminder texts at this number."),
    "opt_out.ask_email_body": _("You will not get any more reminder emails at this address."),
    "opt_out.confirm": _("Yes, stop them"),
    "opt_out.done": _("Done. The reminders are stopped."),
    "opt_out.already": _("These reminders are already stopped"),
    "opt_out.stopped_sms": _("You will not get any more reminder texts."),
    "opt_out.stopped_email": _("You will not get any more reminder emails."),
    "opt_out.change_mind": _("If you change your mind, ask your group leader to start them again."),
    "opt_out.unknown_heading": _("This link does not work"),
    "opt_out.unknown_body": _(
        "Please check that you copied the whole link. Your group leader can also stop the "
        "reminders for you."
    ),
    # --- Reminders (templates/reminders/<kind>/): a shared phone may show them, so they
    # never say what the group is about.
    "reminder.stop": _("Stop these reminders"),
    "reminder.stop_at": _("Stop these reminders: %(url)s"),
    "reminder.session_subject": _("Reminder: your %(weekday)s group"),
    "reminder.session": _("Reminder: your %(weekday)s group at %(time)s."),
    "reminder.cancelled_subject": _("No group this %(weekday)s"),
    "reminder.cancelled": _("Your %(weekday)s group at %(time)s is not meeting this time."),
    "reminder.feedback_subject": _("How did it go?"),
    "reminder.feedback_thanks": _("Thank you for coming on %(weekday)s."),
    "reminder.feedback_ask": _("Tell us how it went"),
    "reminder.feedback_note": _("It takes a minute. We do not ask your name."),
    "reminder.feedback_text": _(
        "Thank you for coming on %(weekday)s. Tell us how it went. It takes a minute, and "
        "we do not ask your name: %(url)s"
    ),
    # --- Recording consent, the part read out or shown to participants
    # (templates/sessions_app/consent/screen.html) --------------------------------------
    "consent.not_a_condition": _(
        "Saying no never stops anyone from coming. If someone says no, we just do not "
        "record this session."
    ),
    "consent.calibration": _(
        "This form also lets us use the recording to train our reviewers. So we may keep "
        "it longer than usual. If you take back your yes, we still delete it."
    ),
}


def participant_text(key: str, **values: object) -> str:
    """The sentence `key` in the active language, with its placeholders filled."""
    text = str(TEXT[key])
    return text % values if values else text
