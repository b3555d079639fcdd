"""The error summary: after a refused submission, one box at the top of the page that takes
the focus, says there is a problem and links to each field that needs a change.

    {% load error_summary %}
    {% error_summary form %}
    {% error_summary forms.attendance forms.log forms.note %}   several forms on one page
    {% error_summary forms %}                                    a dict (or list) of forms
    {% error_summary forms section_errors %}    and refusals as text (strings, or a dict)

Forms that are unbound or valid, and empty values (None, "", a missing variable), are
skipped, so a page may name every form it shows. Each link points at the field's own id
(`id_<prefix>-<name>`, or whatever `auto_id` the form was given), so forms with prefixes
or their own auto_id keep their links apart; a link to an id already listed is not
repeated. The box takes the focus by itself (`autofocus` on a `tabindex="-1"` element):
no script, as the Content-Security-Policy wants.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()

# Labels that already end in punctuation take no colon before the message.
_ENDS_A_LABEL = ("?", "!", ":", ".")


@dataclass(frozen=True)
class SummaryItem:
    """One line of the summary: its words and, for a field one can go to, the id."""

    text: str
    target: str = ""


def _sources(values: Iterable[Any]) -> Iterator[forms.BaseForm | str]:
    """The forms and the messages (non-empty strings) among the tag's arguments."""
    for value in values:
        if isinstance(value, forms.BaseForm):
            yield value
        elif isinstance(value, str):
            if value.strip():
                yield value
        elif isinstance(value, Mapping):
            yield from _sources(value.values())
        elif isinstance(value, list | tuple):
            yield from _sources(value)


def field_target(bound: BoundField) -> str:
    """The id of the element a link to this field should reach: the input itself, the
    first radio button or checkbox of a group, the first input of a multi-part widget;
    "" for a hidden field or a form without ids."""
    if bound.is_hidden:
        return ""
    widget = bound.field.widget
    base = widget.attrs.get("id") or bound.auto_id
    if not base:
        return ""
    target = bound.id_for_label
    if target:
        return str(target)
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
        return str(widget.id_for_label(base, "0"))
    if isinstance(widget, forms.MultiWidget):
        return f"{base}_0"
    return str(base)


def _field_text(bound: BoundField, errors: list[str]) -> str:
    message = " ".join(errors)
    label = str(bound.label or "").strip()
    if not label:
        return message
    separator = " " if label.endswith(_ENDS_A_LABEL) else ": "
    return f"{label}{separator}{message}"


def summary_items(*values: Any) -> list[SummaryItem]:
    """What the summary lists for these forms: each form's errors for the whole form, as
    text, then one link per field with errors, in the form's order; a message given as a
    string, as text."""
    items: list[SummaryItem] = []
    seen_forms: set[int] = set()
    seen_targets: set[str] = set()
    for form in _sources(values):
        if isinstance(form, str):
            items.append(SummaryItem(form))
            continue
        if id(form) in seen_forms or not form.is_bound or not form.errors:
            continue
        seen_forms.add(id(form))
        items.extend(SummaryItem(str(error)) for error in form.non_field_errors())
        for bound in form:
            if not bound.errors:
                continue
            errors = [str(error) for error in bound.errors]
            target = field_target(bound)
            if bound.is_hidden:
                # Nothing to go to or to name, but the person should read why.
                items.extend(SummaryItem(error) for error in errors)
            elif not target:
                items.append(SummaryItem(_field_text(bound, errors)))
            elif target not in seen_targets:
                seen_targets.add(target)
                items.append(SummaryItem(_field_text(bound, errors), target))
    return items


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*values: Any) -> dict[str, Any]:
    """{% error_summary form [form2 ...] %}: the page's error summary, or nothing."""
    return {"items": summary_items(*values)}
