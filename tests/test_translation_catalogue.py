"""Spanish everywhere: the catalogue is complete, and no template shows English that was
never marked for translation.

CI's translations step runs makemessages and fails on a new untranslated string; these
tests say the same from pytest, in seconds, and add what makemessages cannot see: text
written straight into a template without {% translate %}, which would stay English on
every Spanish page.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# The project's own apps (not the installed packages), and its settings and URLs.
APPS = (
    "config",
    *(
        config.name
        for config in django_apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and ".venv" not in Path(config.path).relative_to(settings.BASE_DIR).parts
    ),
)
TEMPLATE_DIRS = [ROOT / "templates"] + [ROOT / app / "templates" for app in APPS]


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def catalogue_keys(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


# --- The catalogue ----------------------------------------------------------------------


def test_every_message_has_a_spanish_translation(catalogue):
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    assert not untranslated, f"Messages without Spanish in {CATALOGUE.name}: {untranslated}"


def test_no_message_is_fuzzy(catalogue):
    # makemessages marks a guessed translation fuzzy; gettext ignores it, so the page
    # would show English.
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not fuzzy, f"Fuzzy (guessed, not used) translations: {fuzzy}"


def test_no_obsolete_messages_are_kept(catalogue):
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]
    assert not obsolete, "Drop them with msgattrib --no-obsolete"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def placeholders(text: str) -> set[str]:
    return {named or brace for named, brace in PLACEHOLDER.findall(text)}


def test_translations_keep_every_placeholder(catalogue):
    # A translation that drops or renames %(name)s raises (or says less) at render time.
    wrong = []
    for entry in catalogue.translated_entries():
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for form in forms:
            if placeholders(form) - expected or (
                not entry.msgid_plural and placeholders(form) != expected
            ):
                wrong.append((entry.msgid, form))
    assert not wrong, f"Translations whose placeholders differ from the English: {wrong}"


# --- Every marked string reached the catalogue ------------------------------------------

# name -> index of (context, message) arguments
GETTEXT_CALLS = {
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


# The names makemessages tells xgettext to look for: a string passed to gettext under any
# other name (`gettext_lazy as _lazy`) never reaches the catalogue and stays English.
XGETTEXT_NAMES = {"_", *GETTEXT_CALLS, "gettext_noop"}


def gettext_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> django.utils.translation function, for the module's imports."""
    return {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in GETTEXT_CALLS
    }


def python_messages(path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every gettext call with literal arguments in a module, under
    whatever name the module imported it as."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = {local: GETTEXT_CALLS[name] for local, name in gettext_aliases(tree).items()}
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in names:
            continue
        context_at, message_at = names[node.func.id]
        args = node.args
        if len(args) <= message_at:
            continue
        message = args[message_at]
        context = args[context_at] if context_at is not None else None
        if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
            continue
        if context is not None and not (
            isinstance(context, ast.Constant) and isinstance(context.value, str)
        ):
            continue
        found.add((context.value if context is not None else None, message.value))
    return found


def app_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        if (ROOT / app).is_dir()
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_gettext_is_imported_under_names_makemessages_knows():
    unknown = sorted(
        (str(path.relative_to(ROOT)), local)
        for path in app_modules()
        for local in gettext_aliases(ast.parse(path.read_text()))
        if local not in XGETTEXT_NAMES
    )
    assert not unknown, f"makemessages would miss the strings of these names: {unknown}"


def test_every_marked_python_string_is_in_the_catalogue(catalogue):
    known = catalogue_keys(catalogue)
    missing = sorted(
        (str(path.relative_to(ROOT)), message)
        for path in app_modules()
        for context, message in python_messages(path)
        if (context, message) not in known
    )
    assert not missing, f"Run makemessages -l es and translate: {missing}"


TRANSLATE_TAG = re.compile(
    r"""^(?:trans|translate)\s+(?P<q>["'])(?P<msg>.*?)(?P=q)"""
    r"""(?:.*?\bcontext\s+(?P<cq>["'])(?P<ctx>.*?)(?P=cq))?""",
    re.S,
)


def template_files() -> list[Path]:
    return sorted(
        path for folder in TEMPLATE_DIRS if folder.is_dir() for path in folder.rglob("*.html")
    )


def template_messages(source: str) -> set[tuple[str | None, str]]:
    found = set()
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK and (match := TRANSLATE_TAG.match(token.contents)):
            # As makemessages does: a template's "%" is a literal, doubled in the catalogue.
            found.add((match["ctx"], match["msg"].replace("%", "%%")))
    return found


def test_every_translate_tag_is_in_the_catalogue(catalogue):
    known = catalogue_keys(catalogue)
    missing = sorted(
        (path.name, message)
        for path in template_files()
        for context, message in template_messages(path.read_text())
        if (context, message) not in known
    )
    assert not missing, f"Run makemessages -l es and translate: {missing}"


# --- Template text nobody marked --------------------------------------------------------

# Attributes a person reads or hears.
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word someone reads
# A CSS class or an id written as a block's whole content ({% block body_class %}).
IDENTIFIER = re.compile(r"^[a-z0-9_-]+$")
COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
# Words shown as they are on purpose, each with its reason.
AS_WRITTEN = {
    # The language picker names each language in itself, so a person who reads only
    # Spanish finds "Español" on an English page (tests/test_i18n.py).
    "Español",
    "English",
}


class ReadText(HTMLParser):
    """Collects the text a person reads: text between tags and read attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and WORD.search(value):
                self.found.append(f'{name}="{value}"')

    def handle_data(self, data):
        for line in data.splitlines():
            text = line.strip()
            if WORD.search(text) and not IDENTIFIER.match(text) and text not in AS_WRITTEN:
                self.found.append(text)


def unmarked_text(source: str) -> list[str]:
    """Text of a template that no {% translate %} or {% blocktranslate %} covers: every
    tag and variable is dropped (what they print is translated where it comes from), and
    what is left is shown exactly as written."""
    source = BLOCKTRANSLATE.sub("", COMMENT_BLOCK.sub("", source))
    # A dropped tag leaves a line break: it ends a word without joining its neighbours, and
    # inside an HTML tag it is whitespace between attributes.
    text = "".join(
        token.contents if token.token_type == TokenType.TEXT else "\n"
        for token in Lexer(source).tokenize()
    )
    parser = ReadText()
    parser.feed(text)
    return parser.found


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_text_is_left_unmarked(path):
    found = unmarked_text(path.read_text())
    assert not found, f"{path.relative_to(ROOT)} shows English nobody can translate: {found}"


@pytest.mark.parametrize(
    "snippet",
    [
        "<p>Attendance saved</p>",
        '<img alt="A chart of sessions">',
        '<button aria-label="Close">{% translate "x" %}</button>',
        "{% if a %}<h1>Sessions</h1>{% endif %}",
    ],
)
def test_the_unmarked_text_check_catches_what_it_looks_for(snippet):
    assert unmarked_text(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<p>{% translate "Attendance saved" %}</p>',
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}",
        "{# a comment #}{% comment %}Notes for developers{% endcomment %}",
        "<p>{{ participant.display_name }} · 3</p>",
        "{% block body_class %}evaluation-report{% endblock %}",
    ],
)
def test_the_unmarked_text_check_lets_translated_text_through(snippet):
    assert unmarked_text(snippet) == []
