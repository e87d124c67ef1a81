"""The player page in a real browser: Debian's Chromium, headless, driven by selenium.

One browser session serves the whole module. Nothing is downloaded: selenium
gets both paths, never looks for a driver, and sends no statistics.
"""

import html as html_module
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

import viz
from viz.figures import apple_graph, apple_orange_graph, sigmoid_graph

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.skip(
            f"no Chromium here ({', '.join(missing)} missing): apt-get install -y chromium chromium-driver, "
            "as the README's test command does"
        )
    os.environ["SE_AVOID_STATS"] = "true"
    profile = tempfile.mkdtemp(prefix="viz-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.get("about:blank")  # past the browser's own start page
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(browser, path):
    """Load ``path`` and return the URLs the page asked for (the page's own included)."""
    browser.get_log("performance")  # forget what the browser itself did before
    browser.get(path.resolve().as_uri())
    WebDriverWait(browser, 10).until(lambda driver: driver.find_element(By.ID, "counter").text.startswith("frame"))
    return browser


def network_events(browser):
    """The DevTools Network events of pages (the browser's own chrome:// pages left out)."""
    events = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"].startswith("Network."):
            events.append(message)
    return events


def requests_made(browser, events=None):
    return [
        event["params"]["request"]["url"]
        for event in (network_events(browser) if events is None else events)
        if event["method"] == "Network.requestWillBeSent"
        and not event["params"].get("documentURL", "").startswith("chrome")
    ]


def visible_frame(browser):
    frames = [frame for frame in browser.find_elements(By.CSS_SELECTOR, ".frame") if frame.is_displayed()]
    assert len(frames) == 1
    return frames[0]


def red_texts(frame):
    return [text.text for text in frame.find_elements(By.CSS_SELECTOR, 'text[fill="red"]') if text.text.strip()]


def counter(browser):
    return browser.find_element(By.ID, "counter").text


def caption(browser):
    return browser.find_element(By.ID, "caption").text


def test_next_previous_keys_and_slider_step_through_the_apple(browser, tmp_path):
    path = viz.animate(apple_graph(), tmp_path / "apple.html")
    open_page(browser, path)
    assert counter(browser) == "frame 0 / 5"
    assert "no values yet" in caption(browser)
    assert red_texts(visible_frame(browser)) == []
    browser.find_element(By.ID, "next").click()
    assert counter(browser) == "frame 1 / 5"
    assert caption(browser) == "forward: × node: 100 × 2 = 200"
    texts = [text.text for text in visible_frame(browser).find_elements(By.TAG_NAME, "text") if text.text.strip()]
    assert "200" in texts and "220" not in texts
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert counter(browser) == "frame 2 / 5" and caption(browser).endswith("200 × 1.1 = 220")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
    assert counter(browser) == "frame 1 / 5"
    browser.find_element(By.ID, "previous").click()
    browser.find_element(By.ID, "previous").click()  # stays at the first frame
    assert counter(browser) == "frame 0 / 5"
    browser.execute_script(
        "var s = document.getElementById('slider'); s.value = '4'; s.dispatchEvent(new Event('input'));"
    )
    assert counter(browser) == "frame 4 / 5" and sorted(red_texts(visible_frame(browser))) == ["1", "1.1", "200"]
    urls = requests_made(browser)
    assert urls == [path.resolve().as_uri()], urls


def test_play_runs_to_the_last_frame_and_shows_the_gradients(browser, tmp_path):
    path = viz.animate(sigmoid_graph(), tmp_path / "sigmoid.html", duration=60)
    open_page(browser, path)
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 10).until(lambda driver: counter(driver) == "frame 9 / 9")
    time.sleep(0.2)
    assert browser.find_element(By.ID, "play").text == "Play"  # it stopped at the end
    assert counter(browser) == "frame 9 / 9"
    assert caption(browser) == "backward: × −1 node: upstream −0.235 × −1 = 0.235 (to x)"
    assert sorted(red_texts(visible_frame(browser))) == sorted(["0.235", "−0.235", "−0.3875", "−0.3875", "1"])
    filled = visible_frame(browser).find_elements(By.CSS_SELECTOR, 'ellipse[fill="#ffe08a"]')
    assert len(filled) == 1
    assert requests_made(browser) == [path.resolve().as_uri()]
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []  # e.g. no Content-Security-Policy violation


def test_the_page_forbids_any_request(browser, tmp_path):
    """The policy is really enforced: an image from the network is refused, and nothing is asked for."""
    path = viz.animate(apple_orange_graph(), tmp_path / "apple-orange.html")
    open_page(browser, path)
    browser.execute_script("var i = new Image(); i.src = 'http://127.0.0.1:9/x.png'; document.body.appendChild(i);")
    time.sleep(0.3)
    events = network_events(browser)
    (asked,) = [
        event["params"]["requestId"] for event in events
        if event["method"] == "Network.requestWillBeSent" and event["params"]["request"]["url"].startswith("http")
    ]
    failures = {
        event["params"]["requestId"]: event["params"].get("blockedReason")
        for event in events if event["method"] == "Network.loadingFailed"
    }
    assert failures.get(asked) == "csp"  # refused by the page's policy before it left the browser
    assert not any(
        event["method"] == "Network.responseReceived" and event["params"]["response"]["url"].startswith("http")
        for event in events
    )
    messages = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert "Content Security Policy" in messages


def test_the_jupyter_player_steps_inside_its_frame(browser, tmp_path):
    shown = viz.player(sigmoid_graph(), collapse=True)._repr_html_()
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><body><div style='width: 400px'>{shown}</div></body></html>")
    browser.get_log("performance")
    browser.get(path.as_uri())
    frame = browser.find_element(By.TAG_NAME, "iframe")
    assert frame.size["width"] == 400  # the cell's width
    browser.switch_to.frame(frame)
    try:
        WebDriverWait(browser, 10).until(lambda driver: counter(driver) == "frame 0 / 3")
        browser.find_element(By.ID, "next").click()
        assert caption(browser) == "forward: sigmoid (collapsed group): 0.5 → 0.6225"
        svg = visible_frame(browser).find_element(By.TAG_NAME, "svg")
        assert svg.size["width"] <= 400
    finally:
        browser.switch_to.default_content()
    assert not any(url.startswith("http") for url in requests_made(browser))
