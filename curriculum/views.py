from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import query_param

from . import selectors
from .models import TopicMaterial


@login_required
@require_GET
def topic_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    area_key = query_param(request, "area", max_length=40) or None
    areas = list(selectors.content_area_list())
    if area_key and area_key not in {a.key for a in areas}:
        area_key = None
    return render(
        request,
        "curriculum/topic_list.html",
        {"topics": selectors.topic_list(area_key=area_key), "areas": areas, "area_key": area_key},
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
