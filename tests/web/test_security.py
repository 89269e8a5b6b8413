"""Sessions, cookies, CSRF, login rate limits and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import PASSWORD, Campaign


def test_login_cookie_is_httponly_and_samesite_lax(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    response = web.login("owner@example.org")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_login_cookie_is_secure_over_https(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    web.client.base_url = "https://hustings.test"
    response = web.login("owner@example.org")
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_is_401_with_a_message(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    response = web.login("owner@example.org", "not the password")
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong e-mail address or password"


def test_login_is_rate_limited_after_five_failures(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    for _ in range(5):
        assert web.login("owner@example.org", "guess").status_code == 401
    response = web.login("owner@example.org", PASSWORD)
    assert response.status_code == 429
    assert "too many failed logins" in response.json()["detail"]


def test_api_without_session_is_401(campaign: Campaign, web_factory: Any) -> None:
    assert web_factory(campaign.store).get("/api/items").status_code == 401


def test_page_without_session_redirects_to_login(campaign: Campaign, web_factory: Any) -> None:
    response = web_factory(campaign.store).get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/inbox"


def test_api_write_without_csrf_header_is_refused(any_campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(any_campaign.store, "responder@example.org")
    item = web.get("/api/items").json()[0]["id"]
    web.csrf = ""
    response = web.post(f"/api/items/{item}/claim")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_api_write_with_wrong_csrf_is_refused(any_campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(any_campaign.store, "responder@example.org")
    item = web.get("/api/items").json()[0]["id"]
    web.csrf = "forged"
    assert web.post(f"/api/items/{item}/claim").status_code == 403


def test_form_post_without_csrf_field_is_refused(any_campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(any_campaign.store, "responder@example.org")
    item = web.get("/api/items").json()[0]["id"]
    token, web.csrf = web.csrf, ""
    assert web.post(f"/inbox/{item}/claim", data={}).status_code == 403
    assert web.post(f"/inbox/{item}/claim", data={"csrf_token": token}).status_code == 303


def test_login_form_needs_its_csrf_token(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    form = {"email": "owner@example.org", "password": PASSWORD}
    assert web.post("/login", data=form).status_code == 403
    page = web.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = web.post("/login", data={**form, "csrf_token": token.group(1)})
    assert response.status_code == 303 and response.headers["location"] == "/inbox"


def test_login_next_cannot_redirect_off_site(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text)
    assert token is not None
    form = {
        "email": "owner@example.org",
        "password": PASSWORD,
        "csrf_token": token.group(1),
        "next": "//evil.example/",
    }
    assert web.post("/login", data=form).headers["location"] == "/inbox"


def test_viewer_cannot_claim(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "viewer@example.org")
    item = web.get("/api/items").json()[0]["id"]
    response = web.post(f"/api/items/{item}/claim")
    assert response.status_code == 403
    assert "responder role" in response.json()["detail"]


def test_logout_ends_the_session(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "owner@example.org")
    assert web.post("/api/logout").status_code == 200
    assert web.get("/api/me").status_code == 401


def test_audit_log_records_who_claimed(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    item = web.get("/api/items").json()[0]["id"]
    web.post(f"/api/items/{item}/claim")
    owner = web_factory(campaign.store, "owner@example.org")
    entries = owner.get("/api/audit").json()
    claim = next(e for e in entries if e["action"] == "item.claim")
    assert claim["user"] == "responder@example.org" and claim["target_id"] == item


def test_security_headers_forbid_framing(campaign: Campaign, web_factory: Any) -> None:
    response = web_factory(campaign.store).get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]
