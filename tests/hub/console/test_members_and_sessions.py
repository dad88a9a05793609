"""Members and sessions in Chromium: an invitation from the e-mail to a
signed-in member, role changes and disabling, sessions signed out from
another browser; and what must be refused: a POST without its CSRF token,
and an owner acting on another org's member.

Runs on SQLite and PostgreSQL (a few seconds each).
"""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from hub.accounts import invites, members
from hub.db.accounts import User
from tests.hub.accounts.smtp import link_token
from tests.hub.console.conftest import NewContext
from tests.hub.console.support import (
    PASSWORD,
    ConsoleServer,
    csrf_of,
    new_username,
    shot,
    sign_in,
    watch,
)


def _row(page: object, username: str) -> object:
    return page.locator(f'#members tr[data-username="{username}"]')  # type: ignore[attr-defined]


def test_invited_member_joins_and_the_owner_manages_them(
    console: ConsoleServer, new_context: NewContext
) -> None:
    owner = console.seed_owner()
    owner_page = new_context(owner.token).new_page()
    errors = watch(owner_page)
    owner_page.goto(console.url("/console/members"))
    email = f"{new_username('inv')}@example.in"
    owner_page.fill("#email", email)
    owner_page.select_option("#invite-role", "cashier")
    owner_page.click("#invite-send")
    expect(owner_page.locator(".notice")).to_have_text("Invitation sent.")
    expect(owner_page.locator("#invites")).to_contain_text(email)
    shot(owner_page, "members-invited")

    link, _ = link_token(console.mailbox.for_address(email))
    assert link.startswith(console.url("/console/invite#token="))
    member_page = new_context().new_page()
    watch_member = watch(member_page)
    member_page.goto(link)  # the script sends the token from the fragment
    expect(member_page.locator("#invite-summary")).to_contain_text("Sharma General Stores")
    expect(member_page.locator("#invite-summary")).to_contain_text("cashier")
    assert "#token=" not in member_page.url
    username = new_username("ravi")
    member_page.fill("#display_name", "Ravi Kumar")
    member_page.fill("#username", username)
    member_page.fill("#password", PASSWORD)
    shot(member_page, "invite-accept")
    member_page.click("#invite-accept")
    member_page.wait_for_url("**/console/")
    expect(member_page.locator("#me-role")).to_have_text("cashier")
    expect(member_page.locator("nav")).not_to_contain_text("Members")

    # The link works once.
    used = new_context().new_page()
    used.goto(link)
    expect(used.locator(".problem")).to_contain_text("not valid")

    member_page.click("#sign-out")
    sign_in(member_page, console, username, PASSWORD)
    member_page.wait_for_url("**/console/")

    owner_page.goto(console.url("/console/members"))
    row = _row(owner_page, username)
    row.locator("select").select_option("store_manager")  # type: ignore[attr-defined]
    row.locator('[data-action="change-role"]').click()  # type: ignore[attr-defined]
    expect(owner_page.locator(".notice")).to_have_text("Role changed.")
    expect(_row(owner_page, username).locator("select")).to_have_value("store_manager")  # type: ignore[attr-defined]

    # A store manager may see the members but no buttons to manage them.
    member_page.goto(console.url("/console/members"))
    expect(member_page.locator("#members")).to_contain_text(owner.username)
    assert member_page.locator("#members button").count() == 0
    assert member_page.locator("#invite-send").count() == 0
    shot(member_page, "members-as-store-manager")

    _row(owner_page, username).locator('[data-action="disable"]').click()  # type: ignore[attr-defined]
    expect(owner_page.locator(".notice")).to_contain_text("Member disabled")
    expect(_row(owner_page, username).locator(".status")).to_have_text("disabled")  # type: ignore[attr-defined]
    # The owner's own row has no buttons: nobody disables themselves.
    assert _row(owner_page, owner.username).locator("button").count() == 0  # type: ignore[attr-defined]
    shot(owner_page, "members")

    member_page.goto(console.url("/console/"))
    member_page.wait_for_url("**/console/sign-in")
    sign_in(member_page, console, username, PASSWORD)
    expect(member_page.locator(".problem")).to_be_visible()
    assert not [e for e in errors + watch_member if "Content Security Policy" in e]


def test_sessions_are_listed_and_revoking_one_signs_that_browser_out(
    console: ConsoleServer, new_context: NewContext
) -> None:
    owner = console.seed_owner()
    here = new_context(owner.token).new_page()
    laptop = new_context().new_page()
    sign_in(laptop, console, owner.username, PASSWORD, owner.phone.code())
    laptop.wait_for_url("**/console/")

    here.goto(console.url("/console/sessions"))
    rows = here.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(here.locator("#sessions tr.current")).to_contain_text("seeded by the test")
    shot(here, "sessions")
    here.locator('#sessions tr:not(.current) [data-action="revoke"]').click()
    expect(here.locator(".notice")).to_have_text("Session signed out.")
    expect(rows).to_have_count(1)

    laptop.goto(console.url("/console/sessions"))
    laptop.wait_for_url("**/console/sign-in")

    here.click("#sign-out-everywhere")
    here.wait_for_url("**/console/sign-in?notice=signed-out-everywhere")
    here.goto(console.url("/console/"))
    here.wait_for_url("**/console/sign-in")
    assert console.principal(owner.token) is None


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
    console: ConsoleServer, new_context: NewContext
) -> None:
    owner = console.seed_owner()
    context = new_context(owner.token)
    page = context.new_page()
    page.goto(console.url("/console/members"))
    token = csrf_of(page)
    email = f"{new_username('csrf')}@example.in"

    for sent in ({}, {"csrf_token": "x" * 43}, {"csrf_token": token + "x"}):
        answer = context.request.post(
            console.url("/console/members/invite"),
            form={"email": email, "role": "cashier", **sent},
            max_redirects=0,
        )
        assert answer.status == 403
        assert "security token" in answer.text()
        assert answer.headers["x-frame-options"] == "DENY"
    # The same token as JSON is not a form: refused too.
    answer = context.request.post(
        console.url("/console/members/invite"),
        data={"email": email, "role": "cashier", "csrf_token": token},
        max_redirects=0,
    )
    assert answer.status == 403
    page.goto(console.url("/console/sessions"))
    session_id = page.locator("#sessions tr.current").get_attribute("data-session")
    answer = context.request.post(
        console.url(f"/console/sessions/{session_id}/revoke"), form={}, max_redirects=0
    )
    assert answer.status == 403
    answer = context.request.post(console.url("/console/sign-out"), form={}, max_redirects=0)
    assert answer.status == 403

    principal = console.principal(owner.token)
    assert principal is not None  # still signed in
    with console.runtime.sessions() as session:
        assert invites.list_invites(session, console.ctx, principal).invites == []
    assert console.mailbox.count(email) == 0

    # A public form without the cookie's twin: no org is made.
    stranger = new_context()
    username = new_username("forged")
    answer = stranger.request.post(
        console.url("/console/sign-up"),
        form={
            "org_name": "Forged Traders",
            "org_state_code": "27",
            "username": username,
            "display_name": "Forged",
            "email": f"{username}@example.in",
            "password": PASSWORD,
            "csrf_token": "y" * 43,
        },
        max_redirects=0,
    )
    assert answer.status == 403
    with console.runtime.sessions() as session:
        assert session.scalar(select(User.user_id).where(User.username == username)) is None


def test_an_owner_cannot_touch_a_member_of_another_org(
    console: ConsoleServer, new_context: NewContext
) -> None:
    mine = console.seed_owner("Mine Traders")
    theirs = console.seed_owner("Their Traders")
    context = new_context(mine.token)
    page = context.new_page()
    page.goto(console.url("/console/members"))
    token = csrf_of(page)
    absent = mine.org_code + "-U-999999"

    for code in (theirs.user_code, absent):
        for action, form in (
            ("disable", {}),
            ("enable", {}),
            ("totp-reset", {}),
            ("role", {"role": "cashier"}),
        ):
            answer = context.request.post(
                console.url(f"/console/members/{code}/{action}"),
                form={"csrf_token": token, **form},
                max_redirects=0,
            )
            assert answer.status == 404, (code, action)
            assert code in answer.text()
    answer = context.request.post(
        console.url("/console/members/not-a-code/disable"),
        form={"csrf_token": token},
        max_redirects=0,
    )
    assert answer.status == 404
    shown = page.goto(console.url(f"/console/members/{theirs.user_code}/disable"))
    assert shown is not None
    assert shown.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    shot(page, "not-found")

    principal = console.principal(theirs.token)
    assert principal is not None  # their session survived
    with console.runtime.sessions() as session:
        listed = members.list_members(session, principal).members
    assert [(m.user_id, m.role.value, m.disabled, m.mfa_enrolled) for m in listed] == [
        (theirs.user_code, "owner", False, True)
    ]
