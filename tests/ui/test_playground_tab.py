"""The Playground tab's handlers, called directly: a run per session, frames that show training,
one update at a time, Pause that stops Play, presets, and bad input refused with one line."""

import threading
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
import torch

from genai_demo.training.playground import PRESETS
from genai_demo.ui import playground as tab
from genai_demo.ui.playground_view import FAKE, REAL
from genai_demo.ui.state import AppState

STATE = AppState(device=torch.device("cpu"))
# preset, family, dataset, drawing, seed, learning rate, D's rate, n_critic, lambda
GAN = ("none", "gan", "ring8", None, 0, 1e-3, 1e-3, 1, 10.0)


def request(name):
    return SimpleNamespace(session_hash=name)


def colour_count(image, colour) -> int:
    return int(np.all(np.asarray(image)[..., :3] == colour, axis=-1).sum())


def test_reset_draws_real_and_generated_points_and_the_numbers():
    frame, curves, status = tab.reset(STATE, *GAN, 10, request=request("a"))
    assert colour_count(frame, REAL) > 500 and colour_count(frame, FAKE) > 100  # untrained: bunched up
    assert np.asarray(curves).std() > 0
    assert "step 0" in status and "modes covered" in status and "sliced Wasserstein" in status


def test_step_alternates_discriminator_and_generator_updates_and_the_frame_changes():
    first, _, _ = tab.reset(STATE, "none", "wgan-gp", "ring8", None, 0, 1e-3, 1e-3, 2, 10.0, 10, request=request("b"))
    seen = [tab.step_once(STATE, "none", "wgan-gp", "ring8", None, 0, 1e-3, 1e-3, 2, 10.0, 10, request=request("b"))
            for _ in range(3)]
    assert ["critic 1/2" in seen[0][2], "critic 2/2" in seen[1][2], "generator" in seen[2][2]] == [True] * 3
    assert not np.array_equal(np.asarray(first), np.asarray(seen[2][0]))  # the generator moved its points


def test_play_streams_changing_frames_until_pause():
    frames = []

    def watch():
        for frame, _, status in tab.play(STATE, *GAN, 20, 10, request=request("c")):
            frames.append((np.asarray(frame), status))
            if len(frames) == 3:
                tab.pause(request=request("c"))

    thread = threading.Thread(target=watch)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "Pause did not end Play"
    assert len(frames) == 3  # Pause after the third frame: the loop ends before training more
    assert not np.array_equal(frames[0][0], frames[2][0])
    assert "step 60" in frames[2][1] and "steps/s" in frames[2][1]
    assert tab.SESSIONS.get("c").playing is False


def test_runs_are_per_session_and_settings_that_change_the_data_start_a_new_run():
    tab.reset(STATE, *GAN, 10, request=request("d"))
    tab.step_once(STATE, *GAN, 10, request=request("d"))
    tab.reset(STATE, *GAN, 10, request=request("e"))
    assert tab.SESSIONS.get("d").playground.iteration == 1 and tab.SESSIONS.get("e").playground.iteration == 0
    *_, status = tab.step_once(STATE, "none", "gan", "grid25", None, 0, 1e-3, 1e-3, 1, 10.0, 10, request=request("d"))
    assert tab.SESSIONS.get("d").playground.data.name == "grid25" and "/25" in status
    tab.step_once(STATE, "none", "gan", "grid25", None, 0, 5e-4, 1e-3, 1, 10.0, 10, request=request("d"))  # a rate: same run
    optimizer = tab.SESSIONS.get("d").playground.optimizers["generator"]
    continued = tab.SESSIONS.get("d")
    assert continued.last_update == "generator" and continued.playground.iteration == 1  # D, then G: one step
    assert optimizer.param_groups[0]["lr"] == 5e-4


def test_a_drawing_is_the_data():
    canvas = np.full((240, 240, 4), 255, dtype=np.uint8)  # an opaque white canvas, as the browser sends it
    canvas[100:140, 20:220, :3] = 0  # a black horizontal bar
    *_, status = tab.reset(STATE, "none", "vae", "drawn", {"composite": canvas}, 0, 1e-3, 1e-3, 1, 10.0, 10, request=request("f"))
    data = tab.SESSIONS.get("f").playground.data
    assert data.name == "drawn" and np.abs(data.points_or_centres[:, 1]).max() < 0.6
    assert "modes covered" not in status and "sliced Wasserstein" in status


@pytest.mark.parametrize("settings, message", [
    (("none", "gan", "ring8", None, 0, "fast", 1e-3, 1, 10.0), "learning rate must be a number from"),
    (("none", "gan", "ring8", None, 0.5, 1e-3, 1e-3, 1, 10.0), "seed must be a whole number from"),
    (("none", "gan", "ring8", None, 0, 1e-3, 1e-3, 0, 10.0), "critic steps per generator step must be a whole number"),
    (("none", "vae", "drawn", None, 0, 1e-3, 1e-3, 1, 10.0), "draw the data on the canvas first"),
    (("none", "vae", "drawn", {"composite": np.zeros((240, 240, 4), np.uint8)}, 0, 1e-3, 1e-3, 1, 10.0), "draw at least"),
])
def test_bad_input_is_one_clear_message(settings, message):
    with pytest.raises(gr.Error, match=message):
        tab.reset(STATE, *settings, 10, request=request("g"))


def test_a_preset_sets_its_family_and_settings_and_explains_itself():
    name, chosen = next(iter(PRESETS.items()))
    values = tab.choose_preset(name)
    assert values[:3] == (chosen.config.family, chosen.config.dataset, chosen.config.seed)
    assert chosen.explanation[:40] in values[-1]
    # The family's change (which the preset causes) keeps the preset's rates, not the family's defaults.
    controls = tab.family_controls(chosen.config.family, name)
    assert controls[0].value == chosen.config.learning_rate
    assert tab.family_controls("ddpm" if chosen.config.family != "ddpm" else "gan", name)[-1] == tab.NO_PRESET


def test_every_preset_explains_itself_in_chinese_too():
    from genai_demo.ui.i18n import translate

    for chosen in PRESETS.values():
        chinese = translate(chosen.explanation)
        assert chinese and len(chinese) > 100 and any("\u4e00" <= character <= "\u9fff" for character in chinese)
