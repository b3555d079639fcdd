"""Running the program: groups, participants, sessions, attendance, consent, recordings.

How this app is laid out (copy it for the next app that outgrows single modules)
================================================================================

Every layer is split by the same feature names, so any behaviour is one hop away:

=============  ===========================================================================
feature        what it covers
=============  ===========================================================================
groups         a group's schedule, topic sequence, facilitators, enrolling from its page
participants   a chosen name or initials, encrypted contact, groups over time
planning       sessions generated from the schedule; move, re-topic, cancel, one-off,
               who leads
running        my sessions, the session page (attendance, log, adaptations, commitments,
               note to self, held), its history
consent        recording consent: capture, confirm again, withdraw
recordings     upload (invariant 4), play and download (logged), review, purge
=============  ===========================================================================

::

    models.py       the data, and each rule that more than one layer needs, once:
                    Session.objects.facilitated_by(user), Recording.objects.accessible_to(user),
                    Consent.objects.active() (consent_active_condition), Group.today(),
                    Session.local_date, GROUP_CAPACITY_MIN/MAX
    access.py       get_<object>_for_<who>(user, code): 404 outside the user's organizations,
                    403 for a role or person that may not act; every refusal a view gives
    services/<feature>.py    writes: <entity>_<action>(*, ..., by)  e.g. session_mark_held
    selectors/<feature>.py   reads:  <entity>_list_for_<who>(*, ...), fixed query counts
    forms/<feature>.py       validate and normalise, never write
    views/<feature>.py       thin: access helper, form, service, redirect (or 400 + page)
    templates/sessions_app/<feature>/
    urls.py         one module, grouped by object: group_urls, participant_urls,
                    session_urls, consent_urls, recording_urls
    tasks.py        thin Celery tasks; each imports its service inside the task body

Shared pieces sit beside the features: ``services/common.py`` (refusing a stale or
doubled submission), ``forms/common.py`` (widgets, languages, enrollment fields),
``views/common.py`` (a refused one-button action, a safe ``next``), and
``templates/sessions_app/_*.html``.

What other apps may call is re-exported from ``services/__init__.py`` and
``selectors/__init__.py``; everything else is private to this app. sessions_app never
imports facilitators, feedback, reminders or dashboards (``make lint`` checks the graph).

Writes that change a sensitive row record who made them with
``accounts.history.save_with_history(obj, by=...)`` (invariant 7), so a change made from a
task or a command names its author too. Participants are a chosen name or initials only
(invariant 6).
"""
