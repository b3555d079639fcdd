"""facilitators URLs, grouped by the object they act on. Objects are reached by their
UUID `code`."""

from django.urls import include, path

from .views import assignments, reviews

app_name = "facilitators"

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

urlpatterns = [
    path("", include(review_urls)),
]
