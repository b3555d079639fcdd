"""Permission-matrix rows for the dashboards' pages.

Feedback by facilitator training level: the same access as the feedback results page
(tests/feedback/results_policy.py, whose groups, sessions and responses, the other
organization's carrying the canary in the group's name, this page reads too): the
organization's managers and facilitators get it (a facilitator sees the groups they
facilitate), reviewers 403, everyone outside the organization 404.
"""

from __future__ import annotations

import uuid

from accounts.models import Organization
from tests.matrix import FORBIDDEN, OK, Kwargs, Policy, Redirect, World, org_page, signed_in


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


POLICY: dict[str, Policy] = {
    "dashboards:feedback_by_training_level": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    "dashboards:manager": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    "dashboards:manager_refresh": Policy(
        expect=org_page(
            manager=Redirect("dashboards:manager"), facilitator=FORBIDDEN, reviewer=FORBIDDEN
        ),
        method="post",
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    "dashboards:evaluation_report": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    "dashboards:platform": Policy(
        expect={**signed_in(FORBIDDEN), "admin": OK},
        canary_shown_to={"admin": "the platform dashboard compares organizations by name"},
    ),
    "dashboards:platform_report": Policy(
        expect={**signed_in(FORBIDDEN), "admin": OK},
    ),
    "dashboards:manager_table_csv": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=lambda world, organization: {
            **_org_code(world, organization),
            "table": "sessions-per-month",
        },
        missing=lambda world: {"org_code": uuid.uuid4(), "table": "sessions-per-month"},
    ),
    "dashboards:evaluation_report_csv": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
}
