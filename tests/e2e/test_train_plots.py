"""The Train tab as a person sees it, in Debian's chromium: a page opened before the run presses
Train and watches the curves draw. A plot can hold its data and draw nothing (Vega keeps the colours
it was drawn with), so the plots are checked on screenshots: coloured pixels inside the plotting
area (axes, grid and text are grey), the legend's entries, the log's newest line.

The app runs with a fresh home folder outside the temp folder (Gradio serves the temp folder whatever
`allowed_paths` says, so a home there would hide a real user's errors), and without Fashion-MNIST or
Debian's fortunes, as on a machine that lacks those packages.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import running_app, wait_until
from genai_demo.data.text import DEBIAN_CORPORA
from genai_demo.families import FAMILIES
from genai_demo.training import trainer_class
from genai_demo.ui.train import POLL_SECONDS
from test_browser import browser, open_app, wait_until_idle  # noqa: F401 (browser is a fixture)

pytestmark = pytest.mark.e2e

# Lines and markers are coloured; axes, grid, labels and the background are grey (no saturation).
MIN_SATURATION = 60
MIN_LINE_PIXELS = 100  # a 2-pixel line across a few hundred pixels has well over this many
# Lines must show within one update of the data that carries them: the poll, plus Vega's drawing.
ONE_UPDATE_SECONDS = 2 * POLL_SECONDS + 2
RUN_SECONDS = 240  # a tiny run on a busy CPU: starting Python and torch is most of it
RUN_NAME = "#train-run-name textarea, #train-run-name input"

# Tiny runs: (form label, form fields by element id); each run is seconds of training.
RUNS = {
    "mlp-gan": ("MLP GAN (the textbook baseline)",
                {"train-steps": 60, "train-batch-size": 32, "train-sample-every": 30, "train-eval-every": 30}),
    "char-lstm": ("Character LSTM",
                  {"train-steps": 40, "train-batch-size": 4, "train-sample-every": 20, "train-eval-every": 20}),
    "vae": ("VAE", {"train-steps": 60, "train-batch-size": 32, "train-sample-every": 30, "train-eval-every": 0}),
}
# The other families, shorter still (no evaluation; the DCGAN without its recipe's k-means and averaging).
OTHER_RUNS = {
    "dcgan": ("DCGAN", {"train-steps": 20, "train-batch-size": 16, "train-sample-every": 20, "train-eval-every": 0,
                        "train-clusters": 0, "train-ema": 0}),
    "cdcgan": ("Conditional DCGAN", {"train-steps": 20, "train-batch-size": 16, "train-sample-every": 20,
                                     "train-eval-every": 0}),
    "wgan-gp": ("WGAN-GP", {"train-steps": 20, "train-batch-size": 16, "train-sample-every": 20, "train-eval-every": 0}),
    "ddpm": ("Diffusion (DDPM, diffusers UNet)", {"train-steps": 10, "train-batch-size": 8, "train-sample-every": 10,
                                                  "train-eval-every": 0, "train-ema": 0}),
    "tiny-gpt": ("Tiny GPT (transformers GPT-2)", {"train-steps": 20, "train-batch-size": 4, "train-sample-every": 20,
                                                   "train-eval-every": 0}),
}


@pytest.fixture(scope="module")
def train_app():
    """`python app.py` with a fresh home outside the temp folder, and no Fashion-MNIST nor fortunes."""
    home = Path.home() / ".cache" / f"genai-demo-e2e-train-{uuid.uuid4().hex[:8]}"
    assert not home.is_relative_to(tempfile.gettempdir())
    empty = home / "no-debian-data"
    empty.mkdir(parents=True)
    try:
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("GENAI_DEMO_HOME", str(home))
            environment.setenv("HF_HOME", str(home / "hf"))  # an empty Hub cache: no Fashion-MNIST from there
            environment.setenv("GENAI_DEMO_FASHION_MNIST_DIR", str(empty))
            environment.setenv("GENAI_DEMO_FORTUNES_DIR", str(empty))
            with running_app() as (url, _):
                yield url
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def person(browser):  # noqa: F811
    """One person's browser: its pages share the token that makes them the owner of the runs they start."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


def train_tab(person, url: str):
    """A fresh page of the app on its Train tab."""
    page = person.new_page()
    open_app(page, url)
    page.get_by_role("tab", name="Train").click()
    return page


def coloured_pixels(page, element_id: str) -> int:
    """Coloured pixels inside the plot's drawing area (the box of its grid: not the legend's symbols)."""
    box = page.evaluate(
        """(id) => {
            const rects = Array.from(document.querySelectorAll(`#${id} .role-axis-grid`))
                .map((grid) => grid.getBoundingClientRect()).filter((rect) => rect.width > 0 && rect.height > 0);
            if (!rects.length) return null;
            const left = Math.min(...rects.map((r) => r.left)), top = Math.min(...rects.map((r) => r.top));
            const right = Math.max(...rects.map((r) => r.right)), bottom = Math.max(...rects.map((r) => r.bottom));
            return {x: left + window.scrollX, y: top + window.scrollY, width: right - left, height: bottom - top};
        }""",
        element_id,
    )
    if box is None:
        return 0
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot(clip=box, full_page=True))).convert("RGB"), dtype=int)
    return int((shot.max(axis=2) - shot.min(axis=2) >= MIN_SATURATION).sum())


def legend(page, element_id: str) -> list[str]:
    """The legend's entries, each only if it is drawn inside the plot's box (not cut off)."""
    return page.evaluate(
        """(id) => {
            const block = document.getElementById(id);
            if (!block) return [];  // a hidden plot
            const plot = block.getBoundingClientRect();
            return Array.from(document.querySelectorAll(`#${id} .role-legend-label text`))
                .filter((text) => { const r = text.getBoundingClientRect();
                    return r.width > 0 && r.left >= plot.left && r.right <= plot.right && r.bottom <= plot.bottom; })
                .map((text) => text.textContent);
        }""",
        element_id,
    )


def y_axis(page, element_id: str) -> tuple[str, list[float]]:
    """(the y-axis title, its tick labels as numbers)."""
    title, labels = page.evaluate(
        """(id) => {
            const axes = Array.from(document.querySelectorAll(`#${id} .role-axis`));
            const vertical = axes.find((axis) => { const r = axis.getBoundingClientRect(); return r.height > r.width; });
            if (!vertical) return ["", []];
            return [vertical.querySelector('.role-axis-title text')?.textContent || "",
                    Array.from(vertical.querySelectorAll('.role-axis-label text')).map((t) => t.textContent)];
        }""",
        element_id,
    )
    return title, [float(label.replace(",", "").replace("−", "-")) for label in labels if label]


def plot_title(page, element_id: str) -> str:
    return page.evaluate(f"() => document.querySelector('#{element_id} .role-title-text')?.textContent || ''")


def status(page) -> str:
    return page.locator("#train-status").inner_text()


def the_log_shows_its_newest_line(page) -> bool:
    return page.evaluate(
        """() => { const box = document.querySelector('#train-log textarea');
            return box.value.length > 0 && box.scrollTop + box.clientHeight >= box.scrollHeight - 2; }"""
    )


def open_list(page, element_id: str):
    """Open a dropdown's list (from a blurred input: a click on a focused one may close it); its options."""
    page.locator("#train-status").click()
    page.locator(f"#{element_id} input").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    return options


def close_list(page) -> None:
    page.locator("#train-status").click()


def choose(page, element_id: str, option: str) -> None:
    open_list(page, element_id)
    page.get_by_role("option", name=option, exact=True).click()


def pick_run(page, name: str) -> None:
    open_list(page, "train-run").filter(has_text=f" {name} · ").first.click()


def fill(page, element_id: str, value) -> None:
    field = page.locator(f"#{element_id} input")
    field.fill(str(value))
    field.press("Tab")


def start_run(page, family: str) -> str:
    """Fill the form for a tiny run of `family`, press Train; return the run's name."""
    label, fields = {**RUNS, **OTHER_RUNS}[family]
    choose(page, "train-family", label)
    page.wait_for_function(
        f"() => document.querySelector('{RUN_NAME}').value.startsWith({family + '-'!r})", timeout=10_000)
    for element_id, value in fields.items():
        fill(page, element_id, value)
    name = page.locator(RUN_NAME).input_value()
    page.locator("#train-start").click()
    page.wait_for_function(
        f"() => document.querySelector('#train-status').innerText.includes({name!r})", timeout=30_000)
    return name


def wait_for_status(page, text: str, timeout: float = RUN_SECONDS) -> None:
    page.wait_for_function(
        f"() => document.querySelector('#train-status').innerText.includes({text!r})", timeout=timeout * 1000)


def wait_for_lines(page, element_id: str, what: str, timeout: float = ONE_UPDATE_SECONDS) -> None:
    try:
        wait_until(lambda: coloured_pixels(page, element_id) >= MIN_LINE_PIXELS, timeout=timeout,
                   what=f"coloured lines in #{element_id} {what}")
    except pytest.fail.Exception:
        shot = Path(tempfile.gettempdir()) / f"train-plots-{uuid.uuid4().hex[:8]}.png"
        page.screenshot(path=shot, full_page=True)
        pytest.fail(f"no coloured lines in #{element_id} {what} within {timeout} s: the page is in {shot}")


def expected_legends(family: str) -> tuple[set[str], set[str]]:
    evaluates = bool(RUNS[family][1]["train-eval-every"])
    quality = set()
    if evaluates:
        quality = {"val_bits_per_char", "best"} if FAMILIES[family].is_text else {"classifier_fid", "fid_floor", "best"}
    return set(trainer_class(family).loss_names), quality


def trained_run(page, family: str) -> str:
    """A finished run of `family` in the app (one trained by an earlier test, else trained now)."""
    options = open_list(page, "train-run").filter(has_text=f" · {family} · finished")
    name = options.first.inner_text().split(" ")[1] if options.count() else None
    close_list(page)
    if name:
        return name
    name = start_run(page, family)
    wait_for_status(page, f"{name} ({family}): finished")
    return name


@pytest.mark.timeout(RUN_SECONDS + 120)
@pytest.mark.parametrize("family", list(RUNS))
def test_a_page_opened_before_the_run_draws_its_lines_live_and_after_it_ends(person, train_app, family):
    page = train_tab(person, train_app)
    name = start_run(page, family)
    losses, quality = expected_legends(family)

    # The first logged points arrive with the status that counts their step: the lines show with them.
    wait_for_status(page, " / ")
    wait_for_lines(page, "train-plot", "within one update of the first logged points")
    assert set(legend(page, "train-plot")) == losses
    if quality:
        label = plot_title(page, "train-quality-plot")
        assert set(legend(page, "train-quality-plot")) == quality
        metric = "bits per character" if FAMILIES[family].is_text else "classifier-FID"
        assert metric in label and ("FID" in label) == (not FAMILIES[family].is_text), label
        wait_for_status(page, "best ")  # the first evaluation has been logged
        wait_for_lines(page, "train-quality-plot", "within one update of the first evaluation")
    else:  # nothing measured: no empty plot, and the status says how to measure
        assert not page.locator("#train-quality-plot").is_visible()
        assert "sample quality not measured" in status(page) and "FID" not in status(page)

    wait_for_status(page, f"{name} ({family}): finished")
    wait_until_idle(page)
    time.sleep(POLL_SECONDS)  # a redraw after the end would come one update later: it must not lose them
    wait_for_lines(page, "train-plot", "after the run ended")
    if quality:
        wait_for_lines(page, "train-quality-plot", "after the run ended")
    assert set(legend(page, "train-plot")) == losses and "series" not in legend(page, "train-plot")
    # The run is listed as it is now, and the log shows its newest line: the end of the run.
    assert page.locator("#train-run input").input_value().endswith(" · finished")
    wait_until(lambda: the_log_shows_its_newest_line(page), timeout=ONE_UPDATE_SECONDS, what="the log's newest line")
    assert page.locator("#train-log textarea").input_value().splitlines()[-1].startswith("finished at step")
    log = page.locator("#train-log textarea").input_value()
    assert log.count("MNIST from the Hub is not available") <= 1 and "Writing model shards" not in log
    assert "Token indices sequence length" not in log and "%|" not in log
    page.close()


@pytest.mark.timeout(RUN_SECONDS + 120)
@pytest.mark.parametrize("family", list(OTHER_RUNS))
def test_every_other_family_draws_its_lines_from_its_first_points(person, train_app, family):
    page = train_tab(person, train_app)
    name = start_run(page, family)
    wait_for_status(page, " / ")
    wait_for_lines(page, "train-plot", "within one update of the first logged points")
    assert set(legend(page, "train-plot")) == set(trainer_class(family).loss_names)
    wait_for_status(page, f"{name} ({family}): finished")
    wait_until_idle(page)
    wait_for_lines(page, "train-plot", "after the run ended")
    log = page.locator("#train-log textarea").input_value()  # the tiny GPT's: no tokenizer warning, no bars
    assert "Writing model shards" not in log and "Token indices sequence length" not in log and "%|" not in log
    page.close()


@pytest.mark.timeout(3 * RUN_SECONDS)
def test_switching_runs_comparing_log_scale_resume_and_reload_keep_the_lines_and_the_settings(person, train_app):
    page = train_tab(person, train_app)
    image_run, text_run = trained_run(page, "vae"), trained_run(page, "char-lstm")

    # Switching the Run dropdown: each run's own lines, sample panel and timeline.
    for name, family in ((text_run, "char-lstm"), (image_run, "vae"), (text_run, "char-lstm"), (image_run, "vae")):
        pick_run(page, name)
        wait_for_status(page, f"{name} ({family}): finished", timeout=30)
        wait_until(lambda: set(legend(page, "train-plot")) == expected_legends(family)[0], timeout=ONE_UPDATE_SECONDS,
                   what=f"the legend of {name}")
        wait_for_lines(page, "train-plot", f"after switching to {name}")
        text_shown = page.locator("#train-sample-text").is_visible()
        assert text_shown == FAMILIES[family].is_text  # never the last run's kind of sample
        assert page.locator("#train-sample").is_visible() != text_shown
        if not text_shown:  # the timeline has this run's grids (steps 0, 30 and 60), none of another's
            assert page.locator("#train-timeline input[type='number']").get_attribute("max") == "2"
        else:
            assert not page.locator("#train-timeline").is_visible()

    # The image run now: log scale on and off, its axis and its values agree at every update.
    losses_linear = max(y_axis(page, "train-plot")[1])
    assert losses_linear > 50  # the VAE's negative ELBO, in nats per image
    page.get_by_label("Log scale").check()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#train-plot .role-axis-title text'))"
        ".some((t) => t.textContent === 'log10(loss)')", timeout=ONE_UPDATE_SECONDS * 1000)
    for _ in range(3):  # the axis title and the plotted values stay in step, update after update
        title, ticks = y_axis(page, "train-plot")
        assert title == "log10(loss)" and max(ticks) < 5, (title, ticks)
        wait_for_lines(page, "train-plot", "in log scale")
        time.sleep(POLL_SECONDS)
    page.get_by_label("Log scale").uncheck()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#train-plot .role-axis-title text'))"
        ".some((t) => t.textContent === 'loss')", timeout=ONE_UPDATE_SECONDS * 1000)
    for _ in range(3):
        title, ticks = y_axis(page, "train-plot")
        assert title == "loss" and max(ticks) > 50, (title, ticks)
        time.sleep(POLL_SECONDS)

    # Compare with a past run: its series join the legend, marked, and every line is drawn.
    before = coloured_pixels(page, "train-plot")
    choose(page, "train-compare", text_run)
    wait_until(lambda: "loss (past)" in legend(page, "train-plot"), timeout=ONE_UPDATE_SECONDS,
               what="the compared run in the legend")
    wait_until(lambda: coloured_pixels(page, "train-plot") > before, timeout=ONE_UPDATE_SECONDS,
               what="the compared run's line drawn")
    choose(page, "train-compare", "(none)")
    wait_until(lambda: "loss (past)" not in legend(page, "train-plot"), timeout=ONE_UPDATE_SECONDS,
               what="the comparison gone")

    # Resume with more steps: the history and the new points are drawn while it runs and after.
    fill(page, "train-steps", 90)
    page.locator("#train-resume").click()
    wait_for_status(page, f"{image_run} (vae): running")
    wait_for_status(page, " / 90")
    wait_for_lines(page, "train-plot", "while the resumed run trains")
    wait_for_status(page, f"{image_run} (vae): finished")
    wait_until_idle(page)
    wait_for_lines(page, "train-plot", "after the resumed run ended")
    assert page.locator("#train-run input").input_value().endswith(" · finished")

    # A reload watches the newest run, and the form shows that run's settings, not the defaults.
    page.reload()
    open_app(page, train_app)
    page.get_by_role("tab", name="Train").click()
    wait_for_status(page, f"{image_run} (vae): finished", timeout=30)
    page.wait_for_function("() => document.querySelector('#train-steps input').value === '90'", timeout=10_000)
    assert page.locator("#train-family input").input_value() == "VAE"
    assert page.locator("#train-batch-size input").input_value() == "32"
    assert page.locator("#train-sample-every input").input_value() == "30"
    wait_for_lines(page, "train-plot", "after a reload")
    page.close()


def test_datasets_this_machine_lacks_are_not_offered(person, train_app):
    page = train_tab(person, train_app)
    for family, missing, package in (("VAE", ["fashion-mnist"], "dataset-fashion-mnist"),
                                     ("Character LSTM", list(DEBIAN_CORPORA), "apt-get install fortunes")):
        choose(page, "train-family", family)
        page.get_by_text(package, exact=False).first.wait_for(timeout=10_000)  # the note says how to get them
        offered = open_list(page, "train-dataset").all_inner_texts()
        close_list(page)
        assert offered and not set(offered) & set(missing), offered
    page.close()
