"""The page in the browser's language: a Chinese browser reads Chinese tabs, labels and the Learn tab,
generates an image and reads what the server writes back (the caption, an error) in Chinese; an
English one reads English; the Settings switch changes both. Screenshots go to $GENAI_DEMO_SHOTS if set."""

import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from genai_demo.folders.model_folder import load_model_folder
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS

from tests.e2e.test_browser import browser, wait_for_image, wait_until_idle  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e

TABS = {"en-US": ["Images", "Diffusion", "Repair", "Text", "Train", "Evaluate", "Hub", "Playground", "Learn"],
        "zh-CN": ["图像", "扩散模型", "修复", "文本", "训练", "评估", "模型中心", "二维演练场", "学习"]}
WORDS = {"en-US": ("Generate", "Number of samples", "Reparameterisation trick"),
         "zh-CN": ("生成", "样本数", "重参数化技巧")}
# What the server writes back: the grid's caption ("64 samples from dcgan-mnist, seed 0, 30 ms on cpu").
CAPTION = {"en-US": r"^64 samples from dcgan-mnist, seed 0, \d+ ms on cpu$",
           "zh-CN": r"^64 个样本，来自 dcgan-mnist，种子 0，在 cpu 上用时 \d+ 毫秒$"}


def open_app_in(page, url: str, first_tab: str) -> None:
    """Load the page and wait for its first tab, in the page's language, and its on-load events."""
    page.goto(url, wait_until="load")
    page.get_by_role("tab", name=first_tab).wait_for(timeout=30_000)
    wait_until_idle(page)


def _shot(page, name: str, full_page: bool = True) -> None:
    folder = os.environ.get("GENAI_DEMO_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def _caption(page) -> str:
    page.wait_for_function("() => (document.querySelector('#sample-caption')?.innerText || '').includes('cpu')")
    return page.locator("#sample-caption").inner_text().strip()


def _toast(page) -> str:
    toast = page.locator(".toast-body").last
    toast.wait_for(timeout=30_000)
    return toast.inner_text()


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
    # The Examples table's column names come with the page's load events (the server translates them).
    page.wait_for_function(f"() => (document.querySelector('table thead')?.innerText || '').includes('{samples}')")
    assert samples in page.locator("table thead").first.inner_text()
    assert WORDS[other][1] not in page.locator("body").inner_text()
    page.get_by_role("button", name=generate, exact=True).first.click()
    wait_for_image(page, "sample-grid")
    pixels = page.locator("#sample-grid img").evaluate(
        "img => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;"
        " const x = c.getContext('2d'); x.drawImage(img, 0, 0);"
        " const d = x.getImageData(0, 0, c.width, c.height).data; let bright = 0;"
        " for (let i = 0; i < d.length; i += 4) if (d[i] > 128) bright++; return bright; }")
    assert pixels > 500  # white strokes of digits on black
    assert re.match(CAPTION[locale], _caption(page)), _caption(page)
    _shot(page, f"images-{locale}")
    for index, tab in enumerate(TABS[locale][1:], start=1):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        _shot(page, f"{index}-{TABS['en-US'][index].lower()}-{locale}")
    page.get_by_text(learn_heading).first.wait_for()
    page.close()


def test_a_chinese_reader_gets_errors_in_chinese_and_the_settings_switch_changes_the_servers_language(browser, live_app):
    url, _ = live_app
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    open_app_in(page, url, TABS["zh-CN"][0])
    seed = page.get_by_label("随机种子", exact=True).first
    seed.fill("")
    page.get_by_role("button", name="生成", exact=True).first.click()
    said = _toast(page)
    assert "随机种子必须是 0 到 4,294,967,295 之间的整数；输入框为空" in said, said
    page.wait_for_timeout(800)  # the toast slides in
    _shot(page, "error-zh-CN", full_page=False)  # the toast is fixed to the window
    page.locator(".toast-close").last.click()
    seed.fill("0")
    # Settings (footer) -> Language: English. The page's labels and what the server writes follow.
    page.locator("footer").get_by_text("设置").first.click()
    page.get_by_label("Language").first.click()
    page.get_by_role("option", name="English").first.click()
    page.locator("div.backdrop").first.click(position={"x": 5, "y": 5}, force=True)
    page.get_by_text("Number of samples", exact=True).first.wait_for()
    page.get_by_role("button", name="Generate", exact=True).first.click()
    page.wait_for_function("() => /^64 samples from/.test(document.querySelector('#sample-caption')?.innerText || '')",
                           timeout=30_000)
    assert re.match(CAPTION["en-US"], _caption(page))
    page.close()


def test_a_chinese_prompt_draws_that_class_in_the_diffusion_tab(browser, live_app):
    """Type 一个粗的3 (a thick 3) for the shipped guided model and press Enter: the grid holds 3s, as the
    shipped classifier reads its tiles, and the status says how the prompt was read, in Chinese."""
    url, _ = live_app
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    open_app_in(page, url, TABS["zh-CN"][0])
    page.get_by_role("tab", name="扩散模型").click()
    picker = page.get_by_label("扩散模型", exact=True).first
    picker.fill("cddpm-mnist")
    picker.press("Enter")
    prompt = page.locator("#diffusion-prompt textarea, #diffusion-prompt input").first
    prompt.wait_for(timeout=30_000)
    prompt.fill("一个粗的3")
    prompt.press("Enter")
    page.wait_for_function("() => (document.querySelector('#diffusion-status')?.innerText || '').includes('完成')",
                           timeout=120_000)
    status = page.locator("#diffusion-status").inner_text()
    assert "理解为：类别 3（数字 3）· 粗" in status, status
    wait_for_image(page, "diffusion-grid")
    source = page.locator("#diffusion-grid img").get_attribute("src")
    grid = np.asarray(Image.open(io.BytesIO(page.request.get(source).body())).convert("L"), dtype=np.float32)
    tiles = [grid[2 + 30 * row: 30 + 30 * row, 2 + 30 * column: 30 + 30 * column]
             for row in range(grid.shape[0] // 30) for column in range(grid.shape[1] // 30)]
    images = torch.from_numpy(np.stack(tiles)).unsqueeze(1) / 127.5 - 1
    classifier = load_model_folder(SHIPPED_CHECKPOINTS / "classifier-mnist").eval()
    with torch.no_grad():
        read = classifier(images).argmax(dim=1)
    assert len(tiles) == 16 and (read == 3).float().mean() >= 0.9, read.tolist()
    _shot(page, "diffusion-prompt-zh-CN")
    page.close()
