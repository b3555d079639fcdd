"""Matrix rows for erasing a participant: managers of the participant's organization
only. The first POST (no confirmation) shows what would be destroyed and changes nothing,
so the matrix's own-organization cases get 200; facilitators and reviewers get 403, the
other organization 404. Reuses tests/sessions_app/policy.py's participant."""

from tests.matrix import FORBIDDEN, OK, Policy, org_page
from tests.sessions_app.policy import _missing, _participant

POLICY: dict[str, Policy] = {
    "sessions_app:participant_erase": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        method="post",
        url_kwargs=_participant,
        missing=_missing,
    ),
}
