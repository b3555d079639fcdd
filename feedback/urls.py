from django.urls import include, path

from .views import links, participant, results

app_name = "feedback"

# The participants' page: public, no account, no cookie (views/participant.py).
participant_urls = [
    path("f/<str:token>", participant.feedback_form, name="form"),
]

# Staff pages (signed in, scoped to the organization).
staff_urls = [
    # A session's feedback link (views/links.py).
    path(
        "sessions/<uuid:code>/feedback/",
        include(
            [
                path("", links.link_page, name="link"),
                path("link/", links.link_ensure, name="link_ensure"),
                path("close/", links.link_close, name="link_close"),
            ]
        ),
    ),
]

# Results for staff: every figure suppressed (views/results.py).
results_urls = [
    path("organizations/<uuid:org_code>/feedback/", results.results, name="results"),
    path(
        "feedback/comments/<uuid:answer_id>/hide/",
        results.comment_hide,
        name="comment_hide",
    ),
]

urlpatterns = participant_urls + staff_urls + results_urls
