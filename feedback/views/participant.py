"""The participants' feedback page at /f/<token>: public, no account and no cookie of any
kind (no session, CSRF or language cookie). The POST is protected by the unguessable
token, a same-origin check (Origin, else Sec-Fetch-Site, else Referer) and the link's cap,
instead of a CSRF cookie. Unknown, closed, expired and not-yet-open links all get the same
page, so tokens cannot be probed. Nothing here logs."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.participant_pages import participant_language, participant_page, same_origin

from ..forms.participant import FeedbackForm, new_nonce
from ..models import FeedbackItem, FeedbackLink
from ..selectors.links import LinkState, feedback_link_by_token, feedback_link_state
from ..selectors.participant import feedback_thanks_materials
from ..services.responses import Outcome, feedback_submit


def _page(request: HttpRequest, template: str, language: str, status: int = 200, **context):
    return participant_page(
        request, f"feedback/participant/{template}", language, status=status, **context
    )


def _closed(request: HttpRequest, language: str) -> HttpResponse:
    # The same page, byte for byte apart from the language, whatever the reason.
    return _page(request, "closed.html", language, status=404)


def _thanks(request: HttpRequest, link: FeedbackLink, language: str, *, full: bool = False):
    topic = link.session.topic
    summary, summary_language = topic.summary_in(language) if topic else ("", language)
    return _page(
        request,
        "thanks.html",
        language,
        full=full,
        topic=topic,
        materials=feedback_thanks_materials(session=link.session, language=language),
        summary=summary,
        summary_language=summary_language,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, token: str) -> HttpResponse:
    language = participant_language(request)
    with translation.override(language):
        link = feedback_link_by_token(token=token)
        if link is None:
            return _closed(request, language)
        if request.method == "POST":
            return _submit(request, link, language)
        state = feedback_link_state(link=link)
        if state in {LinkState.CLOSED, LinkState.NOT_YET_OPEN}:
            return _closed(request, language)
        if state == LinkState.FULL:
            return _thanks(request, link, language, full=True)
        items = list(FeedbackItem.objects.filter(instrument_id=link.instrument_id))
        form = FeedbackForm(initial={"nonce": new_nonce()}, items=items, language=language)
        return _page(request, "form.html", language, form=form, link=link, topic=link.session.topic)


def _submit(request: HttpRequest, link: FeedbackLink, language: str) -> HttpResponse:
    """A sent form. The service decides, with the link locked, whether it is still open
    and under its cap, so its state is read here only when the form comes back invalid
    (a closed or full link answers as on the form's page)."""
    if not same_origin(request):
        return _closed(request, language)
    items = list(FeedbackItem.objects.filter(instrument_id=link.instrument_id))
    form = FeedbackForm(request.POST, items=items, language=language)
    if form.is_valid():
        try:
            outcome = feedback_submit(
                link=link, nonce=form.cleaned_data["nonce"], answers=form.answers()
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if outcome == Outcome.CLOSED:
                return _closed(request, language)
            return _thanks(request, link, language, full=outcome == Outcome.FULL)
    state = feedback_link_state(link=link)
    if state in {LinkState.CLOSED, LinkState.NOT_YET_OPEN}:
        return _closed(request, language)
    if state == LinkState.FULL:
        return _thanks(request, link, language, full=True)
    return _page(
        request, "form.html", language, status=400, form=form, link=link, topic=link.session.topic
    )
