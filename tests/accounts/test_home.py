from django.urls import reverse


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_manager_lands_on_program_management(client, cast):
    client.force_login(cast.manager)
    body = client.get(reverse("home")).content.decode()
    assert "Program management" in body
    assert reverse("accounts:staff", kwargs={"org_code": cast.org.code}) in body
    assert "Your reviews" not in body


def test_facilitator_lands_on_their_sessions_with_an_empty_state(client, cast):
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert "Your sessions" in body
    assert "Program management" not in body


def test_reviewer_lands_on_their_reviews(client, cast):
    client.force_login(cast.reviewer)
    body = client.get(reverse("home")).content.decode()
    assert "Your reviews" in body
    assert "Nothing to review yet" in body
    assert "Program management" not in body


def test_user_without_membership_is_told_what_to_do(client, cast):
    client.force_login(cast.nobody)
    assert "Ask your program manager to invite you" in client.get(reverse("home")).content.decode()


def test_home_uses_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.manager)
    with django_assert_max_num_queries(8):
        client.get(reverse("home"))
