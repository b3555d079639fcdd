"""Groups and participants: objects by their UUID code."""

from django.urls import path

from .views import groups, participants

urlpatterns = [
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<uuid:code>/", groups.group_detail, name="group_detail"),
    path("groups/<uuid:code>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<uuid:code>/archive/", groups.group_archive, name="group_archive"),
    path("groups/<uuid:code>/restore/", groups.group_restore, name="group_restore"),
    path(
        "groups/<uuid:code>/facilitators/assign/",
        groups.group_facilitator_assign,
        name="group_facilitator_assign",
    ),
    path(
        "groups/<uuid:code>/facilitators/remove/",
        groups.group_facilitator_unassign,
        name="group_facilitator_unassign",
    ),
    path("groups/<uuid:code>/enroll/", groups.group_enroll, name="group_enroll"),
    path("groups/<uuid:code>/enroll/new/", groups.group_enroll_new, name="group_enroll_new"),
    path(
        "groups/<uuid:code>/participants/<uuid:participant_code>/leave/",
        groups.group_enrollment_end,
        name="group_enrollment_end",
    ),
    path("participants/", participants.participant_list, name="participant_list"),
    path("participants/new/", participants.participant_create, name="participant_create"),
    path("participants/<uuid:code>/", participants.participant_detail, name="participant_detail"),
    path("participants/<uuid:code>/edit/", participants.participant_edit, name="participant_edit"),
    path(
        "participants/<uuid:code>/archive/",
        participants.participant_archive,
        name="participant_archive",
    ),
    path(
        "participants/<uuid:code>/restore/",
        participants.participant_restore,
        name="participant_restore",
    ),
    path(
        "participants/<uuid:code>/enroll/",
        participants.participant_enroll,
        name="participant_enroll",
    ),
]
