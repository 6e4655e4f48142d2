"""The Evaluate and Hub tabs' handlers, called directly: model lists from the registry, clear
refusals, details of a shipped model, and no renaming of a run that is training."""

from types import SimpleNamespace

import pytest
import torch

from genai_demo.errors import InvalidInputError
from genai_demo.families import BITS_PER_CHAR, image_generator_types, model_types
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS, find_model
from genai_demo.jobs import TrainingJob
from genai_demo.ui import evaluate, hub
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
    assert evaluate.present(STATE, evaluate.DEFAULT_IMAGE_MODELS) == ["dcgan-mnist", "ddpm-mnist"]
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
    assert grid.endswith("sample_grid.png") and card.startswith("# vae-mnist") and "![" not in card
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
