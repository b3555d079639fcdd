"""A record of each purge: when it ran and how many of each kind it removed, per
organization. Counts only, never what was removed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class PurgeRun(models.Model):
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"Purge {self.started_at:%Y-%m-%d %H:%M}"


class PurgeCount(models.Model):
    run = models.ForeignKey(
        PurgeRun, on_delete=models.CASCADE, related_name="counts", verbose_name=_("purge run")
    )
    kind = models.CharField(_("kind"), max_length=40)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        ordering = ["kind"]
        verbose_name = _("purge count")
        verbose_name_plural = _("purge counts")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "organization"],
                name="purgecount_one_per_kind_and_organization",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.count}"
