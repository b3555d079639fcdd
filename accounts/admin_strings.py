"""django-simple-history's admin history pages, in the project's catalog.

simple-history ships no Spanish translation. Its templates and code look their text up
by msgid, and Django searches every catalog for it (ours first), so the msgids it uses
that Django's admin catalog lacks are marked here for makemessages and translated in
locale/es. Nothing imports this module: it only carries the strings.
"""

from django.utils.translation import gettext_noop

SIMPLE_HISTORY_STRINGS = (
    # templates/simple_history/object_history.html and object_history_list.html
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    # object_history_form.html and submit_line.html
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
    # admin.py and models.py (a record's kind, and page titles)
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("View history: %s"),
    gettext_noop("Revert %s"),
    gettext_noop("You may edit it again below"),
    gettext_noop("Deleted %(type_name)s"),
)
