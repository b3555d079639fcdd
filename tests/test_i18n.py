from django.urls import reverse


def test_pages_follow_the_browser_language(client, cast):
    client.force_login(cast.peer)
    spanish = client.get(reverse("curriculum:topic_list"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Temas de Seeking Safety" in spanish.content.decode()
    assert '<html lang="es">' in spanish.content.decode()
    english = client.get(reverse("curriculum:topic_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Seeking Safety topics" in english.content.decode()


def test_the_language_can_be_chosen(client, cast):
    client.force_login(cast.peer)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert "Inicio" in client.get(reverse("home")).content.decode()


def test_the_language_picker_names_each_language_in_itself(client, cast):
    client.force_login(cast.peer)
    for accept in ("en", "es"):
        page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert '<option value="es" lang="es"' in page
        assert ">Español</option>" in page
        assert ">English</option>" in page
