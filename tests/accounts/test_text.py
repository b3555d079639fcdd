"""The one normaliser for person-facing text, and how names are compared."""

import pytest
from django import forms

from accounts.forms import PlainTextField
from accounts.text import name_skeleton, plain_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Hana  ", "Hana"),
        ("Ha\u200bna", "Hana"),  # zero-width space
        ("Ha\u200dna\ufeff", "Hana"),  # zero-width joiner, byte-order mark
        ("\u202eanaH", "Hana"),  # right-to-left override: stored as it was shown
        ("x\u202eanaH\u202cy", "xHanay"),
        ("Ana\u00a0\t Ma", "Ana Ma"),  # no-break space and runs of space
        ("\u210dana", "Hana"),  # NFKC: double-struck H
        ("ﬁ", "fi"),  # NFKC ligature
        ("Ha\x00na\x07", "Hana"),  # control characters
        ("Room\u2067 2\u2069", "Room 2"),  # isolates
    ],
)
def test_plain_text_removes_what_hides_or_disguises_letters(typed, stored):
    assert plain_text(typed) == stored


def test_plain_text_keeps_line_breaks_in_notes_but_not_their_padding():
    assert plain_text("Breathe  \r\n\r\n\r\n\r\nthen\u200b start  ", multiline=True) == (
        "Breathe\n\nthen start"
    )


@pytest.mark.parametrize(
    "look_alike",
    ["Hana", "HANA", "hana", " Ha na", "Ha\u200bna", "\u202eanaH", "\u041d\u0430n\u0430"],
)
def test_names_that_look_like_hana_share_its_skeleton(look_alike):
    assert name_skeleton(look_alike) == name_skeleton("Hana")


@pytest.mark.parametrize("distinct", ["Hana B.", "Hanna", "Jana", "Hanä"])
def test_names_a_person_can_tell_apart_do_not(distinct):
    assert name_skeleton(distinct) != name_skeleton("Hana")


def test_the_form_field_normalises_and_then_checks_the_length():
    class NameForm(forms.Form):
        name = PlainTextField(max_length=4)

    form = NameForm({"name": " Ha\u200bna "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Hana"
    assert not NameForm({"name": "Hana B."}).is_valid()
