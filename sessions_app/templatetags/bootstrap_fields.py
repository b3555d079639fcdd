"""`{{ field|widget }}`: a form field's widget, as Django's own widget templates would
render it, for the commonest widgets without going through the template engine.

Rendering a widget through its template (and the attrs template it includes) costs about
a millisecond here; a session page has a couple of dozen. The HTML is the same: the
value, attributes and options come from the widget's own `get_context`, and any widget
not listed below is rendered by Django as usual.
"""

from typing import Any

from django import template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "checkbox",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
    )
)
TEXTAREA = f"{_WIDGETS}textarea.html"
SELECT = f"{_WIDGETS}select.html"
SELECT_OPTION = f"{_WIDGETS}select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


@register.filter
def widget(field: BoundField) -> SafeString:
    """The field's widget; what `{{ field }}` gives, faster for the common widgets."""
    w = field.field.widget
    name = w.template_name
    option_is_plain = getattr(w, "option_template_name", SELECT_OPTION) == SELECT_OPTION
    if name not in INPUTS and name != TEXTAREA and not (name == SELECT and option_is_plain):
        return field.as_widget()
    # BoundField.as_widget's steps, then the widget's own context.
    attrs = field.build_widget_attrs({}, w)
    if field.auto_id and "id" not in w.attrs:
        attrs.setdefault("id", field.auto_id)
    context = w.get_context(field.html_name, field.value(), attrs)["widget"]
    html_name = conditional_escape(context["name"])
    if name == TEXTAREA:
        value = context["value"]
        text = conditional_escape(value) if value else ""
        attributes = _attrs(context["attrs"])
        return mark_safe(f'<textarea name="{html_name}"{attributes}>\n{text}</textarea>')
    if name == SELECT:
        return mark_safe(_select(context))
    value = context["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(
        f'<input type="{context["type"]}" name="{html_name}"{shown}{_attrs(context["attrs"])}>'
    )


OPTIONS = frozenset({f"{_WIDGETS}radio_option.html", f"{_WIDGETS}checkbox_option.html"})


@register.filter
def choice_input(choice: BoundWidget) -> SafeString:
    """One radio button or checkbox of a choice field: what `{{ choice.tag }}` gives."""
    if choice.template_name not in OPTIONS:
        return choice.tag()
    data = choice.data
    value = data["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    name = conditional_escape(data["name"])
    return mark_safe(f'<input type="{data["type"]}" name="{name}"{shown}{_attrs(data["attrs"])}>')
