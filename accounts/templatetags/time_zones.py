"""Time zones by a name people read: "New York (America)", not "America/New_York"."""

from django import template

register = template.Library()


@register.filter
def zone_name(zone: str) -> str:
    """The place, then its region: "America/Argentina/Buenos_Aires" -> "Buenos Aires
    (America, Argentina)"; a zone without a region ("UTC") as it is."""
    parts = [part.replace("_", " ") for part in (zone or "").split("/")]
    if len(parts) < 2:
        return zone
    return f"{parts[-1]} ({', '.join(parts[:-1])})"
