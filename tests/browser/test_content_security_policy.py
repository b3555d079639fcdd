"""Every page a person reaches by following links works under the strict
Content-Security-Policy: Chromium reports no violation (it logs each one to the console,
and fires `securitypolicyviolation`), for a facilitator, a manager and a platform admin,
allauth's and Django admin's pages included."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from curriculum.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Followed links stop here: leaving, downloads, and pages that change data on GET (none).
SKIP_PREFIXES = ("/accounts/logout", "/i18n/")
SKIP_PARTS = ("/download/", "/play/", "/file/")
PAGES_PER_PERSON = 30


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def crawl(page, start: str, *, limit: int = PAGES_PER_PERSON) -> dict[str, list[str]]:
    """Visit `start` and the same-site pages its links lead to (breadth first); returns
    the CSP violations seen on each page."""
    seen: dict[str, list[str]] = {}
    current: list[str] = []
    page.on(
        "console",
        lambda message: (
            current.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        current.clear()
        page.goto(path)
        page.wait_for_load_state("load")
        # Let late violations (styles set by scripts, images) reach the console.
        page.wait_for_timeout(100)
        seen[path] = list(current)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(page.url).netloc:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(SKIP_PREFIXES) or any(p in target for p in SKIP_PARTS):
                continue
            if target not in seen and target not in queue:
                queue.append(target)
    return seen


def assert_no_violations(seen: dict[str, list[str]]) -> None:
    violations = {path: messages for path, messages in seen.items() if messages}
    assert not violations, f"CSP violations: {violations}"


@pytest.fixture
def demo(settings, curriculum):
    # The demo's waiver of two-step sign-in, as `make demo` sets it, so the crawl reaches
    # the managers' and admins' pages (their MFA pages are crawled by the facilitator).
    settings.MFA_EXEMPT_EMAILS = ["manager@demo.example", "admin@demo.example"]
    call_command("seed_demo", stdout=StringIO())


def test_the_sign_in_page_has_no_csp_violation(page, demo):
    assert_no_violations(crawl(page, "/accounts/login/", limit=3))


def test_a_facilitators_pages_have_no_csp_violation(page, demo):
    sign_in(page, "peer@demo.example")
    seen = crawl(page, "/")
    assert len(seen) >= 8, sorted(seen)
    assert any(path.startswith("/sessions/") for path in seen), sorted(seen)
    # Two-step sign-in set-up (allauth MFA, with its QR code) and the account pages.
    seen |= crawl(page, "/accounts/2fa/totp/activate/", limit=5)
    assert_no_violations(seen)


def test_a_managers_pages_have_no_csp_violation(page, demo):
    sign_in(page, "manager@demo.example")
    seen = crawl(page, "/")
    assert any(path.startswith("/participants/") for path in seen), sorted(seen)
    assert any(path.startswith("/groups/") for path in seen), sorted(seen)
    assert_no_violations(seen)


def test_django_admin_has_no_csp_violation(page, demo):
    sign_in(page, "admin@demo.example")
    topic = Topic.objects.get(order=1)
    seen: dict[str, list[str]] = {}
    for start in (
        "/admin/",
        "/admin/curriculum/topic/",
        f"/admin/curriculum/topic/{topic.pk}/change/",
        f"/admin/curriculum/topic/{topic.pk}/history/",
        "/admin/sessions_app/consentform/add/",
    ):
        seen |= crawl(page, start, limit=1)
    assert len(seen) == 5, sorted(seen)
    assert_no_violations(seen)
