"""Matrix rows for "What we hold about this person": managers of the participant's
organization only. The page shows the participant's name (the other organization's
carries the canary), so only other_org's own managers see it."""

from tests.matrix import FORBIDDEN, OK, Policy, org_page
from tests.sessions_app.policy import _missing, _participant

POLICY: dict[str, Policy] = {
    f"sessions_app:{name}": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_participant,
        missing=_missing,
    )
    for name in ("participant_own_data", "participant_own_data_download")
}
