"""The export log: every export writes its row before its first byte is sent (issue 12)."""

from typing import Any

from accounts.models import Organization, User

from ..models import ExportLog


def export_log_record(
    *,
    organization: Organization,
    user: User,
    kind: str,
    filters: dict[str, Any],
    table: str = "",
) -> ExportLog:
    """Log an export about to be sent. `filters` holds months and codes only (no names,
    nothing a person typed); the row count is filled in by `export_log_finish`."""
    # Every argument comes from code, not from a form: a check instead of full_clean(),
    # whose foreign-key and constraint checks would cost four queries per download.
    if kind not in ExportLog.Kind.values:
        raise ValueError(f"unknown export kind {kind!r}")
    return ExportLog.objects.create(
        organization=organization, user=user, kind=kind, table=table, filters=filters
    )


def export_log_finish(*, log: ExportLog, rows: int) -> None:
    """The download was read to its end: how many data rows it held."""
    ExportLog.objects.filter(pk=log.pk).update(row_count=rows)
