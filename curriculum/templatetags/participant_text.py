"""{% participant_text "key" name=value %}: a participant sentence from
curriculum/participant_text.py, in the active language. Escaped like any variable in
HTML; left as it is in a .txt template (a text message or an email's text part), where
an escaped apostrophe would reach the phone as "&#x27;"."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from curriculum import participant_text as texts

register = template.Library()


@register.simple_tag(name="participant_text", takes_context=True)
def participant_text(context: template.Context, key: str, **values: object) -> str | SafeString:
    text = texts.participant_text(key, **values)
    rendering = context.template
    if rendering is not None and str(rendering.origin.name).endswith(".txt"):
        return mark_safe(text)  # plain text, never shown as HTML
    return text
