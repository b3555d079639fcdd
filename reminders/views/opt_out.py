"""The page a participant reaches from "stop these reminders" in a message: /r/<token>.
Public, no account, no cookie (like the feedback page): GET asks, POST stops, so a link
preview or a mail scanner opening the link does not stop anything by itself."""

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.participant_pages import (
    LANGUAGES,
    participant_language,
    participant_page,
    same_origin,
)

from ..opt_out import is_opted_in, opt_out_read, reminders_stop


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    found = opt_out_read(token)
    language = participant_language(request)
    # The person's own language unless they chose one on the page.
    if found is not None and "lang" not in request.GET and found[0].preferred_language in LANGUAGES:
        language = found[0].preferred_language
    with translation.override(language):
        if found is None:
            return participant_page(request, "reminders/opt_out/unknown.html", language, status=404)
        participant, channel = found
        if request.method == "POST":
            if not same_origin(request):
                return participant_page(
                    request, "reminders/opt_out/unknown.html", language, status=404
                )
            reminders_stop(participant=participant, channel=channel)
            return participant_page(
                request, "reminders/opt_out/stopped.html", language, channel=channel
            )
        if not is_opted_in(participant, channel):
            return participant_page(
                request, "reminders/opt_out/stopped.html", language, channel=channel, again=True
            )
        return participant_page(request, "reminders/opt_out/ask.html", language, channel=channel)
