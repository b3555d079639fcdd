from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_widgets import LabelledDateTimeAdmin

from .models import ContentArea, Topic, TopicMaterial


class TopicMaterialInline(LabelledDateTimeAdmin, admin.StackedInline):
    model = TopicMaterial
    extra = 0
    fields = [
        "kind",
        "title",
        "page_reference",
        "language",
        "audience",
        "body",
        "file",
        "organization",
        "order",
    ]


@admin.register(ContentArea)
class ContentAreaAdmin(LabelledDateTimeAdmin, admin.ModelAdmin):
    list_display = ["name", "key", "order"]
    ordering = ["order"]


@admin.register(Topic)
class TopicAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = ["order", "title", "content_area", "includes_case_management", "is_active"]
    list_display_links = ["title"]
    list_filter = ["content_area", "is_active", "includes_case_management"]
    search_fields = ["title", "summary", "summary_es", "goals"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TopicMaterialInline]


@admin.register(TopicMaterial)
class TopicMaterialAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = ["title", "topic", "kind", "language", "audience", "organization", "order"]
    list_filter = ["kind", "language", "audience", "organization", "topic__content_area"]
    search_fields = ["title", "body", "topic__title"]
    autocomplete_fields = ["topic"]
