from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No open sign-up: staff join through a manager's invitation or a platform admin."""

    def is_open_for_signup(self, request) -> bool:
        return False
