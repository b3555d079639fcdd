"""facilitators URLs, grouped by the object they act on. Objects are reached by their UUID
`code`; an organization's list by the organization's, as accounts' staff page is."""

from django.urls import include, path

from .views import (
    assignments,
    calibration,
    certification,
    profiles,
    reviews,
    self_checks,
    trainings,
)

app_name = "facilitators"

profile_urls = [
    path("", profiles.facilitator_detail, name="facilitator_detail"),
    path("edit/", profiles.facilitator_edit, name="facilitator_edit"),
    path("trainings/add/", trainings.training_add, name="training_add"),
]

certification_urls = [
    path("", certification.certification_detail, name="certification_detail"),
    path("change/", certification.certification_change_view, name="certification_change"),
]

training_urls = [
    path("edit/", trainings.training_edit, name="training_edit"),
    path("expiry/", trainings.training_expiry_edit, name="training_expiry_edit"),
    path("verify/", trainings.training_verify, name="training_verify"),
    path("reject/", trainings.training_reject, name="training_reject"),
    path("delete/", trainings.training_delete, name="training_delete"),
    path("evidence/download/", trainings.training_evidence, name="training_evidence"),
]

# --- Rubrics, review assignments and reviews ---------------------------------------------

review_assignment_urls = [
    path("withdraw/", assignments.review_assignment_withdraw, name="review_assignment_withdraw"),
    path("review/", reviews.review_form, name="review_form"),
]

review_urls = [
    path(
        "recordings/<uuid:code>/assign-review/",
        assignments.review_assign_recording,
        name="review_assign_recording",
    ),
    path(
        "organizations/<uuid:org_code>/reviews/assign-training/",
        assignments.review_assign_training,
        name="review_assign_training",
    ),
    path(
        "organizations/<uuid:org_code>/reviews/",
        assignments.review_assignment_list,
        name="review_assignment_list",
    ),
    path("review-assignments/<uuid:code>/", include(review_assignment_urls)),
    path("reviews/queue/", reviews.review_queue, name="review_queue"),
    path("reviews/mine/", reviews.review_list_mine, name="review_list_mine"),
    path("reviews/<uuid:code>/", reviews.review_detail, name="review_detail"),
]

# --- Self-checks -----------------------------------------------------------------------------

self_check_urls = [
    path("sessions/<uuid:code>/self-check/", self_checks.self_check, name="self_check"),
    path("my-self-checks/", self_checks.self_check_list, name="self_check_list"),
    path(
        "debrief-requests/<uuid:code>/handled/",
        self_checks.debrief_handled,
        name="debrief_handled",
    ),
]

# --- Rater calibration -----------------------------------------------------------------------

calibration_attempt_urls = [
    path("", calibration.calibration_attempt, name="calibration_attempt"),
    path("result/", calibration.calibration_result, name="calibration_result"),
]

calibration_urls = [
    path("calibration/", calibration.calibration_list, name="calibration_list"),
    path(
        "calibration/<uuid:code>/start/",
        calibration.calibration_attempt_start,
        name="calibration_attempt_start",
    ),
    path("calibration/attempts/<uuid:code>/", include(calibration_attempt_urls)),
]

urlpatterns = [
    path(
        "organizations/<uuid:org_code>/facilitators/",
        profiles.facilitator_list,
        name="facilitator_list",
    ),
    path("facilitators/<uuid:code>/", include(profile_urls)),
    path("facilitators/<uuid:profile_code>/certification/", include(certification_urls)),
    path("my-trainings/", trainings.my_trainings, name="my_trainings"),
    path("trainings/<uuid:code>/", include(training_urls)),
    path("", include(review_urls)),
    path("", include(self_check_urls)),
    path("", include(calibration_urls)),
]
