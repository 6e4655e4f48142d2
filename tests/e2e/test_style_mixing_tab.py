"""The Images tab with the shipped style-based GAN (issue 28), in Debian's chromium against `python
app.py`: choosing it shows truncation, noise and the style-mixing grid; Mix draws the grid; moving the
truncation slider to 0 draws each sample's truncation centre. What is checked is screenshot pixels."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

from tests.e2e.test_browser import browser, open_app, wait_until_idle  # noqa: F401 (fixture)
from tests.e2e.test_tabs_as_seen import choose

pytestmark = pytest.mark.e2e

# One model: the browser suite runs within .ci/run's 20 minutes (the API test covers the Fashion one).
MODELS = ["stylegan-mnist"]
SHOTS = os.environ.get("GENAI_DEMO_SHOTS")


def shown_image(page, selector: str) -> np.ndarray:
    """The grey pixels of the image element as the screen shows it, once it has loaded."""
    page.wait_for_function(
        f"() => {{ const img = document.querySelector({selector!r}); return img && img.complete && img.naturalWidth > 0; }}",
        timeout=60_000)
    image = page.locator(selector).first
    image.scroll_into_view_if_needed()
    pixels = np.asarray(Image.open(io.BytesIO(image.screenshot())).convert("L"), dtype=np.int16)
    # The element is as large as its box, the picture fitted inside it (object-fit: contain) on the
    # page's light background: keep the picture, whose outer border is the grid's black padding.
    dark = pixels < 40
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    assert len(rows) > 50 and len(cols) > 50, "no picture on the screen"
    return pixels[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def cells(pixels: np.ndarray, count: int) -> np.ndarray:
    """The screenshot cut into count x count equal cells (the grid's images), each (h, w)."""
    height, width = pixels.shape[0] // count, pixels.shape[1] // count
    return np.stack([pixels[r * height:(r + 1) * height, c * width:(c + 1) * width]
                     for r in range(count) for c in range(count)])


@pytest.fixture(params=MODELS)
def page(request, browser, live_app):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    open_app(page, live_app[0])
    choose(page, page.get_by_label("Model", exact=True), request.param)
    yield page
    page.close()


def test_the_mixing_grid_shows_and_truncation_moves_the_samples(page):
    mixing = page.locator("#style-mixing")
    mixing.wait_for(state="visible", timeout=10_000)
    assert page.locator("#truncation").is_visible() and page.locator("#style-noise").is_visible()
    page.locator("#mix-styles").click()
    wait_until_idle(page, 60_000)
    figure = shown_image(page, "#mixing-grid img")
    grid = cells(figure, 6)  # 5 row seeds and 5 column seeds, and their own images on the edges
    assert (figure > 128).mean() > 0.03  # light strokes are drawn
    assert np.abs(grid[0]).max() < 60  # the blank corner
    mixes = grid[[r * 6 + c for r in range(1, 6) for c in range(1, 6)]]
    assert all((cell > 128).mean() > 0.01 for cell in mixes)  # every mix holds a figure
    assert np.abs(mixes[0] - mixes[1]).mean() > 3 and np.abs(mixes[0] - mixes[5]).mean() > 3  # and they differ
    assert "from the row seeds" in page.locator("#mixing-caption").inner_text()

    page.locator("#generate-images").click()
    wait_until_idle(page, 60_000)
    varied = cells(shown_image(page, "#sample-grid img"), 8)
    slider = page.locator("#truncation input[type='number']")
    slider.fill("0")
    slider.press("Enter")
    page.locator("#generate-images").click()
    page.wait_for_function("() => (document.querySelector('#sample-caption')?.innerText || '').includes('truncation ψ 0')",
                           timeout=60_000)
    wait_until_idle(page, 60_000)
    average = cells(shown_image(page, "#sample-grid img"), 8)
    # psi 0 draws each w's truncation centre: these models are self-conditioned on 50 clusters and pull
    # each w towards its own cluster's average, so the 64 cells show at most 50 different images
    # (repeats), where psi 1 draws 64 different ones.
    if SHOTS:
        name = page.get_by_label("Model", exact=True).input_value().split(" · ")[-1]
        page.screenshot(path=os.path.join(SHOTS, f"images-style-mixing-{name}.png"), full_page=True)
    assert not np.array_equal(varied, average)
    assert repeats(average) >= 64 - 50 and repeats(varied) == 0
    assert (average.mean(axis=0) > 128).mean() > 0.02  # the averages are figures, not blanks


def repeats(grid: np.ndarray) -> int:
    """How many cells have a twin elsewhere in the grid: equal but for the screen's resampling, which
    puts each cell at another sub-pixel offset (measured: twins differ by up to 4.5 grey levels on
    average, different samples by 8 or more)."""
    flat = grid.reshape(len(grid), -1).astype(float)
    return sum(any(np.abs(flat[index] - flat[other]).mean() < 5 for other in range(len(flat)) if other != index)
               for index in range(len(flat)))

