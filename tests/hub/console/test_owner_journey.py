"""An owner in Chromium: sign up, enrol TOTP from the QR page, keep the backup
codes, sign out, sign in with password and code, make new backup codes,
sign in with a backup code; then forget the password and reset it from the
e-mailed link with a backup code.

Runs on SQLite and PostgreSQL (a few seconds each).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from hub.db.accounts import User
from tests.hub.accounts.smtp import link_token
from tests.hub.console.conftest import NewContext
from tests.hub.console.support import (
    PASSWORD,
    ConsoleServer,
    Phone,
    new_username,
    shot,
    sign_in,
    watch,
)

BACKUP_CODE = re.compile(r"^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$")


def test_owner_signs_up_enrols_and_signs_in_again(
    console: ConsoleServer, new_context: NewContext
) -> None:
    page = new_context().new_page()
    errors = watch(page)
    username = new_username("asha")

    response = page.goto(console.url("/console/sign-up"))
    assert response is not None
    assert response.status == 200
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    page.fill("#org_name", "Sharma General Stores")
    page.select_option("#org_state_code", "27")
    page.fill("#display_name", "Asha Sharma")
    page.fill("#email", f"{username}@example.in")
    page.fill("#username", username)
    page.fill("#password", "short")
    page.click("#sign-up")
    # The service's own words, next to the field; what was typed stays (not the password).
    expect(page.locator("#password-error")).to_contain_text("at least 12")
    expect(page.locator("#username")).to_have_value(username)
    expect(page.locator("#password")).to_have_value("")
    shot(page, "sign-up-problem")
    page.fill("#password", PASSWORD)
    shot(page, "sign-up")
    page.click("#sign-up")

    # Owners need two-factor sign-in before anything else.
    page.wait_for_url("**/console/totp")
    expect(page.locator("nav")).to_contain_text("Set up two-factor sign-in")
    page.goto(console.url("/console/members"))
    page.wait_for_url("**/console/totp")
    shot(page, "totp-start")
    page.click("#totp-start")
    qr = page.locator("#totp-qr")
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(page.locator("#totp-uri")).to_contain_text("otpauth://totp/")
    shot(page, "totp-scan")
    phone = Phone(secret)

    page.fill("#code", "000000")
    page.click("#totp-confirm")
    expect(page.locator("#code-error")).to_contain_text("not right")
    page.fill("#code", phone.code())
    page.click("#totp-confirm")
    # The click posts the form; wait for the codes page (`all_inner_texts` does not wait).
    expect(page.locator("#backup-codes li")).to_have_count(10)
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    assert all(BACKUP_CODE.match(code.strip()) for code in codes)
    shot(page, "backup-codes")
    page.click("#codes-saved")
    page.wait_for_url("**/console/")
    expect(page.locator("#me-username")).to_have_text(username)
    expect(page.locator("#me-role")).to_have_text("owner")
    shot(page, "home")

    page.click("#sign-out")
    page.wait_for_url("**/console/sign-in?notice=signed-out")
    expect(page.locator(".notice")).to_have_text("You are signed out.")
    shot(page, "sign-in")
    page.goto(console.url("/console/"))
    page.wait_for_url("**/console/sign-in")

    # An owner's password alone is not enough.
    sign_in(page, console, username, PASSWORD)
    expect(page.locator(".problem")).to_be_visible()
    assert page.url.endswith("/console/sign-in")
    sign_in(page, console, username, PASSWORD, phone.code())
    page.wait_for_url("**/console/")

    # New backup codes against a current code; the old ones stop working.
    page.goto(console.url("/console/totp"))
    expect(page.locator("#totp-on")).to_be_visible()
    shot(page, "totp-on")
    page.fill("#code", phone.code())
    page.click("#regenerate")
    expect(page.locator("#backup-codes li")).to_have_count(10)  # the new codes' page
    fresh = [code.strip() for code in page.locator("#backup-codes li").all_inner_texts()]
    assert len(fresh) == 10
    assert not set(fresh) & {code.strip() for code in codes}
    page.click("#codes-saved")

    page.click("#sign-out")
    page.wait_for_url("**/console/sign-in?notice=signed-out")
    sign_in(page, console, username, PASSWORD, codes[0].strip())
    expect(page.locator(".problem")).to_be_visible()
    sign_in(page, console, username, PASSWORD, fresh[0])
    page.wait_for_url("**/console/")

    with console.runtime.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        assert user.totp_enabled_at is not None
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_forgotten_password_is_reset_from_the_emailed_link(
    console: ConsoleServer, new_context: NewContext
) -> None:
    owner = console.seed_owner()
    page = new_context().new_page()
    page.goto(console.url("/console/sign-in"))
    page.click("text=Forgot your password?")
    page.fill("#username", owner.username)
    page.click("#send-link")
    expect(page.locator("#link-sent")).to_be_visible()
    shot(page, "forgot")

    link, _ = link_token(console.mailbox.for_address(f"{owner.username}@example.in"))
    assert link.startswith(console.url("/console/recover#token="))
    page.goto(link)
    expect(page.locator("#token")).to_be_hidden()  # filled from the fragment
    assert "#token=" not in page.url
    new_password = "Monsoon-Ledger-77"
    page.fill("#new_password", new_password)
    page.fill("#backup_code", "zzzz-zzzz-zzzz")
    page.click("#recover")
    expect(page.locator("#backup_code-error")).to_contain_text("not right")
    page.fill("#new_password", new_password)
    page.fill("#backup_code", owner.backup_codes[0])
    shot(page, "recover")
    page.click("#recover")
    page.wait_for_url("**/console/sign-in?notice=password-reset-totp")
    assert console.principal(owner.token) is None  # every session was ended

    # Two-factor sign-in is off now: the password alone, then enrol again.
    sign_in(page, console, owner.username, new_password)
    page.wait_for_url("**/console/totp")
    expect(page.locator("#totp-start")).to_be_visible()
