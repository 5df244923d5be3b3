"""The app starts and the public pages render."""


def test_home_lists_public_consultations_only(client, create_consultation):
    create_consultation("open", title="Consulta aberta")
    create_consultation("draft", title="Consulta em preparação")
    page = client.get("/").get_data(as_text=True)
    assert "Consulta aberta" in page
    assert "Consulta em preparação" not in page
