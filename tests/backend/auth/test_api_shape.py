"""The API's shape: every operation in the OpenAPI document with its security, and errors as
JSON with the field and the reason (flask-smorest's 422 included), never HTML."""

from __future__ import annotations

import pytest

from tests.backend.auth.test_role_matrix import MATRIX, PUBLIC

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_document_declares_the_session_csrf_and_bearer_schemes(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": schemes["session"]["description"],
    }
    assert (schemes["csrf"]["in"], schemes["csrf"]["name"]) == ("header", "X-CSRF-Token")
    assert (schemes["bearer"]["type"], schemes["bearer"]["scheme"]) == ("http", "bearer")


def test_every_operation_states_its_security(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert "security" in operation, f"{method.upper()} {path}"
            rule = path.replace("{", "<int:").replace("}", ">")
            if MATRIX.get((method.upper(), rule)) == PUBLIC:
                assert operation["security"] == []
            else:
                assert {"bearer": []} in operation["security"], f"{method.upper()} {path}"
                assert {"401", "403"} <= set(operation["responses"]), f"{method.upper()} {path}"


def test_my_endpoints_are_documented(document):
    for path in (
        "/api/auth/login",
        "/api/users/{user_id}",
        "/api/ad-accounts/test-connection",
        "/api/platforms",
        "/api/audit",
    ):
        assert path in document["paths"]


def test_validation_errors_name_each_field_with_its_reason(admin):
    response = admin.post("/api/users", json={"role": "boss"})
    assert response.status_code == 422
    assert response.is_json
    assert response.json["errors"] == {
        "email": ["Missing data for required field."],
        "password": ["Missing data for required field."],
        "role": ["Must be one of: admin, marketer, finance."],
    }


def test_a_query_string_error_names_the_parameter(admin):
    response = admin.get("/api/audit", query_string={"since": "yesterday"})
    assert response.status_code == 422
    assert "since" in response.json["errors"]


@pytest.mark.parametrize(
    "body", ["{not json", "[1, 2]", '"text"'], ids=["malformed", "a list", "a string"]
)
def test_a_body_that_is_not_an_object_is_a_json_4xx(admin, body):
    response = admin.post("/api/users", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.is_json
    assert "<html" not in response.get_data(as_text=True).lower()


def test_text_postgresql_cannot_store_is_422_not_500(admin):
    response = admin.post(
        "/api/users",
        json={"email": "a@b.co", "name": "a\x00b", "role": "marketer", "password": "x" * 14},
    )
    assert response.status_code == 422
    assert "name" in response.json["errors"]


def test_an_id_beyond_the_database_range_is_404(admin):
    assert admin.get(f"/api/users/{2**40}").status_code == 404
    assert admin.get(f"/api/ad-accounts/{2**40}").status_code == 404


def test_a_wrong_method_is_405_json_with_allow(client):
    response = client.put("/api/health")
    assert response.status_code == 405
    assert response.is_json
    assert "GET" in response.headers["Allow"]
