"""{% participant_text "key" name=value %}: a participant sentence from
curriculum/participant_text.py, in the active language (escaped like any variable)."""

from django import template

from curriculum import participant_text as texts

register = template.Library()


@register.simple_tag(name="participant_text")
def participant_text(key: str, **values: object) -> str:
    return texts.participant_text(key, **values)
