"""Templates keep to the strict Content-Security-Policy: no inline script, no inline style,
no event-handler attributes. The policy would block them in the browser; this finds them
before a person meets a page that silently does not work."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# A <script> with no src is inline code; JSON data blocks (json_script) are not run.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_templates_are_found():
    assert len(template_files()) > 20


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_style_or_event_handlers(path):
    text = path.read_text()
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("inline style", INLINE_STYLE),
        ("on*= event handler", EVENT_HANDLER),
    ]:
        found = pattern.search(text)
        assert found is None, f"{path.relative_to(TEMPLATES)} has an {name}: {found.group(0)!r}"


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<div style="color: red">',
        '<a href="#" onclick="go()">',
        "<style>p { color: red }</style>",
    ],
)
def test_the_checks_catch_what_they_look_for(snippet):
    assert any(p.search(snippet) for p in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER))


def test_pages_link_a_favicon_that_static_files_serve(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert finders.find("favicon.svg") is not None
