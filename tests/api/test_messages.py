"""Templates through the API: CRUD, validation with positions, preview."""

from __future__ import annotations

import pytest

from api.support import JSON, PREFIX, TestClient, post_one, snapshot
from photomanager.bootstrap import Container

VALID = "{Lovely|Great|Superb} {work|piece}, {{author}}!"


def _create(client: TestClient, body: str = VALID, title: str = "Thanks") -> dict[str, object]:
    response = client.post(f"{PREFIX}/messages", json={"title": title, "body": body})
    assert response.status_code == 201, response.json()
    created: dict[str, object] = response.json()
    return created


class TestCreateTemplate:
    def test_created_and_listed(self, client: TestClient, container: Container) -> None:
        """A valid template is stored active and listed."""
        created = _create(client)
        assert created["is_active"] is True
        listed = client.get(f"{PREFIX}/messages").json()
        assert [m["message_id"] for m in listed] == [created["message_id"]]
        assert container.templates.get_template(int(str(created["message_id"]))).body == VALID

    def test_invalid_template_says_where(self, client: TestClient, container: Container) -> None:
        """An unbalanced brace is a 422 pointing at line and column; nothing is stored."""
        response = client.post(
            f"{PREFIX}/messages", json={"title": "Bad", "body": "Nice\n{work|piece"}
        )
        assert response.status_code == 422
        body = response.json()
        assert "line 2, column 1" in body["message"]
        assert body["details"][0]["line"] == 2
        assert body["details"][0]["column"] == 1
        assert container.templates.list_templates() == []

    @pytest.mark.parametrize(
        "payload",
        [
            {"title": "t"},
            {"title": "t", "body": 5},
            {"title": "t", "body": VALID, "is_active": "yes"},
            {"title": "", "body": VALID},
            {"title": "t" * 201, "body": VALID},
            {"title": "t", "body": "x" * 20_001},
            {"title": "t", "body": VALID, "message_id": 7},
            {"title": "t", "body": "   "},
            {"title": "t", "body": "{{nobody}}"},
        ],
    )
    def test_bad_input_changes_nothing(
        self, client: TestClient, container: Container, payload: dict[str, object]
    ) -> None:
        """Wrong types, oversize strings, unknown fields and bad templates are 422s."""
        before = snapshot(container)
        response = client.post(f"{PREFIX}/messages", json=payload)
        assert response.status_code == 422
        assert response.json()["message"]
        assert snapshot(container) == before


class TestUpdateTemplate:
    def test_partial_update(self, client: TestClient, container: Container) -> None:
        """PUT changes the given fields and keeps the others."""
        created = _create(client)
        response = client.put(
            f"{PREFIX}/messages/{created['message_id']}", json={"is_active": False}
        )
        assert response.status_code == 200
        stored = container.templates.get_template(int(str(created["message_id"])))
        assert (stored.is_active, stored.body, stored.title) == (False, VALID, "Thanks")

    def test_unknown_id_is_404(self, client: TestClient) -> None:
        """Updating a template that does not exist is a 404."""
        response = client.put(f"{PREFIX}/messages/999", json={"title": "x"})
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"

    @pytest.mark.parametrize("message_id", ["0", "-1", "abc", str(2**40)])
    def test_bad_id_is_422(self, client: TestClient, message_id: str) -> None:
        """Ids that cannot exist are refused as invalid input."""
        assert client.put(f"{PREFIX}/messages/{message_id}", json={}).status_code == 422

    def test_invalid_body_keeps_old_one(self, client: TestClient, container: Container) -> None:
        """An invalid new body is a 422 and the stored template is unchanged."""
        created = _create(client)
        before = snapshot(container)
        response = client.put(f"{PREFIX}/messages/{created['message_id']}", json={"body": "{a|"})
        assert response.status_code == 422
        assert snapshot(container) == before


class TestDeleteTemplate:
    def test_deleted(self, client: TestClient, container: Container) -> None:
        """DELETE removes the template."""
        created = _create(client)
        assert (
            client.delete(f"{PREFIX}/messages/{created['message_id']}", headers=JSON).status_code
            == 204
        )
        assert container.templates.list_templates() == []

    def test_unknown_id_is_404(self, client: TestClient) -> None:
        """Deleting a missing template is a 404."""
        assert client.delete(f"{PREFIX}/messages/12345", headers=JSON).status_code == 404

    def test_log_keeps_rendered_text(self, client: TestClient, posting: Container) -> None:
        """Deleting a template the log refers to works; the log keeps the posted text."""
        result = post_one(posting)
        [template] = posting.templates.list_templates()
        assert (
            client.delete(f"{PREFIX}/messages/{template.message_id}", headers=JSON).status_code
            == 204
        )
        [entry] = client.get(f"{PREFIX}/logs").json()["items"]
        assert entry["body"] == result.body
        assert entry["message_id"] is None


class TestPreview:
    def test_renderings_and_variant_count(self, client: TestClient) -> None:
        """Preview renders n samples and counts the variants."""
        response = client.post(f"{PREFIX}/messages/preview", json={"body": VALID, "n": 4})
        body = response.json()
        assert response.status_code == 200
        assert body["valid"] is True
        assert len(body["renderings"]) == 4
        assert body["variant_count"] == 6
        assert all(r.endswith("!") for r in body["renderings"])

    def test_invalid_body_lists_errors_with_positions(self, client: TestClient) -> None:
        """An invalid body previews as not valid, with each error's position."""
        response = client.post(f"{PREFIX}/messages/preview", json={"body": "ok }", "n": 2})
        body = response.json()
        assert response.status_code == 200
        assert body["valid"] is False
        assert body["renderings"] == []
        [issue] = [i for i in body["issues"] if i["severity"] == "error"]
        assert (issue["line"], issue["column"], issue["offset"]) == (1, 4, 3)

    def test_warnings_are_listed(self, client: TestClient) -> None:
        """A link in a template is a warning, still valid."""
        response = client.post(
            f"{PREFIX}/messages/preview", json={"body": "{a|b} https://example.com", "n": 1}
        )
        body = response.json()
        assert body["valid"] is True
        assert any(i["severity"] == "warning" for i in body["issues"])

    @pytest.mark.parametrize("payload", [{"body": VALID, "n": 0}, {"body": VALID, "n": 21}, {}])
    def test_bad_input(self, client: TestClient, payload: dict[str, object]) -> None:
        """Out-of-range n or a missing body is a 422."""
        assert client.post(f"{PREFIX}/messages/preview", json=payload).status_code == 422

    def test_preview_stores_nothing(self, client: TestClient, container: Container) -> None:
        """Previewing never saves a template."""
        client.post(f"{PREFIX}/messages/preview", json={"body": VALID})
        assert container.templates.list_templates() == []
