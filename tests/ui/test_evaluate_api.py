"""The Evaluate tab through its API: image and text models side by side, figures cached."""

import json

import pytest
from gradio_client import Client

from genai_demo.folders.registry import user_models_dir


@pytest.fixture(scope="module")
def client(live_app):
    return Client(live_app[0], verbose=False)


@pytest.fixture(scope="module")
def two_tiny_gans(tiny_dataset, train_tiny):
    """Two tiny DCGANs on MNIST in the app's user models folder: 2 and 6 steps of training."""
    for name, steps in (("eval-gan-a", 2), ("eval-gan-b", 6)):
        train_tiny(tiny_dataset, user_models_dir() / name, steps=steps)
    return ["eval-gan-a", "eval-gan-b"]


def test_image_models_side_by_side_with_a_shared_floor_and_a_cache(client, two_tiny_gans):
    table, grids, curves, *other_losses, quality = client.predict(two_tiny_gans, 50, 0,
                                                                  api_name="/compare_image_models")
    rows = [dict(zip(table["headers"], row)) for row in table["data"]]
    assert [row["model"] for row in rows] == two_tiny_gans
    floors = {row["real_vs_real_floor"] for row in rows}
    assert len(floors) == 1 and floors.pop() > 0  # one real slice for both: the figures compare
    assert all(row["classifier_fid"] > row["real_vs_real_floor"] and row["parameters"] > 0 for row in rows)
    assert all(row["seconds_for_64"] > 0 and row["cached"] is False for row in rows)
    assert [caption for _, caption in [(item["image"], item["caption"]) for item in grids]] == two_tiny_gans
    # Each run's losses in a plot of its own, named after it, a colour per line.
    assert curves["label"] == "Training losses of eval-gan-a" and other_losses[0]["label"].endswith("eval-gan-b")
    assert {"d_loss", "g_loss"} == {row[2] for row in curves["value"]["data"]} == set(curves["color_map"])
    cached = json.loads((user_models_dir() / "eval-gan-a" / "eval_results.json").read_text())
    assert cached["classifier_fid"] == rows[0]["classifier_fid"] and cached["settings"]["num_samples"] == 50
    again, *_ = client.predict(two_tiny_gans, 50, 0, api_name="/compare_image_models")
    assert [row[-1] for row in again["data"]] == [True, True]  # the second comparison reads the cache


@pytest.mark.parametrize(
    "names, message",
    [
        (["dcgan-mnist"], "choose two or more models"),
        (["dcgan-mnist", "no-such-model"], "no model called 'no-such-model'"),
        (["dcgan-mnist", "char-lstm-python-code"], "no model called 'char-lstm-python-code'"),
    ],
)
def test_bad_image_comparisons_are_clear_messages(client, names, message):
    with pytest.raises(Exception, match=message):
        client.predict(names, 50, 0, api_name="/compare_image_models")


def test_shipped_folders_are_never_written(client):
    from conftest import REPO_ROOT

    cards = {name: (REPO_ROOT / "checkpoints" / name / "eval_results.json").read_bytes()
             for name in ("dcgan-mnist", "mlp-gan-mnist")}
    client.predict(["dcgan-mnist", "mlp-gan-mnist"], 50, 3, api_name="/compare_image_models")
    assert all((REPO_ROOT / "checkpoints" / name / "eval_results.json").read_bytes() == data
               for name, data in cards.items())


def test_text_models_side_by_side(client, user_text_model):
    table, completions = client.predict([user_text_model, "char-lstm-python-code"], "python-code", "def ", 3, 20,
                                        api_name="/compare_text_models")
    rows = [dict(zip(table["headers"], row)) for row in table["data"]]
    assert [row["model"] for row in rows] == [user_text_model, "char-lstm-python-code"]
    trained, untrained = rows[1], rows[0]
    assert trained["bits_per_char"] < trained["bigram_bits_per_char"] < untrained["bits_per_char"]
    assert all(row["tokens_per_second"] > 0 for row in rows)
    # Each model's text in a code block: its name, then the prompt and what the model wrote after it.
    blocks = completions.split("\n\n**")
    assert [block.lstrip("*").split("**")[0] for block in blocks] == [user_text_model, "char-lstm-python-code"]
    assert all("\n```text\ndef " in block and len(block.split("```text\ndef ")[1]) > 4 for block in blocks)
    again, completions_again = client.predict([user_text_model, "char-lstm-python-code"], "python-code", "def ", 3, 20,
                                              api_name="/compare_text_models")
    assert completions_again == completions  # same prompt and seed, same text
