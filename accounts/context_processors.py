from .access import roles_of


def roles(request) -> dict:
    """Expose the signed-in user's roles so navigation can follow them."""
    user_roles = roles_of(getattr(request, "user", None))
    return {
        "user_roles": user_roles,
        "is_manager": "manager" in user_roles,
        "is_facilitator": "facilitator" in user_roles,
        "is_reviewer": "reviewer" in user_roles,
    }
