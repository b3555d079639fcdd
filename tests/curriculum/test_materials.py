"""Topic materials: shared ones for everyone, an organization's own only for it."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from curriculum.models import Topic, TopicMaterial
from tests.conftest import CANARY
from tests.factories import TopicMaterialFactory, point_private_storage_at, uploaded


@pytest.fixture(autouse=True)
def private_files(settings, monkeypatch, tmp_path):
    return point_private_storage_at(tmp_path, settings=settings, monkeypatch=monkeypatch)


@pytest.fixture
def materials(cast) -> dict[str, TopicMaterial]:
    """On the Safety topic: one shared material, one of org, one of other_org."""
    return {
        "shared": TopicMaterialFactory(
            organization=None,
            kind=TopicMaterial.Kind.REFERENCE,
            title="Safety handout in the book",
            page_reference="42",
            body="",
            file=uploaded("shared.txt", "Shared for everyone"),
        ),
        "org": TopicMaterialFactory(
            organization=cast.org,
            title="Riverside safety plan",
            file=uploaded("riverside.txt", "Riverside's own file"),
        ),
        "other_org": TopicMaterialFactory(
            organization=cast.other_org,
            title=f"Hillside plan {CANARY}",
            body=f"Hillside notes {CANARY}",
            file=uploaded("hillside.txt", f"Hillside's file {CANARY}"),
        ),
    }


def topic_page(client, slug: str = "safety") -> str:
    response = client.get(reverse("curriculum:topic_detail", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def download(client, material: TopicMaterial):
    # Read streamed content to the end (that closes the file); response.close() would
    # also close the test's PostgreSQL connection mid-transaction.
    return client.get(reverse("curriculum:material_file", kwargs={"code": material.code}))


def test_topic_page_shows_heading_summary_and_goals(client, cast):
    client.force_login(cast.peer)

    page = topic_page(client)

    safety = Topic.objects.get(slug="safety")
    assert "2. Safety" in page
    assert safety.summary in page
    assert "Make a safety plan" in page


def test_topic_page_shows_shared_and_own_organization_materials_only(client, cast, materials):
    client.force_login(cast.peer)

    page = topic_page(client)

    assert "Safety handout in the book" in page
    assert "(page 42)" in page
    assert "Riverside safety plan" in page
    assert CANARY not in page


def test_other_organization_sees_its_own_materials_and_not_ours(client, cast, materials):
    client.force_login(cast.outsider)

    page = topic_page(client)

    assert "Safety handout in the book" in page
    assert f"Hillside plan {CANARY}" in page
    assert "Riverside safety plan" not in page


def test_member_without_organization_sees_only_shared_materials(client, cast, materials):
    client.force_login(cast.nobody)

    page = topic_page(client)

    assert "Safety handout in the book" in page
    assert "Riverside safety plan" not in page
    assert CANARY not in page


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("curriculum:topic_list", {}),
        ("curriculum:topic_detail", {"slug": "safety"}),
    ],
)
def test_anonymous_visitor_is_sent_to_sign_in(client, db, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_anonymous_visitor_cannot_download_a_material(client, materials):
    url = reverse("curriculum:material_file", kwargs={"code": materials["org"].code})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_material_file_downloads_for_its_own_organization(client, cast, materials):
    client.force_login(cast.clinician)

    response = download(client, materials["org"])

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "riverside" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"Riverside's own file"


def test_material_file_is_404_for_another_organization(client, cast, materials):
    client.force_login(cast.outsider)

    response = download(client, materials["org"])

    assert response.status_code == 404
    assert b"Riverside" not in response.content


def test_our_members_get_404_for_the_other_organizations_file(client, cast, materials):
    client.force_login(cast.manager)

    response = download(client, materials["other_org"])

    assert response.status_code == 404
    assert CANARY.encode() not in response.content


def test_shared_material_file_downloads_for_any_organization(client, cast, materials):
    client.force_login(cast.outsider)

    response = download(client, materials["shared"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Shared for everyone"


def test_material_without_a_file_is_404(client, cast):
    material = TopicMaterialFactory(organization=cast.org, file="")
    client.force_login(cast.peer)

    assert download(client, material).status_code == 404


def test_uploaded_files_stay_out_of_the_repository(materials, private_files, tmp_path):
    assert private_files.location == str(tmp_path)
    assert (tmp_path / materials["org"].file.name).read_bytes() == b"Riverside's own file"


def test_reference_material_cannot_carry_body_text(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicMaterialFactory(
            organization=None,
            kind=TopicMaterial.Kind.REFERENCE,
            page_reference="12",
            body="Text copied from the book",
        )


def test_reference_material_with_title_and_page_only_is_stored(db):
    material = TopicMaterialFactory(
        organization=None, kind=TopicMaterial.Kind.REFERENCE, page_reference="12", body=""
    )

    assert TopicMaterial.objects.filter(pk=material.pk, body="").exists()


# Session, user, the user's roles (navigation), the topic, its visible materials.
TOPIC_DETAIL_QUERY_BUDGET = 5


@pytest.mark.parametrize("count", [1, 20])
def test_topic_page_query_count_does_not_grow_with_materials(
    client, cast, django_assert_max_num_queries, count
):
    for n in range(count):
        # Alternate shared and own materials, some with files, so every branch renders.
        TopicMaterialFactory(
            organization=cast.org if n % 2 else None,
            title=f"Material {n}",
            file=uploaded("m.txt", "m") if n % 3 == 0 else "",
        )
    client.force_login(cast.peer)

    with django_assert_max_num_queries(TOPIC_DETAIL_QUERY_BUDGET):
        page = topic_page(client)

    assert page.count("list-group-item") == count
