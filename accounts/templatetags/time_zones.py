"""Time zones by a name people read: "New York (America)", not "America/New_York"."""

from django import template

# The same names as the time zone selects (accounts.time_zones), so a page and a form agree.
from accounts.time_zones import zone_name

register = template.Library()
register.filter("zone_name", zone_name)
