"""The Repair tab's endpoint through gradio_client (issue 27): each task on the shipped ddpm-mnist,
streamed, reproducible, the same repairs as `python -m genai_demo repair`; each bad input refused
with one clear line."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image, ImageDraw

from genai_demo import cli

MODEL = "ddpm-mnist"
STEPS = 5


@pytest.fixture(scope="module")
def client(live_app):
    return Client(live_app[0], verbose=False)


@pytest.fixture(scope="module")
def digit(tmp_path_factory, mnist_test_digit):
    path = tmp_path_factory.mktemp("repair") / "digit.png"
    mnist_test_digit.save(path)
    return path


@pytest.fixture(scope="module")
def mnist_test_digit():
    from genai_demo.data import load_image_dataset

    image = load_image_dataset("mnist", split="test", source="embedded").to_training_tensor("cpu")[7]
    return Image.fromarray(((image[0] + 1) * 127.5).round().byte().numpy())


def editor(path, layers=()) -> dict:
    return {"background": handle_file(str(path)), "layers": [handle_file(str(layer)) for layer in layers],
            "composite": None}


def repair(client, image, damage, *, mask=None, method="the model's default", copies=2, seed=0, sigma=0.5,
           strength=0.5, layers=()):
    job = client.submit(MODEL, editor(image, layers), handle_file(str(mask)) if mask else None, damage, method, STEPS,
                        copies, seed, sigma, strength, api_name="/repair_image")
    result = job.result(timeout=120)
    return result, job.outputs()


def pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"), dtype=np.int16)


@pytest.mark.parametrize("damage, task", [("lower-half", "inpaint"), ("centre-box", "inpaint"),
                                          ("random-pixels", "inpaint"), ("noise", "denoise"),
                                          ("down-2", "upscale"), ("down-4", "upscale"), ("sketch", "sketch")])
def test_each_task_streams_and_shows_damaged_repaired_and_original(client, digit, damage, task):
    (damaged, repaired, original, status), updates = repair(client, digit, damage)
    assert status.startswith(f"Done: 2 repair(s) of the {task} task") and "seeds 0–1" in status, status
    assert len(updates) > 2  # streamed: the grid while each repair denoises, then the result
    assert pixels(damaged).shape == (28, 28) and pixels(repaired).shape == (32, 62)  # two 28 px repairs, 2 px apart and around
    assert (original is None) == (damage == "sketch")  # a sketch has no clean original to compare with
    if task == "inpaint":
        assert ((pixels(damaged) == 128) | (pixels(damaged) == 127)).mean() > 0.2  # hidden pixels grey
    first, last = pixels(updates[0][1]), pixels(repaired)
    assert not np.array_equal(first, last)  # the repairs changed while they formed


@pytest.mark.parametrize("damage, method", [("lower-half", "repaint"), ("lower-half", "fill"), ("down-4", "ilvr"),
                                            ("down-4", "bicubic"), ("noise", "blur"), ("sketch", "as-drawn")])
def test_each_method_can_be_chosen_by_name(client, digit, damage, method):
    (_, repaired, _, status), _ = repair(client, digit, damage, method=method, copies=1)
    assert f"with {method}," in status and pixels(repaired).shape == (32, 32)


def lower_half_from_the_cli(run_cli_here, digit, tmp_path, *options) -> np.ndarray:
    """`python -m genai_demo repair` of the digit with its lower half masked: (N, 28, 28) grey levels."""
    mask = tmp_path / "mask.png"
    Image.fromarray(np.kron(np.array([[0], [255]], dtype=np.uint8), np.ones((14, 28), dtype=np.uint8))).save(mask)
    out = tmp_path / "cli.npy"
    result = run_cli_here("repair", f"checkpoints/{MODEL}", "--task", "inpaint", "--image", digit, "--mask", mask,
                          "--steps", STEPS, *options, "--out", out)
    assert result.returncode == 0, result.stderr
    return ((torch.from_numpy(np.load(out)).clamp(-1, 1) + 1) * 127.5).round().numpy()[:, 0]


def test_same_seed_same_repairs_as_the_cli(client, digit, tmp_path, run_cli_here):
    (_, repaired, _, _), _ = repair(client, digit, "lower-half", seed=3)
    (_, again, _, _), _ = repair(client, digit, "lower-half", seed=3)
    assert np.array_equal(pixels(repaired), pixels(again))
    from_cli = lower_half_from_the_cli(run_cli_here, digit, tmp_path, "--seed", 3, "--num", 2)
    from_page = pixels(repaired)
    assert np.abs(from_page[2:30, 2:30] - from_cli[0]).max() <= 1 and np.abs(from_page[2:30, 32:60] - from_cli[1]).max() <= 1


def test_a_painted_layer_and_an_uploaded_mask_are_what_gets_filled(client, digit, tmp_path):
    layer = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle([0, 200, 279, 279], fill=(255, 59, 48, 255))  # the lowest 8 rows
    layer.save(tmp_path / "layer.png")
    big = tmp_path / "digit280.png"
    Image.open(digit).resize((280, 280), Image.NEAREST).save(big)
    (damaged, _, original, _), _ = repair(client, big, "paint", layers=[tmp_path / "layer.png"])
    grey = (pixels(damaged) >= 127) & (pixels(damaged) <= 128)
    assert grey[20:].all() and not grey[:20].all()
    assert original is not None
    mask = tmp_path / "mask.png"
    Image.fromarray(np.pad(np.full((4, 28), 255, dtype=np.uint8), ((0, 24), (0, 0)))).save(mask)  # top 4 rows
    (damaged, _, original, status), _ = repair(client, digit, "mask-file", mask=mask)
    grey = (pixels(damaged) >= 127) & (pixels(damaged) <= 128)
    assert grey[:4].all() and original is None and "inpaint" in status


@pytest.fixture(scope="module")
def masks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("masks")
    Image.new("L", (32, 32), 255).save(folder / "wrong-size.png")
    Image.new("L", (28, 28), 0).save(folder / "empty.png")
    Image.new("L", (28, 28), 255).save(folder / "everything.png")
    Image.new("L", (8000, 6000), 0).save(folder / "huge.png")  # 48 megapixels, tiny on disk
    (folder / "not-an-image.png").write_bytes(b"this is text")
    return folder


@pytest.mark.parametrize("damage, mask, keywords, message", [
    ("mask-file", "wrong-size.png", {}, "the mask wrong-size.png is 32x32px but the image is 28x28px"),
    ("mask-file", "empty.png", {}, "the mask hides nothing"),
    ("mask-file", "everything.png", {}, "the mask hides the whole image"),
    ("mask-file", None, {}, "upload the mask first"),
    ("mask-file", "not-an-image.png", {}, "not a readable PNG/JPEG image"),
    ("paint", None, {}, "paint over the part of the image to fill in first"),
    ("lower-half", None, {"method": "ilvr"}, "method 'ilvr' cannot do the inpaint task with this model"),
    ("noise", None, {"sigma": 5}, "Value 5 is greater than maximum value 2.0"),  # the slider's own check
    ("lower-half", None, {"copies": 40}, "Value 40 is greater than maximum value 8"),
    ("scratched", None, {}, "unknown damage 'scratched'"),
])
def test_bad_input_gets_one_clear_line(client, digit, masks, damage, mask, keywords, message):
    with pytest.raises(Exception, match=message):
        repair(client, digit, damage, mask=masks / mask if mask else None, **keywords)


def test_a_huge_upload_and_a_model_that_cannot_repair_are_refused(client, masks, digit):
    with pytest.raises(Exception, match="too large"):
        repair(client, masks / "huge.png", "lower-half")
    with pytest.raises(Exception, match="no model called 'tiny-gpt-python-code'"):
        client.predict("tiny-gpt-python-code", editor(digit), None, "lower-half", "the model's default", STEPS, 1, 0,
                       0.5, 0.5, api_name="/repair_image")


def test_repaints_resampling_settings_reach_the_method(client, digit):
    def scheduled_steps(jump_samples):
        job = client.submit(MODEL, editor(digit), None, "lower-half", "repaint", STEPS, 1, 0, 0.5, 0.5, 2,
                            jump_samples, api_name="/repair_image")
        job.result(timeout=120)
        first = job.outputs()[0][3]  # "Repairing 1/1 with repaint: step k/TOTAL, ..."
        return int(first.split("step ")[1].split(",")[0].split("/")[1])

    assert scheduled_steps(1) == STEPS  # no resampling: one pass
    assert scheduled_steps(3) > 2 * STEPS  # each stretch of two steps gone back over twice more
    with pytest.raises(Exception, match="Value 0 is less than minimum value 1"):
        client.predict(MODEL, editor(digit), None, "lower-half", "repaint", STEPS, 1, 0, 0.5, 0.5, 2, 0,
                       api_name="/repair_image")


def test_candidates_keep_a_consensus_the_same_as_the_clis(client, digit, tmp_path, run_cli_here):
    def repaired(candidates):
        job = client.submit(MODEL, editor(digit), None, "lower-half", "ddnm", STEPS, 1, 3, 0.5, 0.5, 5, 5, candidates,
                            api_name="/repair_image")
        return pixels(job.result(timeout=120)[1])

    single, chosen = repaired(1), repaired(6)
    assert np.abs(single - chosen).max() > 30  # another repair: the medoid of six, not the first of them
    from_cli = lower_half_from_the_cli(run_cli_here, digit, tmp_path, "--seed", 3, "--candidates", 6)
    assert np.abs(chosen[2:30, 2:30] - from_cli[0]).max() <= 1
    with pytest.raises(Exception, match="Value 40 is greater than maximum value 32"):
        client.predict(MODEL, editor(digit), None, "lower-half", "ddnm", STEPS, 1, 0, 0.5, 0.5, 5, 5, 40,
                       api_name="/repair_image")
