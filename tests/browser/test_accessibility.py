"""The accessibility gate: axe-core finds no `serious` or `critical` violation on any page a
person reaches by following links, as each demo role, at phone (390 px) and desktop
(1280 px) width, in English and in Spanish.

What is audited, and how it stays cheap (one Chromium for the module, see conftest.py):
- one test per kind of role (signed out, facilitators: peer then clinician, manager,
  reviewer, platform admin); each role signs in once, in one browser context whose single
  page is reused for every page audited;
- English first (the context's locale, sent as Accept-Language): a breadth-first crawl
  from the role's start pages along same-site links, at most PAGES_PER_ROLE pages and
  PAGES_PER_ROUTE page per Django route (twenty sessions share one template), each page
  loaded once and audited at desktop and then phone width (the viewport changes under
  the loaded page); then Spanish (the language cookie): the same pages again, at phone
  width only (WIDTHS_PER_LANGUAGE). No URL is audited twice for one (role, width,
  language);
- the curriculum and allauth's account pages (SHARED) are audited in the facilitators'
  run only, and the clinician's run skips the routes the peer's run audited;
- downloads, media, sign-out and the language switch are not followed;
- axe rules whose impact is at most `moderate` are not run (they cannot fail the gate).

axe-core (bundled by axe-playwright-python) is injected with Playwright's
`page.evaluate`, which runs as the DevTools protocol and is not subject to the page's
Content-Security-Policy: the pages are audited exactly as they are served, with the
strict CSP in force (no `bypass_csp`).

Django admin pages are audited too. What our admin configuration causes is fixed in our
code; what remains comes from Django's own admin templates and is listed, page by page
and rule by rule, in DJANGO_ADMIN_EXCLUSIONS below with the reason.
"""

import re
import time
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from accounts.demo import DEMO_ORGANIZATION, DEMO_PASSWORD
from accounts.models import Organization, User
from curriculum.models import Topic
from sessions_app.models import Session
from tests.factories import point_private_storage_at

from .conftest import TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# English: the browser context's locale (sent as Accept-Language); Spanish: the language
# cookie, set after the English pass (see run_gate).
LOCALES = {"en": "en-US", "es": "es"}
# Spanish is audited at phone width only, where its longer words and labels wrap and
# overflow; at desktop width it would repeat the English audit's findings, and it would
# cost a quarter of the gate's time.
WIDTHS_PER_LANGUAGE = {"en": ("desktop", "phone"), "es": ("phone",)}
FAILING_IMPACTS = ("serious", "critical")

PAGES_PER_ROLE = 16
PAGES_PER_ROUTE = 1
# Pages every signed-in role reaches and sees alike but for the menu: the curriculum, the
# account page, and allauth's account and two-step sign-in pages. The facilitators' run
# audits them; the other roles' runs do not again (their menus are audited on their home
# page).
SHARED = ("curriculum:", "account_", "mfa_", "accounts:profile")
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/static/", "/media/")
SKIP_PARTS = ("/download/", "/play/", "/file/", ".csv")

# (page pattern, axe rule id, node pattern, reason), patterns searched with re.search in
# the path and in the node's CSS selector as axe reports it. Only for what Django's own
# admin templates and scripts produce; each entry is as narrow as the finding: the pages
# it occurs on, the one rule, and the elements it concerns (any other element failing
# the same rule on the same page still fails the gate).
DJANGO_ADMIN_EXCLUSIONS: list[tuple[str, str, str, str]] = [
    (
        r"^/admin/",
        "link-in-text-block",
        r"^\.breadcrumbs > a",
        "Django's admin breadcrumbs (admin/base.html, admin/css/base.css) colour their "
        "links almost like the text around them and do not underline them.",
    ),
    (
        r"^/admin/(auth/group|accounts/user)/(add|[^/]+/change)/$",
        "aria-prohibited-attr",
        r"\.help-tooltip\.search-label-icon$",
        "Django's filter_horizontal widget (admin/js/SelectFilter2.js, for groups and "
        "permissions) puts aria-label on a <span> with no role.",
    ),
    (
        r"^/admin/accounts/(membership|user)/(add|[^/]+/change)/$",
        "aria-input-field-name",
        r"select2",
        "Django's autocomplete widget (its vendored Select2) names its combobox by the "
        "selected value, which is empty until one is chosen; the field's <label for> "
        "points at the hidden <select>, not at Select2's combobox.",
    ),
]


@dataclass
class Audit:
    """What one role's run saw: the pages audited and the failing violations."""

    pages: list[str] = field(default_factory=list)
    audits: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)
    limit: int = 0
    skip_routes: tuple[str, ...] = ()
    load_seconds: float = 0.0
    per_route: dict[str, int] = field(default_factory=dict)
    inject_seconds: float = 0.0
    axe_seconds: float = 0.0


def excluded(path: str, rule: str, target: list) -> bool:
    selector = " ".join(str(part) for part in target)
    return any(
        rule == rule_id and re.search(pages, path) and re.search(nodes, selector)
        for pages, rule_id, nodes, _ in DJANGO_ADMIN_EXCLUSIONS
    )


# axe-core's rules whose impact is at most `moderate` cannot fail the gate: they are not
# run, which roughly halves an audit's time (`region` alone looks at every node).
AXE_OPTIONS_SCRIPT = """() => ({
    resultTypes: ["violations"],
    rules: Object.fromEntries(
        axe._audit.rules
            .filter(rule => rule.impact === "minor" || rule.impact === "moderate")
            .map(rule => [rule.id, {enabled: false}])
    ),
})"""


def inject_axe(page, axe_script: str) -> None:
    # Runs through the DevTools protocol, not as a page script: the page's CSP allows it.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script)


def audit_page(page, axe_script: str, path: str, label: str, result: Audit) -> None:
    began = time.monotonic()
    inject_axe(page, axe_script)
    result.inject_seconds += time.monotonic() - began
    began = time.monotonic()
    response = page.evaluate(f"async () => await axe.run(document, ({AXE_OPTIONS_SCRIPT})())")
    result.audits += 1
    result.axe_seconds += time.monotonic() - began
    problems = []
    for violation in response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not excluded(path, violation["id"], node["target"])
        ]
        if len(nodes) < len(violation["nodes"]):
            result.excluded.setdefault(violation["id"], set()).add(path)
        if not nodes:
            continue
        targets = ", ".join(str(node["target"]) for node in nodes[:5])
        problems.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} -- {targets}"
        )
    if problems:
        result.failures[f"{label} {path}"] = problems


def audit_at_every_width(page, axe_script: str, path: str, who: str, lang: str, result: Audit):
    """The page is loaded once; the viewport changes under it (media queries apply live)."""
    for width, viewport in VIEWPORTS.items():
        if width not in WIDTHS_PER_LANGUAGE[lang]:
            continue
        page.set_viewport_size(viewport)
        audit_page(page, axe_script, path, f"[{who} {width} {lang}]", result)


def route_of(path: str) -> str:
    """The Django route a path resolves to (its view name): pages of one route share
    their template, whatever object or filter (query string) they show."""
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return path


def same_site_links(page) -> list[str]:
    here = urlsplit(page.url).netloc
    targets = []
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        parts = urlsplit(href)
        if parts.netloc != here:
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target.startswith(SKIP_PREFIXES) or any(p in target for p in SKIP_PARTS):
            continue
        targets.append(target)
    return targets


def crawl_and_audit(page, axe_script: str, starts: list[str], who: str, result: Audit) -> None:
    """Breadth first from `starts`, auditing each page (in English); fills result.pages.

    A page whose route (see route_of) was already audited PAGES_PER_ROUTE times, by this
    role or by the role `result` was started from, is neither audited nor visited; the
    start pages always are."""
    queue = list(starts)
    while queue and len(result.pages) < result.limit:
        path = queue.pop(0)
        if path in result.pages:
            continue
        route = route_of(path)
        if path not in starts and (
            result.per_route.get(route, 0) >= PAGES_PER_ROUTE
            or route.startswith(result.skip_routes)
        ):
            continue
        loading = time.monotonic()
        page.goto(path)
        result.load_seconds += time.monotonic() - loading
        landed = urlsplit(page.url)
        landed_path = landed.path + (f"?{landed.query}" if landed.query else "")
        if landed_path != path and (
            landed_path in result.pages or result.per_route.get(route_of(landed_path), 0)
        ):
            continue  # a redirect to a page already audited
        result.per_route[route] = result.per_route.get(route, 0) + 1
        result.pages.append(path)
        audit_at_every_width(page, axe_script, path, who, "en", result)
        for target in same_site_links(page):
            if target not in result.pages and target not in queue:
                queue.append(target)


def sign_in(page, email: str) -> None:
    # By field name, not label: the page may be in Spanish.
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert not urlsplit(page.url).path.startswith("/accounts/login"), f"{email} not signed in"


def run_gate(
    browser,
    live_server,
    email: str | None,
    starts: list[str],
    *,
    limit: int = PAGES_PER_ROLE,
    after: Audit | None = None,
    skip_routes: tuple[str, ...] = (),
) -> Audit:
    """Sign in as `email` (None: signed out), crawl and audit in English at every width,
    then audit the same pages in Spanish. `after`: a run for the same kind of role whose
    routes need not be audited again."""
    from axe_playwright_python.base import AXE_SCRIPT

    who = email or "anonymous"
    result = Audit(
        limit=limit, per_route=dict(after.per_route) if after else {}, skip_routes=skip_routes
    )
    began = time.monotonic()
    context = browser.new_context(base_url=live_server.url, locale=LOCALES["en"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        if email:
            sign_in(page, email)
        crawl_and_audit(page, AXE_SCRIPT, starts, who, result)
        # Spanish, as a person gets it after choosing it: the language cookie (the
        # footer's form sets it; LocaleMiddleware reads it before Accept-Language).
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": live_server.url}]
        )
        for path in result.pages:
            loading = time.monotonic()
            page.goto(path)
            result.load_seconds += time.monotonic() - loading
            assert page.locator("html").get_attribute("lang") == "es", path
            audit_at_every_width(page, AXE_SCRIPT, path, who, "es", result)
    finally:
        context.close()
    seconds = time.monotonic() - began
    print(
        f"\naccessibility {who}: {len(result.pages)} pages, {result.audits} audits "
        f"in {seconds:.1f} s "
        f"(axe {result.axe_seconds:.1f} s, injection {result.inject_seconds:.1f} s, "
        f"page loads {result.load_seconds:.1f} s); "
        f"excluded (Django admin): {result.excluded}; pages: {result.pages}"
    )
    return result


def assert_accessible(result: Audit) -> None:
    report = "\n".join(
        f"{where}\n    " + "\n    ".join(problems) for where, problems in result.failures.items()
    )
    assert not result.failures, f"serious/critical accessibility violations:\n{report}"


@pytest.fixture
def demo(settings, curriculum, tmp_path):
    # The demo's waiver of two-step sign-in, as `make demo` sets it, so the crawl reaches
    # the managers', reviewers' and admins' pages (facilitators reach the MFA pages).
    settings.MFA_EXEMPT_EMAILS = [
        "manager@demo.example",
        "reviewer@demo.example",
        "admin@demo.example",
    ]
    # The demo uploads recordings through the real service: keep them out of the repo.
    point_private_storage_at(tmp_path / "private", settings=settings)
    call_command("seed_demo", stdout=StringIO())


def test_the_signed_out_pages_are_accessible(browser, live_server, demo):
    result = run_gate(browser, live_server, None, ["/accounts/login/"])
    assert "/accounts/login/" in result.pages
    assert_accessible(result)


def test_the_facilitators_pages_are_accessible(browser, live_server, demo):
    peer = run_gate(
        browser, live_server, "peer@demo.example", ["/", "/accounts/2fa/totp/activate/"]
    )
    assert any(path.startswith("/sessions/") for path in peer.pages), peer.pages
    assert any(path.startswith("/accounts/2fa/") for path in peer.pages), peer.pages
    assert "/me/" in peer.pages, peer.pages  # the account page, from the menu
    assert_accessible(peer)
    # The clinician is a facilitator too: the same pages, with other groups and sessions
    # in them; only what the peer's run did not reach is audited again.
    clinician = run_gate(browser, live_server, "clinician@demo.example", ["/"], after=peer)
    assert_accessible(clinician)


def test_a_managers_pages_are_accessible(browser, live_server, demo):
    result = run_gate(browser, live_server, "manager@demo.example", ["/"], skip_routes=SHARED)
    assert any("/staff/" in path for path in result.pages), result.pages
    assert any(path.startswith("/participants/") for path in result.pages), result.pages
    assert_accessible(result)


def test_the_staff_table_fits_a_phone(browser, live_server, demo):
    """The Role column was cut off at 390 px behind a sideways scroll that a keyboard
    could not reach (axe: scrollable-region-focusable)."""
    organization = Organization.objects.get(slug=DEMO_ORGANIZATION["slug"])
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["phone"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, "manager@demo.example")
        page.goto(reverse("accounts:staff", kwargs={"org_code": organization.code}))
        table = page.locator(".table-responsive").first
        overflow = table.evaluate("box => box.scrollWidth - box.clientWidth")
        assert overflow <= 0, f"the staff table is {overflow} px too wide for a phone"
        assert page.get_by_role("columnheader", name="Role").is_visible()
    finally:
        context.close()


def test_a_reviewers_pages_are_accessible(browser, live_server, demo):
    result = run_gate(browser, live_server, "reviewer@demo.example", ["/"], skip_routes=SHARED)
    assert "/reviews/queue/" in result.pages, result.pages  # their queue, from the menu
    assert_accessible(result)


def test_a_platform_admins_pages_are_accessible(browser, live_server, demo):
    """The home page, and Django admin: its index, and a page of each kind our admin
    configuration shapes (our templates/admin/, autocomplete, filter_horizontal, inlines,
    read-only admins, history), not every model's copy of Django's pages."""
    topic = Topic.objects.get(order=1)
    admin = User.objects.get(email="admin@demo.example")
    session = Session.objects.order_by("pk").first()
    assert session is not None
    starts = [
        "/",
        "/admin/",
        "/admin/accounts/",
        f"/admin/accounts/user/{admin.pk}/change/",
        "/admin/accounts/membership/add/",
        "/admin/accounts/invitation/add/",
        "/admin/accounts/organization/add/",
        "/admin/curriculum/topic/",
        f"/admin/curriculum/topic/{topic.pk}/change/",
        f"/admin/curriculum/topic/{topic.pk}/history/",
        "/admin/sessions_app/consentform/add/",
        "/admin/sessions_app/participant/",
        "/admin/sessions_app/participant/name-clashes/",
        f"/admin/sessions_app/session/{session.pk}/change/",
    ]
    result = run_gate(
        browser, live_server, "admin@demo.example", starts, limit=len(starts), skip_routes=SHARED
    )
    assert result.pages == starts, result.pages
    assert_accessible(result)
