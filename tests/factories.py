"""factory_boy factories. SubFactory keeps related rows in one organization."""

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import Membership, Organization, Role, User
from curriculum.models import Topic, TopicMaterial
from sessions_app.models import (
    Attendance,
    Consent,
    ConsentForm,
    Enrollment,
    FacilitatorAssignment,
    Group,
    Participant,
    Session,
)

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


def point_private_storage_at(location, *, settings, monkeypatch=None):
    """Send private uploads to `location` (a tmp_path) for one test, so none land in the repo.

    The private storage is lazy and resets when STORAGES changes, so the setting is enough.
    """
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return storages["private"]


def uploaded(name: str, content: str):
    """A small text upload for FileFields."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")


# --- sessions_app ---------------------------------------------------------------------


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tuesday group {n}")
    weekdays = [1]
    start_time = datetime.time(18, 0)
    timezone = "UTC"
    duration_minutes = 90
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=28))
    capacity = 12


class FacilitatorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilitatorAssignment

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = FacilitatorAssignment.Role.LEAD_PEER


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    organization = factory.SubFactory(OrganizationFactory)
    display_name = factory.Sequence(lambda n: f"P{n}")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    group = factory.SubFactory(GroupFactory)
    participant = factory.SubFactory(
        ParticipantFactory, organization=factory.SelfAttribute("..group.organization")
    )
    joined_on = factory.LazyAttribute(lambda o: o.group.start_date)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    duration_minutes = 90
    topic = factory.LazyFunction(lambda: Topic.objects.get(order=2))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    participant = factory.SubFactory(
        ParticipantFactory, organization=factory.SelfAttribute("..session.group.organization")
    )
    status = Attendance.Status.PRESENT


class ConsentFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentForm

    organization = None
    kind = ConsentForm.Kind.RECORDING
    purpose = "Recording sessions for facilitator certification and peer review"
    version = factory.Sequence(lambda n: n + 1)
    language = "en"
    text = "Written by the organization for this test."


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    form = factory.SubFactory(ConsentFormFactory)
    method = Consent.Method.WRITTEN
    captured_by = factory.SubFactory(UserFactory)


# --- facilitators -----------------------------------------------------------------------


def profile_of(user: User, organization: Organization | None = None):
    """The facilitator profile that user's facilitator membership got when it was made."""
    from facilitators.models import FacilitatorProfile

    profiles = FacilitatorProfile.objects.filter(membership__user=user)
    if organization is not None:
        profiles = profiles.filter(membership__organization=organization)
    return profiles.get()


def training_type(slug: str = "seeking-safety-one-day"):
    """A training type the data migration seeded."""
    from facilitators.models import TrainingType

    return TrainingType.objects.get(slug=slug)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    """A training record, straight into the table (services are tested on their own)."""

    class Meta:
        model = "facilitators.TrainingRecord"

    profile = None  # pass profile=profile_of(user)
    training_type = factory.LazyFunction(training_type)
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    expires_on = factory.LazyAttribute(lambda o: o.completed_on + datetime.timedelta(days=3 * 365))
    status = "verified"
    created_by = factory.LazyAttribute(lambda o: o.profile.membership.user)
