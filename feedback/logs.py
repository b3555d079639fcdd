"""Keep participants' pages out of the application's logs (invariant 2).

Django logs every 4xx and 5xx response on `django.request` (with the path, so the link's
token, and the request itself, whose META holds the address and user agent), and the
development server logs every request line on `django.server`. For participants' paths
(/f/ and /r/, accounts.participant_pages) this filter drops those lines; a server error
there is kept as one line naming no path or request, so errors are still noticed.
"""

import logging

from accounts.participant_pages import PARTICIPANT_PATH_PREFIXES


def _path_of(record: logging.LogRecord) -> str:
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)
    if isinstance(path, str):
        return path
    # django.server: the request line is in the message's arguments.
    return " ".join(str(arg) for arg in record.args or ()) if record.args else record.getMessage()


class ParticipantPagesFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        path = _path_of(record)
        if not any(prefix in path for prefix in PARTICIPANT_PATH_PREFIXES):
            return True
        status = getattr(record, "status_code", None)
        if record.levelno >= logging.ERROR and (status is None or status >= 500):
            record.msg = "Server error on a participant page (path and request not logged)"
            record.args = ()
            record.request = None
            return True
        return False
