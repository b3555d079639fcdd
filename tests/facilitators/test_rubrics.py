# ruff: noqa: F811 (the fixtures are imported from review_factories)
"""Rubrics are data: a version with any review is frozen, in the models and in admin;
admin copies it as a new version."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from facilitators.models import Rubric, RubricItem, RubricPart
from facilitators.services.assignments import review_assign
from facilitators.services.reviews import review_save_draft

from .review_factories import (  # noqa: F401 (fixtures)
    all_rated,
    calibrated_reviewer,
    fidelity,
    items_of,
    private_files,
    recorded,
)

# Fidelity reviews of certification recordings need a calibrated rater.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calibrated_reviewer")]


@pytest.fixture
def used(cast, recorded, fidelity) -> Rubric:
    assignment = review_assign(
        recording=recorded.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
    )
    review_save_draft(
        assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity), overall={}
    )
    return fidelity


def test_an_unused_rubric_can_be_edited(fidelity):
    fidelity.name = "Renamed"
    fidelity.save()
    item = items_of(fidelity)[0]
    item.text = "Changed"
    item.save()


def test_a_rubric_with_a_review_refuses_edits(used):
    used.name = "Renamed"
    with pytest.raises(ValidationError):
        used.full_clean()
    with pytest.raises(ValidationError):
        used.save()
    item = items_of(used)[0]
    item.text = "Changed"
    with pytest.raises(ValidationError):
        item.save()
    with pytest.raises(ValidationError):
        RubricItem(part=item.part, text="New").save()
    with pytest.raises(ValidationError):
        RubricPart.objects.filter(rubric=used).first().delete()


def test_a_used_rubric_may_still_be_switched_off(used):
    used.active = False
    used.save()
    assert not Rubric.objects.get(pk=used.pk).active


def test_admin_shows_a_used_rubric_read_only(client, cast, used):
    client.force_login(cast.admin)
    url = reverse("admin:facilitators_rubric_change", args=[used.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' not in page  # read-only
    part = RubricPart.objects.filter(rubric=used).first()
    part_page = client.get(reverse("admin:facilitators_rubricpart_change", args=[part.pk]))
    assert 'name="name"' not in part_page.content.decode()
    response = client.post(
        reverse("admin:facilitators_rubricpart_change", args=[part.pk]), {"name": "Changed"}
    )
    assert response.status_code == 403
    part.refresh_from_db()
    assert part.name != "Changed"


def test_admin_edits_an_unused_rubric(client, cast, fidelity):
    client.force_login(cast.admin)
    page = client.get(reverse("admin:facilitators_rubric_change", args=[fidelity.pk]))
    assert 'name="name"' in page.content.decode()


def test_admin_copies_a_used_rubric_as_a_new_version(client, cast, used):
    client.force_login(cast.admin)
    response = client.post(
        reverse("admin:facilitators_rubric_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [used.pk]},
    )
    assert response.status_code == 302
    copy = Rubric.objects.get(name=used.name, version=used.version + 1)
    assert not copy.active
    assert [i.text for i in items_of(copy)] == [i.text for i in items_of(used)]
    copy.name = "Editable"
    copy.save()
