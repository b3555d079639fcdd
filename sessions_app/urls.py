"""sessions_app URLs, one module per feature so each stays short."""

from .urls_groups import urlpatterns as group_urls
from .urls_records import urlpatterns as record_urls
from .urls_sessions import urlpatterns as session_urls

app_name = "sessions_app"

urlpatterns = [*group_urls, *session_urls, *record_urls]
