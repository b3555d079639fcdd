"""Time zones by a name people read: "New York (America)", not "America/New_York"."""

from django import template

from accounts import time_zones

register = template.Library()

# The same names as the time zone selects (accounts.time_zones), so a page and a form agree.
register.filter("zone_name", time_zones.zone_name)
