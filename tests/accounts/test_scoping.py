import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_managed_organization_or_404, get_scoped_object_or_404
from accounts.models import Role
from accounts.scoping import scope_to_user
from curriculum.models import TopicMaterial
from tests.factories import TopicMaterialFactory


def test_scope_keeps_only_the_users_organizations(cast):
    own = TopicMaterialFactory(organization=cast.org)
    TopicMaterialFactory(organization=cast.other_org)
    assert list(scope_to_user(TopicMaterial.objects.all(), cast.peer)) == [own]


def test_scope_is_empty_for_anonymous_and_for_users_without_membership(cast):
    from django.contrib.auth.models import AnonymousUser

    TopicMaterialFactory(organization=cast.org)
    assert not scope_to_user(TopicMaterial.objects.all(), AnonymousUser()).exists()
    assert not scope_to_user(TopicMaterial.objects.all(), cast.nobody).exists()
    assert not scope_to_user(TopicMaterial.objects.all(), cast.admin).exists()


def test_scope_can_include_shared_rows(cast):
    shared = TopicMaterialFactory(organization=None)
    own = TopicMaterialFactory(organization=cast.org)
    TopicMaterialFactory(organization=cast.other_org)
    assert set(TopicMaterial.objects.visible_to(cast.peer)) == {shared, own}


def test_scope_by_role(cast):
    TopicMaterialFactory(organization=cast.org)
    qs = TopicMaterial.objects.all()
    assert scope_to_user(qs, cast.manager, roles=[Role.MANAGER]).count() == 1
    assert scope_to_user(qs, cast.peer, roles=[Role.MANAGER]).count() == 0


def test_scoped_get_is_404_outside_and_403_for_a_role_that_may_not_act(cast):
    material = TopicMaterialFactory(organization=cast.org)
    qs = TopicMaterial.objects.all()
    with pytest.raises(Http404):
        get_scoped_object_or_404(qs, cast.outsider, code=material.code)
    with pytest.raises(PermissionDenied):
        get_scoped_object_or_404(qs, cast.peer, roles=[Role.MANAGER], code=material.code)
    assert (
        get_scoped_object_or_404(qs, cast.manager, roles=[Role.MANAGER], code=material.code)
        == material
    )


def test_managed_organization_lookup(cast):
    assert get_managed_organization_or_404(cast.manager, cast.org.code) == cast.org
    with pytest.raises(Http404):
        get_managed_organization_or_404(cast.outsider_manager, cast.org.code)
    with pytest.raises(PermissionDenied):
        get_managed_organization_or_404(cast.peer, cast.org.code)
