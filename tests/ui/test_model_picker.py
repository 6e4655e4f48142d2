"""The one model picker: grouped choices, the showcase default, refreshes, Hub ids, clear errors."""

import pytest
import torch

from genai_demo.errors import InvalidInputError
from genai_demo.families import IMAGES_TAB, TEXT_TAB, model_types
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.ui.model_picker import (
    HUB_PREFIX,
    SHOWCASE_MODELS,
    default_model,
    model_choices,
    refreshed_choices,
    resolve_model_folder,
    selected_hub_model,
)
from genai_demo.ui.state import AppState

STATE = AppState(device=torch.device("cpu"), model_roots=[SHIPPED_CHECKPOINTS])
IMAGE_TYPES, TEXT_TYPES = model_types(tab=IMAGES_TAB), model_types(tab=TEXT_TAB)


def test_choices_are_the_tabs_families_grouped_by_family():
    choices = model_choices(STATE, IMAGE_TYPES)
    types = [label.split(" · ")[0] for label, _ in choices]
    assert set(types) == set(IMAGE_TYPES)  # every image family ships a model
    assert types == sorted(types)  # the GANs, the VAE etc. sit together
    assert "ddpm-mnist" not in [name for _, name in choices] and "classifier-mnist" not in [name for _, name in choices]
    assert ("dcgan · dcgan-mnist", "dcgan-mnist") in choices


def test_the_default_is_the_tabs_showcase_else_the_first_model():
    assert default_model(STATE, IMAGE_TYPES, SHOWCASE_MODELS[IMAGES_TAB]) == "dcgan-mnist"
    assert default_model(STATE, TEXT_TYPES, SHOWCASE_MODELS[TEXT_TAB]) == "tiny-gpt-python-code"
    assert default_model(STATE, IMAGE_TYPES, ("no-such-model",)) == model_choices(STATE, IMAGE_TYPES)[0][1]
    assert default_model(AppState(device=torch.device("cpu"), model_roots=[]), IMAGE_TYPES) is None


def test_a_refresh_keeps_the_choice_and_a_loaded_hub_model():
    assert refreshed_choices(STATE, IMAGE_TYPES, "vae-mnist").value == "vae-mnist"
    assert refreshed_choices(STATE, IMAGE_TYPES, "gone").value == model_choices(STATE, IMAGE_TYPES)[0][1]
    hub = refreshed_choices(STATE, TEXT_TYPES, HUB_PREFIX + "someone/lm")
    assert hub.value == "hub:someone/lm" and ("someone/lm (Hub)", "hub:someone/lm") in hub.choices
    assert selected_hub_model(STATE, TEXT_TYPES, " someone/lm ").value == "hub:someone/lm"


def test_resolving_a_model_checks_the_tabs_families():
    def no_hub(repo_id):
        raise AssertionError("a local name never reaches the Hub")

    assert resolve_model_folder(STATE, TEXT_TYPES, "char-lstm-python-code", "text", no_hub).name == "char-lstm-python-code"
    assert resolve_model_folder(STATE, TEXT_TYPES, "hub:a/b", "text", lambda repo_id: repo_id) == "a/b"
    with pytest.raises(InvalidInputError, match="choose a text model first"):
        resolve_model_folder(STATE, TEXT_TYPES, "", "text", no_hub)
    with pytest.raises(InvalidInputError, match="no model called 'dcgan-mnist'"):
        resolve_model_folder(STATE, TEXT_TYPES, "dcgan-mnist", "text", no_hub)
