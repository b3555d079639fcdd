"""Every CSV the dashboards send, streamed: one helper, `csv_response`.

    from dashboards.streaming_csv import csv_response

    return csv_response(
        organization=organization,
        name="sessions-per-month",  # riverside-sessions-per-month-2026-12-02.csv
        header=["month", "held", "cancelled"],
        rows=((row.month, row.held, row.cancelled) for row in table),  # lazy is best
    )

What it does, so no caller has to remember:

- **Constant memory.** The rows are written as they are read: pass a generator over
  ``queryset.iterator(chunk_size=...)`` (or over a table already computed) and nothing
  holds the whole file. Lines go out in batches of ``BATCH_ROWS``.
- **The first line is the notice against redisclosure** (``redisclosure_notice``): one
  cell, in the reader's language, naming the organization the data comes from and the
  day it was exported. Analysis tools skip it with ``skiprows=1`` (pandas) or ``skip = 1``
  (R's read.csv). Then the header, then the rows.
- **No formula injection.** A text cell starting with ``= + - @``, a tab or a carriage
  return gets a leading apostrophe, so a spreadsheet shows it as text instead of running
  it. Numbers are written as numbers (never escaped: a negative number stays a number).
- **Cells are written one way whatever the language:** None is empty, True/False are 1/0,
  dates ISO 8601 (YYYY-MM-DD), Decimal and float with a dot. Translate labels before
  passing them; lazy strings are rendered in the active language.
- **A file name** with the organization's slug and its today's date, as an attachment.
  UTF-8 with a byte-order mark, so spreadsheet programs read accents right.
- ``on_complete(rows)``, if given, is called with the number of data rows once the last
  one has been sent (not when a download is interrupted): the export log's row count.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Organization

# Rows per chunk handed to the server: big enough that the per-chunk overhead vanishes,
# small enough that a chunk is a few kilobytes.
BATCH_ROWS = 500
# What a spreadsheet would read as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def redisclosure_notice(organization: Organization) -> str:
    """The first line of every export, in the active language."""
    return _(
        "CONFIDENTIAL. These data come from %(organization)s's records of a program for "
        "people in recovery from substance use, protected by confidentiality rules (in the "
        "manner of 42 CFR Part 2). They were exported on %(date)s for program evaluation only. "
        "Do not pass them on to anyone else, do not try to find out who anyone is, and do not "
        "link them with other data, unless the law allows it or the people concerned have "
        "agreed in writing."
    ) % {
        "organization": organization.name,
        "date": date_format(organization.today(), "DATE_FORMAT"),
    }


def escape_cell(value: Any) -> str | int | float | Decimal:
    """One cell as written: text that could start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like that hands back what csv.writer writes instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _lines(
    *,
    notice: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    on_complete: Callable[[int], None] | None,
) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield (
        BYTE_ORDER_MARK
        + writer.writerow([escape_cell(notice)])
        + writer.writerow([escape_cell(name) for name in header])
    )
    batch: list[str] = []
    count = 0
    for row in rows:
        batch.append(writer.writerow([escape_cell(cell) for cell in row]))
        count += 1
        if len(batch) >= BATCH_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
    if on_complete is not None:
        on_complete(count)


def csv_filename(organization: Organization, name: str) -> str:
    return f"{organization.slug}-{name}-{organization.today().isoformat()}.csv"


def csv_response(
    *,
    organization: Organization,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    on_complete: Callable[[int], None] | None = None,
) -> StreamingHttpResponse:
    """A streamed CSV attachment: the notice, the header, the rows (see the module's
    docstring). `name` is a slug for the file name; the notice is rendered now, in the
    active language."""
    response = StreamingHttpResponse(
        _lines(
            notice=redisclosure_notice(organization),
            header=header,
            rows=rows,
            on_complete=on_complete,
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(organization, name)}"'
    return response
