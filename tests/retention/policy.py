"""Matrix rows for the retention page: an organization's managers only."""

import uuid

from accounts.models import Organization
from tests.matrix import FORBIDDEN, OK, Kwargs, Policy, World, org_page


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


POLICY: dict[str, Policy] = {
    "retention:page": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
}
