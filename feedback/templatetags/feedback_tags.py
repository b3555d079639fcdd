"""Feedback on pages outside feedback: the "Participant feedback" card of the session page
(sessions_app may not import feedback; its template loads this library), and the QR code
of a link, drawn on the server as inline SVG."""

from typing import Any

import segno
from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sessions_app.models import Session

from ..selectors.links import feedback_link_for_session, feedback_link_overview

register = template.Library()

# The QR code's look, the same everywhere it is shown:
# - error correction M at least (segno raises it when the data fits anyway), so a worn
#   print or a cracked phone screen still scans;
# - scale 1 with no width or height: the SVG keeps its viewBox and the stylesheet sizes it
#   (static/css/app.css: .feedback-qr), sharp at any size and in print;
# - segno's default quiet zone of 4 modules and a white background, so it scans on a dark
#   screen too; colours are SVG attributes (fill, stroke), never a style attribute.
QR_OPTIONS: dict[str, Any] = {
    "scale": 1,
    "omitsize": True,
    "dark": "#000",
    "light": "#fff",
    "lineclass": None,
}
QR_SIZES = frozenset({"large", "small"})


def qr_svg(url: str, *, size: str = "large") -> SafeString:
    """The QR code of `url` as an inline <svg> (role img, named by its <title>)."""
    if size not in QR_SIZES:
        raise ValueError(f"QR size {size!r}: one of {sorted(QR_SIZES)}")
    svg = segno.make(url, error="m").svg_inline(
        title=_("QR code of the feedback form"),
        desc=_("Scan it with a phone camera to open %(url)s") % {"url": url},
        svgclass=f"feedback-qr feedback-qr-{size}",
        **QR_OPTIONS,
    )
    # segno escapes the title, description and class; the markup is its own.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


@register.simple_tag
def feedback_qr(url: str, size: str = "large") -> SafeString:
    """{% feedback_qr url "small" %}: the QR code of a feedback link's full address."""
    return qr_svg(url, size=size)


@register.inclusion_tag("feedback/links/_card.html", takes_context=True)
def feedback_card(context: template.Context, session: Session) -> dict[str, Any]:
    """The session page's "Participant feedback" card: the link's state and a way to the
    feedback page, with a small QR code while the link is open. No query for a cancelled
    session, one without a link, three with one."""
    cancelled = session.status == Session.Status.CANCELLED
    link = None if cancelled else feedback_link_for_session(session=session)
    overview = feedback_link_overview(link=link) if link is not None else None
    request = context["request"]
    return {
        "session": session,
        "cancelled": cancelled,
        "overview": overview,
        "full_url": request.build_absolute_uri(overview.path) if overview else "",
        "group_timezone": session.group.timezone,
    }
