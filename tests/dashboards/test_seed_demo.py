from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "curriculum", "sessions_app", "facilitators", "feedback", "reminders"}
        and not model._meta.label.startswith("curriculum.Historical")
    }


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert _row_counts() == first
    assert first["accounts.Membership"] == 4
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for email in ["manager@demo.example", "peer@demo.example", "reviewer@demo.example"]:
        assert email in printed


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("seed_demo", stdout=StringIO())
    assert client.login(email="peer@demo.example", password=DEMO_PASSWORD)
