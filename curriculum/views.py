from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import query_param

from . import selectors
from .models import ContentArea, Topic, TopicMaterial


@dataclass(frozen=True)
class AreaItem:
    area: ContentArea
    label: str


@dataclass(frozen=True)
class TopicItem:
    topic: Topic
    area_label: str


@login_required
@require_GET
def topic_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    area_key = query_param(request, "area", max_length=40) or None
    areas = list(selectors.content_area_list())
    if area_key and area_key not in {a.key for a in areas}:
        area_key = None
    # Each area's label once (a choice's display is dear: 25 topics, 4 areas).
    labels = {area.pk: str(area.get_key_display()) for area in areas}
    topics = list(selectors.topic_list(area_key=area_key))
    return render(
        request,
        "curriculum/topic_list.html",
        {
            "topics": topics,
            "topic_items": [TopicItem(t, labels.get(t.content_area_id, "")) for t in topics],
            "area_items": [AreaItem(area, labels[area.pk]) for area in areas],
            "area_key": area_key,
        },
    )


@login_required
@require_GET
def topic_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(selectors.topic_with_materials_for(slug=slug, user=request.user))
    return render(request, "curriculum/topic_detail.html", {"topic": topic})


@login_required
@require_GET
def material_file(request: AuthenticatedHttpRequest, code: UUID) -> FileResponse:
    """An uploaded material file, only for its own organization (or everyone, if shared)."""
    material = get_object_or_404(TopicMaterial.objects.visible_to(request.user), code=code)
    if not material.file:
        raise Http404
    return FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.file.name.rsplit("/", 1)[-1],
    )
