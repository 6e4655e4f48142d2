"""A real browser: Debian's chromium driven by playwright (never `playwright install`)."""

import os
import shutil

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_for_image(page, element_id: str) -> None:
    """Until the <img> inside #element_id has loaded real pixels (30 s at most)."""
    page.wait_for_function(
        f"() => {{ const img = document.querySelector('#{element_id} img'); "
        "return img && img.complete && img.naturalWidth > 0; }",
        timeout=30_000,
    )


def wait_until_idle(page, timeout: float = 30_000) -> None:
    """Until no event has been pending or streaming on the page for 300 ms (an event that is about to
    start has that long to show): a cancelled or finished run sends nothing more."""
    page.evaluate("() => { window.idleSince = null; }")
    page.wait_for_function(
        "() => { if (document.querySelector('.wrap.pending, .wrap.generating')) { window.idleSince = null; return false; }"
        " window.idleSince = window.idleSince || performance.now(); return performance.now() - window.idleSince > 300; }",
        timeout=timeout,
    )


def open_app(page, url: str) -> None:
    """Load the page and wait until its on-load events (model lists, run reattach) are done.
    Not `networkidle`: with this many component chunks Chromium keeps module preloads pending."""
    page.goto(url, wait_until="load")
    page.get_by_role("tab", name="Images").wait_for(timeout=30_000)
    wait_until_idle(page)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_open_page_click_generate_see_the_grid(browser, live_app):
    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Images").wait_for()
    assert page.locator("#sample-grid img").count() == 0
    page.locator("#generate-images").click()
    image = page.locator("#sample-grid img")
    image.wait_for(state="visible", timeout=30_000)
    wait_for_image(page, "sample-grid")
    natural_size = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural_size == [242, 242]
    assert "64 samples from" in page.content()
    page.close()


def test_latent_interpolation_shows_strip_and_animation(browser, live_app):
    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_text("Latent interpolation").click()
    page.locator("#interpolate").click()
    for element_id in ("interpolation-strip", "interpolation-gif"):
        wait_for_image(page, element_id)
    strip_width = page.locator("#interpolation-strip img").evaluate("img => img.naturalWidth")
    assert strip_width == 10 * 30 + 2  # 10 steps by default
    page.close()


def test_learn_tab_renders_the_objectives_as_math(browser, live_app):
    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Learn").click()
    page.get_by_text("Reparameterisation trick").wait_for()
    assert page.locator(".katex").count() > 20  # rendered LaTeX, not raw $$ text
    assert "$$" not in page.locator("body").inner_text()
    page.close()


def test_diffusion_grid_streams_and_stop_ends_the_run(browser, live_app, user_diffusion_model):
    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Diffusion").click()
    page.get_by_label("Diffusion model").fill(user_diffusion_model)
    page.get_by_label("Diffusion model").press("Enter")
    page.get_by_text("DDPM (the original").click()
    steps = page.locator("#diffusion-steps input[type=number]")
    steps.fill("1000")
    steps.press("Enter")
    page.locator("#diffusion-generate").click()
    status = page.locator("#diffusion-status")
    status.get_by_text("Denoising: step").wait_for(timeout=30_000)
    wait_for_image(page, "diffusion-grid")  # an intermediate grid is shown while it runs
    page.locator("#diffusion-stop").click()
    status.get_by_text("Stopped.").wait_for(timeout=10_000)
    wait_until_idle(page, timeout=10_000)  # the sampling event has ended...
    assert "Done" not in status.inner_text()  # ...before it finished its 1,000 steps
    page.close()


def test_text_streams_into_the_box_and_stop_ends_it(browser, live_app, slow_text_model):
    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Text").click()
    page.get_by_label("Text model").fill(slow_text_model)
    page.get_by_label("Text model").press("Enter")
    page.locator("input[aria-label='number input for Max new tokens']").fill("2048")
    page.locator("input[aria-label='number input for Max new tokens']").press("Enter")
    page.locator("#text-generate").click()
    output = page.locator("#text-output textarea")
    page.wait_for_function("() => document.querySelector('#text-output textarea').value.length > 0", timeout=30_000)
    page.locator("#text-stop").click()
    wait_until_idle(page, timeout=10_000)  # the stream has ended: nothing more arrives after Stop
    assert 0 < len(output.input_value()) < 2048  # one character per token: Stop cut it short
    page.close()


def status_text(page) -> str:
    return page.locator("#train-status").inner_text()


def wait_for_status(page, text: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('#train-status')?.innerText || '').includes({text!r})", timeout=timeout
    )


PLOT_POINTS = "document.querySelectorAll('#train-plot .mark-symbol.hover_marks path').length"


def plot_points(page) -> int:
    """How many points the loss plot draws (Vega gives each one a hover symbol)."""
    return page.evaluate(f"() => {PLOT_POINTS}")


def test_train_form_shows_each_familys_recipe_options(browser, live_app):
    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Train").click()
    clusters, ema = page.locator("#train-clusters input"), page.locator("#train-ema input")
    assert not clusters.is_visible() and ema.input_value() == "0"  # the MLP GAN: neither by default

    def choose(label):
        page.locator("#train-family input").click()
        page.get_by_role("option", name=label, exact=True).click()

    choose("DCGAN")  # the shipped DCGAN's recipe
    page.wait_for_function("() => document.querySelector('#train-clusters input')?.value === '50'", timeout=10_000)
    assert ema.input_value() == "0.999"
    choose("VAE")
    clusters.wait_for(state="hidden", timeout=10_000)
    assert ema.input_value() == "0"
    page.close()


def test_train_watch_stop_resume_reattach_then_generate_with_it(browser, live_app):
    url, _ = live_app
    run_name = "browser-mlp-gan"
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Train").click()
    page.get_by_label("Run name").fill(run_name)
    page.locator("#train-steps input").fill("20000")
    page.locator("#train-sample-every input").fill("20")
    page.locator("#train-start").click()
    wait_for_status(page, "running · step")

    # The curves gain points and the fixed-seed sample grid changes while it trains.
    page.wait_for_function(f"() => {PLOT_POINTS} >= 2", timeout=60_000)
    first_points = plot_points(page)
    wait_for_image(page, "train-sample")
    first_sample = page.locator("#train-sample img").get_attribute("src")
    page.wait_for_function(f"() => {PLOT_POINTS} > {first_points}", timeout=30_000)
    page.wait_for_function(
        f"() => document.querySelector('#train-sample img')?.getAttribute('src') !== {first_sample!r}",
        timeout=30_000,
    )
    assert "samples/s" in status_text(page) and "ETA" in status_text(page)

    # Stop: the run ends and is saved; Resume continues it from that step.
    page.locator("#train-stop").click()
    wait_for_status(page, "stopped at step")
    stopped_step = int(status_text(page).split("stopped at step ")[1].split(";")[0])
    assert stopped_step < 20_000
    # The timeline scrubs back through the saved grids to step 0.
    timeline = page.locator("#train-timeline input[type='number']")
    timeline.fill("0")
    timeline.press("Enter")
    page.get_by_text("Fixed-seed samples at step 0").wait_for(timeout=10_000)
    page.locator("#train-resume").click()
    wait_for_status(page, "running · step")
    log = page.locator("#train-log textarea")
    page.wait_for_function(
        f"() => /step (\\d+)\\/20000/.test(document.querySelector('#train-log textarea').value.split('resuming')[1] || '')",
        timeout=60_000,
    )
    assert "resuming" in log.input_value()

    # Reload: the page reattaches to the running job, with its curve history.
    page.reload()
    open_app(page, url)
    page.get_by_role("tab", name="Train").click()
    wait_for_status(page, f"{run_name} (mlp-gan): running")
    page.wait_for_function(f"() => {PLOT_POINTS} > {first_points}", timeout=30_000)  # history kept

    # Another browser sees the same job read-only: its Stop and Resume are disabled (and the server
    # refuses a stop from it anyway: tests/training/test_jobs.py).
    other = browser.new_context()
    stranger = other.new_page()
    open_app(stranger, url)
    stranger.get_by_role("tab", name="Train").click()
    wait_for_status(stranger, f"{run_name} (mlp-gan): running")
    stranger.wait_for_function("() => document.querySelector('#train-stop').disabled", timeout=10_000)
    assert stranger.locator("#train-resume").is_disabled()
    assert page.locator("#train-stop").is_enabled()
    other.close()
    assert "running" in status_text(page)

    page.locator("#train-stop").click()
    wait_for_status(page, "stopped at step")

    # The result is a model at once: the Images tab lists it and generates with it.
    page.get_by_role("tab", name="Images").click()
    model_box = page.get_by_label("Model", exact=True)
    model_box.fill(run_name)
    model_box.press("Enter")
    page.locator("#generate-images").click()
    page.get_by_text(f"64 samples from {run_name}").wait_for(timeout=30_000)
    wait_for_image(page, "sample-grid")
    page.close()


def test_hub_tab_loads_every_shipped_model_and_renders_its_card(browser, live_app):
    import re

    from conftest import REPO_ROOT

    url, _ = live_app
    page = browser.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Hub").click()
    shipped = sorted(path.name for path in (REPO_ROOT / "checkpoints").iterdir() if path.is_dir())
    for name in shipped:
        page.locator("#hub-model input").click()
        page.locator("#hub-model input").fill(name)
        # Click the option itself: "dcgan-mnist" also matches "cdcgan-mnist", which is listed first.
        options = page.get_by_role("option").filter(has_text=re.compile(rf"(^|\s){re.escape(name)} ·"))
        options.first.click()
        summary, card = page.locator("#hub-summary"), page.locator("#hub-card")
        summary.get_by_role("heading", name=name, exact=True).wait_for(timeout=30_000)
        assert "yes, on cpu" in summary.inner_text(), summary.inner_text()
        # The card is rendered Markdown: its title a heading, its usage a code block.
        card.get_by_role("heading", name=name, exact=True).wait_for(timeout=10_000)
        assert card.locator("h2", has_text="Use this model").count() == 1
        assert card.locator("pre code").count() >= 1
        if (REPO_ROOT / "checkpoints" / name / "sample_grid.png").is_file():
            # The image loads lazily: only once it is on the screen, as a person scrolls to it.
            page.locator("#hub-grid").scroll_into_view_if_needed()
            wait_for_image(page, "hub-grid")
    page.close()
