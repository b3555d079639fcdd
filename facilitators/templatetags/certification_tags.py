"""The certification track include's data, so any page can include
`facilitators/certification/_track.html` with only `profile` in its context."""

from typing import Any

from django import template

from ..forms.certification import CertificationChangeForm
from ..selectors.certification import CertificationTrack, certification_track

register = template.Library()


@register.simple_tag(takes_context=True)
def certification_track_for(context: template.Context, profile: Any) -> CertificationTrack:
    """The track of `profile` as the signed-in viewer sees it, with its change form (the
    bound form of a refused change when the page was re-rendered with one). A view that
    built the track already passes it as `certification_track`, so it is not built twice."""
    track = context.get("certification_track")
    if track is None or track.profile.pk != profile.pk:
        track = certification_track(profile=profile, viewer=context["request"].user)
    form = context.get("certification_form")
    track.form = form if form is not None else CertificationChangeForm(choices=track.choices)
    return track
