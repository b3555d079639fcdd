"""Permission-matrix rows for curriculum's pages. Topics are shared by every organization;
per organization: one handout of its own, with a file."""

from __future__ import annotations

import uuid

from accounts.models import Organization
from curriculum.models import TopicMaterial
from tests.factories import TopicMaterialFactory, uploaded
from tests.matrix import NOT_FOUND, OK, By, Policy, World, org_page, signed_in


def build(world: World, organization: Organization, *, tag: str) -> TopicMaterial:
    return TopicMaterialFactory(
        organization=organization,
        title=f"Handout of {organization.slug}{tag}",
        body=f"Written by {organization.slug}{tag}.",
        file=uploaded("handout.txt", f"File of {organization.slug}{tag}"),
    )


def material(world: World, organization: Organization | None) -> TopicMaterial:
    return world.part(__name__, organization)


POLICY: dict[str, Policy] = {
    "curriculum:topic_list": Policy(expect=signed_in(OK)),
    "curriculum:topic_detail": Policy(
        # Topics are shared; the canary check proves other_org's material stays out.
        expect=signed_in(By(shared=OK, missing=NOT_FOUND)),
        url_kwargs=lambda world, organization: {"slug": "safety"},
        missing=lambda world: {"slug": "no-such-topic"},
        shared=True,
    ),
    "curriculum:material_file": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=OK),
        url_kwargs=lambda world, organization: {"code": material(world, organization).code},
        missing=lambda world: {"code": uuid.uuid4()},
    ),
}
