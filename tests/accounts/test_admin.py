"""Django admin as platform admins find it."""


def test_admin_shows_each_section_once_with_names_that_tell_them_apart(client, cast):
    client.force_login(cast.admin)
    sections = [app["name"] for app in client.get("/admin/").context["app_list"]]
    assert len(sections) == len(set(sections)), sections
    assert "Staff and organizations" in sections
    assert "Authentication and Authorization" not in sections
