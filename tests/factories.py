"""factory_boy factories. SubFactory keeps related rows in one organization."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Membership, Organization, Role, User
from curriculum.models import Topic, TopicMaterial

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        # Invited staff have verified addresses; allauth refuses sign-in otherwise.
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def with_mfa(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, generate_totp_secret())
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.FACILITATOR


def member(
    organization: Organization, role: str, *, mfa: bool | None = None, **user_fields
) -> User:
    """A user holding `role` in `organization`, with MFA set up when the role requires it."""
    if mfa is None:
        mfa = role in (Role.MANAGER, Role.REVIEWER)
    user = UserFactory(with_mfa=mfa, **user_fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


class TopicMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicMaterial

    topic = factory.LazyFunction(lambda: Topic.objects.get(order=2))
    kind = TopicMaterial.Kind.HANDOUT
    title = factory.Sequence(lambda n: f"Handout {n}")
    body = "Written by the organization."
    organization = factory.SubFactory(OrganizationFactory)
