"""The page in the browser's language: a Chinese browser reads Chinese tabs, labels and the Learn tab
and generates an image; an English one reads English. Screenshots go to $GENAI_DEMO_SHOTS if set."""

import os
from pathlib import Path

import pytest

from tests.e2e.test_browser import browser, wait_for_image, wait_until_idle  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e

TABS = {"en-US": ["Images", "Diffusion", "Text", "Train", "Evaluate", "Hub", "Learn"],
        "zh-CN": ["图像", "扩散模型", "文本", "训练", "评估", "模型中心", "学习"]}
WORDS = {"en-US": ("Generate", "Number of samples", "Reparameterisation trick"),
         "zh-CN": ("生成", "样本数", "重参数化技巧")}


def open_app_in(page, url: str, first_tab: str) -> None:
    """Load the page and wait for its first tab, in the page's language, and its on-load events."""
    page.goto(url, wait_until="load")
    page.get_by_role("tab", name=first_tab).wait_for(timeout=30_000)
    wait_until_idle(page)


def _shot(page, name: str) -> None:
    folder = os.environ.get("GENAI_DEMO_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_page_speaks_the_browsers_language_and_generates(browser, live_app, locale):
    url, _ = live_app
    page = browser.new_page(locale=locale, viewport={"width": 1280, "height": 1000})
    open_app_in(page, url, TABS[locale][0])
    tabs = [tab.inner_text().strip() for tab in page.get_by_role("tab").all()]
    assert tabs[: len(TABS[locale])] == TABS[locale]
    generate, samples, learn_heading = WORDS[locale]
    page.get_by_text(samples, exact=True).first.wait_for()
    other = "en-US" if locale == "zh-CN" else "zh-CN"
    assert WORDS[other][1] not in page.locator("body").inner_text()
    page.get_by_role("button", name=generate, exact=True).first.click()
    wait_for_image(page, "sample-grid")
    pixels = page.locator("#sample-grid img").evaluate(
        "img => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;"
        " const x = c.getContext('2d'); x.drawImage(img, 0, 0);"
        " const d = x.getImageData(0, 0, c.width, c.height).data; let bright = 0;"
        " for (let i = 0; i < d.length; i += 4) if (d[i] > 128) bright++; return bright; }")
    assert pixels > 500  # white strokes of digits on black
    _shot(page, f"images-{locale}")
    for index, tab in enumerate(TABS[locale][1:], start=1):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        _shot(page, f"{index}-{TABS['en-US'][index].lower()}-{locale}")
    page.get_by_text(learn_heading).first.wait_for()
    page.close()
