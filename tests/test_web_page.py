"""The page of `referral-lint serve` in a real browser: Debian's Chromium, driven by Playwright.

One browser for the session and one server for the module; each test has its own page.
Skipped, saying why, when Chromium or the web extra is missing (.ci/run installs both).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install '.[web]' in a clone of referral-lint")
pytest.importorskip("playwright", reason="playwright is not installed: pip install -e '.[dev]'")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from referral_lint.fix import fix_text
from referral_lint.web.server import running_in_thread

CHROMIUM = os.environ.get("REFERRAL_LINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (or set REFERRAL_LINT_CHROMIUM)"
)

# Written for these tests.
PUSHY = "Hi Ana,\nWe met at PyData in May.\nRefer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!"
TIMEOUT = 10_000  # ms; a check takes a few, this is only a bound for a hang


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def fixed(linter) -> str:
    """PUSHY as ``referral-lint fix`` leaves it (computed before the server runs: one lint at a time)."""
    return fix_text(linter, PUSHY).text


@pytest.fixture(scope="module")
def url(fixed: str) -> str:
    with running_in_thread(isolated=True) as address:
        yield address


@pytest.fixture
def page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    yield page
    context.close()


def checked(page: Page, text: str) -> None:
    """Wait until the problems on the page are those of ``text``."""
    expect(page.locator("body")).not_to_have_class("stale")
    page.wait_for_function("text => document.getElementById('draft').value === text", arg=text)
    page.wait_for_function(
        "() => !document.body.classList.contains('stale') && document.getElementById('summary').textContent !== 'Write a draft to check it.'"
    )


def underlined(page: Page, rule: str) -> list[str]:
    """The text under each underline of ``rule``'s violations, as the mirror behind the draft draws it."""
    return page.evaluate(
        """rule => {
            const items = [...document.querySelectorAll('#problems > li')];
            return items.flatMap((item, index) => item.dataset.rule !== rule ? [] : [
                [...document.querySelectorAll('#highlights mark')]
                    .filter(mark => mark.dataset.violations.split(' ').includes(String(index)))
                    .map(mark => mark.textContent).join('')
            ]);
        }""",
        rule,
    )


def test_a_pushy_draft_typed_gets_underlines_and_a_list_of_problems(page: Page):
    page.locator("#draft").press_sequentially(PUSHY)
    demanding = page.locator('#problems li[data-rule="demanding-phrasing"]')
    expect(demanding).to_have_count(2)
    expect(page.locator("#highlights mark.error").first).to_be_visible()
    assert underlined(page, "demanding-phrasing") == ["Refer me", "ASAP"]
    first = demanding.first
    expect(first.locator(".severity")).to_have_text("error")
    expect(first.locator(".message")).to_contain_text('"Refer me" is an order')
    expect(first.locator("details p")).to_contain_text("A referral")  # the rule's why
    expect(first.locator("button.suggestion").first).to_contain_text("Would you be open to referring me")
    # The mirror holds exactly the draft's text, so every underline sits under its words.
    assert page.locator("#highlights").text_content() == PUSHY + "\n"


def test_clicking_a_suggestion_changes_the_draft_as_fix_would_and_undo_restores_it(page: Page, fixed: str):
    page.locator("#draft").fill(PUSHY)
    checked(page, PUSHY)
    page.locator('#problems li[data-rule="demanding-phrasing"] button.suggestion').first.click()
    expected = fixed
    expect(page.locator("#draft")).to_have_value(expected)
    checked(page, expected)
    expect(page.locator('#problems li[data-rule="demanding-phrasing"]')).to_have_count(0)
    page.locator("#undo").click()
    expect(page.locator("#draft")).to_have_value(PUSHY)
    expect(page.locator("#undo")).to_be_disabled()
    # Ctrl+Z in the draft takes a suggestion back too.
    checked(page, PUSHY)
    page.locator('#problems li[data-rule="demanding-phrasing"] button.suggestion').first.click()
    expect(page.locator("#draft")).to_have_value(expected)
    page.locator("#draft").press("Control+z")
    expect(page.locator("#draft")).to_have_value(PUSHY)


def test_apply_all_safe_fixes_gives_what_fix_gives(page: Page, fixed: str):
    page.locator("#draft").fill(PUSHY)
    checked(page, PUSHY)
    page.locator("#fix-all").click()
    expect(page.locator("#draft")).to_have_value(fixed)
    expect(page.locator("#notice")).to_have_text("Fixed 1 problem.")


def test_an_unsafe_suggestion_is_marked_and_applied_only_when_clicked(page: Page):
    text = "Hi Ana, we met at PyData in May. Would you be open to referring me for the Data Engineer role (job 4410)?"
    page.locator("#draft").fill(text)
    checked(page, text)
    suggestion = page.locator('#problems li[data-rule="easy-out"] button.suggestion.unsafe')
    expect(suggestion.locator(".caveat")).to_have_text("Unsafe: read the draft after applying it (Apply all safe fixes leaves it out)")
    expect(page.locator("#draft")).to_have_value(text)
    suggestion.click()
    expect(page.locator("#draft")).not_to_have_value(text)
    assert "No worries" in page.locator("#draft").input_value()


def test_a_connection_note_over_300_characters_turns_the_counter_to_an_error(page: Page):
    page.locator("#channel").select_option("connection-note")
    note = ("Hi Ana, we met at PyData in May and I enjoyed your talk on data contracts. " * 5)[:320].strip()
    page.locator("#draft").fill(note)
    counter = page.locator("#counter")
    expect(counter).to_have_text(f"{len(note)} characters: over 300")
    expect(counter).to_have_attribute("data-severity", "error")
    expect(page.locator('#problems li[data-rule="length"] .severity')).to_have_text("error")
    short = note[:150].strip()
    page.locator("#draft").fill(short)
    expect(counter).to_have_text(f"{len(short)} / 300 characters")
    expect(counter).to_have_attribute("data-severity", "ok")


def test_the_summary_says_how_many_problems_are_not_listed(page: Page):
    # "ASAP" said 1,100 times: demanding-phrasing lists 1,000 and counts the rest.
    draft = "Hi Ana, could you refer me ASAP? " + "ASAP. " * 1100
    page.locator("#draft").fill(draft)
    checked(page, draft)
    expect(page.locator("#summary")).to_have_text("1005 problems (1003 errors). 101 more not listed: at most 1,000 per rule.")
    expect(page.locator('#problems li[data-rule="demanding-phrasing"]')).to_have_count(1000)


def test_an_email_counts_words_against_its_range(page: Page):
    page.locator("#draft").fill("Subject: Data Engineer role\n\nHi Ana, we met at PyData. Could you refer me?")
    expect(page.locator("#counter")).to_have_text("10 words: under 50")  # the Subject line is not counted
    expect(page.locator("#counter")).to_have_attribute("data-severity", "warning")
    expect(page.locator('#problems li[data-rule="length"] .message')).to_contain_text("10 words is too short")  # as the server counts


def test_an_emoji_before_a_problem_does_not_shift_its_underline(page: Page):
    text = "Hi Ana 👋😀🎉,\nWe met at PyData in May 🐍.\nRefer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!"
    page.locator("#draft").fill(text)
    checked(page, text)
    assert underlined(page, "demanding-phrasing") == ["Refer me", "ASAP"]
    expect(page.locator('#problems li[data-rule="demanding-phrasing"] .quote').first).to_have_text("“Refer me”")


def test_a_superseded_check_is_dropped(page: Page):
    """The answer to an older draft arrives after the newer one's: it is not shown."""
    held = []

    def hold_the_first_check(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/lint", hold_the_first_check)
    page.locator("#draft").fill(PUSHY)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    final = PUSHY.replace(" ASAP", "")
    page.locator("#draft").fill(final)
    checked(page, final)
    try:
        held[0].continue_()  # the old answer, last
    except Exception:
        pass  # the page already gave up on it (aborted): dropped on both ends
    page.wait_for_timeout(300)
    assert underlined(page, "demanding-phrasing") == ["Refer me"]
    assert page.locator("#highlights").text_content() == final + "\n"


def test_underlines_stay_on_their_words_while_a_check_is_pending(page: Page):
    page.locator("#draft").fill(PUSHY)
    checked(page, PUSHY)
    page.route("**/api/lint", lambda route: None)  # from now on no check answers
    page.locator("#draft").focus()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Hello! ")
    assert page.locator("#highlights").text_content() == "Hello! " + PUSHY + "\n"
    assert underlined(page, "demanding-phrasing") == ["Refer me", "ASAP"]


def test_the_caret_in_an_underline_points_out_its_problem(page: Page):
    page.locator("#draft").fill(PUSHY)
    checked(page, PUSHY)
    page.locator("#draft").evaluate("(draft, at) => { draft.focus(); draft.setSelectionRange(at, at); }", PUSHY.index("ASAP") + 2)
    page.keyboard.press("ArrowRight")
    asap = page.locator('#problems li[data-rule="demanding-phrasing"]').nth(1)
    expect(asap).to_have_class("problem error current")
    expect(page.locator("#problems li.current")).to_have_count(1)


def test_it_works_with_the_keyboard_alone(page: Page, fixed: str):
    page.keyboard.press("Tab")  # the channel picker
    page.keyboard.press("Tab")  # the draft
    page.keyboard.type(PUSHY)
    checked(page, PUSHY)
    # On through the buttons to the first suggestion, and Enter applies it.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('suggestion')"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("#draft")).to_have_value(fixed)


def test_it_is_usable_at_phone_width(browser: Browser, url: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(url)
    page.locator("#draft").fill(PUSHY)
    expect(page.locator('#problems li[data-rule="demanding-phrasing"]').first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # nothing to scroll sideways
    draft, problems = page.locator("#draft").bounding_box(), page.locator("#problems").bounding_box()
    assert draft["width"] >= 300 and problems["y"] >= draft["y"] + draft["height"]  # one column
    context.close()


def test_copy_puts_the_draft_on_the_clipboard(browser: Browser, url: str):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(url)
    page.locator("#draft").fill(PUSHY)
    page.locator("#copy").click()
    expect(page.locator("#notice")).to_have_text("Copied the draft.")
    assert page.evaluate("() => navigator.clipboard.readText()") == PUSHY
    context.close()


def test_the_api_refuses_a_page_from_another_origin(browser: Browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    page.route("http://attacker.example/", lambda route: route.fulfill(body="<p>a page on the web</p>", content_type="text/html"))
    page.goto("http://attacker.example/")
    outcome = page.evaluate(
        """url => fetch(url + 'api/lint', {method: 'POST', body: JSON.stringify({text: 'my draft'})})
                    .then(response => 'read ' + response.status, error => 'refused: ' + error.name)""",
        url,
    )
    assert outcome == "refused: TypeError"  # the browser lets the page read nothing
    response = context.request.post(url + "api/lint", data={"text": "my draft"}, headers={"Origin": "http://attacker.example"})
    assert response.status == 403 and "access-control-allow-origin" not in response.headers
    context.close()


# --- the screenshot in README.md and docs/web.md ------------------------------------------

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "serve.png"
UPDATE_SCREENSHOT = "REFERRAL_LINT_UPDATE_SCREENSHOT"  # set by docs/screenshot.py
# Written for the screenshot: a referral ask with a few things to fix.
SCREENSHOT_DRAFT = (
    "Subject: Platform Engineer role (job 7781)\n\n"
    "Hi Marco,\n\n"
    "We met at the Rust meetup in Porto last spring, where you gave the talk on async runtimes. "
    "I'm applying for the Platform Engineer role on your team (job 7781), and my four years "
    "running Kubernetes clusters at Tessera line up with the posting.\n\n"
    "Refer me for it before Friday, I really need this ASAP. I can send my resume.\n\n"
    "Best,\nLena"
)


def test_the_screenshot_in_the_docs_is_of_the_page_at_work(browser: Browser, url: str, tmp_path):
    """Taken from a real run; docs/screenshot.py runs this test with REFERRAL_LINT_UPDATE_SCREENSHOT=1 to replace it."""
    context = browser.new_context(viewport={"width": 1200, "height": 720}, device_scale_factor=1)
    page = context.new_page()
    page.goto(url)
    page.locator("#channel").select_option("email")
    page.locator("#draft").fill(SCREENSHOT_DRAFT)
    checked(page, SCREENSHOT_DRAFT)
    expect(page.locator('#problems li[data-rule="demanding-phrasing"]').first).to_be_visible()
    page.locator('#problems li[data-rule="demanding-phrasing"] details').first.evaluate("details => details.open = true")
    page.locator("#draft").evaluate("draft => draft.blur()")
    taken = tmp_path / "serve.png"
    page.screenshot(path=str(taken))
    context.close()
    assert taken.read_bytes().startswith(b"\x89PNG")
    if os.environ.get(UPDATE_SCREENSHOT):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(taken, SCREENSHOT)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG"), "run docs/screenshot.py"
