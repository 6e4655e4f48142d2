import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from huggingface_hub import constants

from genai_demo.data import dataset_availability, fashion_mnist, load_image_dataset
from genai_demo.errors import DatasetError


def _write_idx(folder: Path, split: str, images: np.ndarray, labels: np.ndarray, truncate: bool = False):
    image_name, label_name = fashion_mnist.IDX_FILES[split]
    header = (2051).to_bytes(4, "big") + b"".join(size.to_bytes(4, "big") for size in images.shape)
    body = images.tobytes()[: -10 if truncate else None]
    with gzip.open(folder / image_name, "wb") as handle:
        handle.write(header + body)
    with gzip.open(folder / label_name, "wb") as handle:
        handle.write((2049).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.tobytes())


@pytest.fixture
def debian_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    return tmp_path


def test_idx_files_are_read_exactly(debian_dir):
    images = np.random.default_rng(0).integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = np.arange(7, dtype=np.uint8)
    _write_idx(debian_dir, "test", images, labels)
    dataset = load_image_dataset("fashion-mnist", "test", source="debian")
    assert dataset.images.shape == (7, 1, 28, 28)
    assert np.array_equal(dataset.images[:, 0].numpy(), images)
    assert dataset.labels.tolist() == list(range(7))
    assert dataset.class_names[9] == "Ankle boot"
    assert "Debian" in dataset.source


def test_truncated_idx_is_a_clear_error(debian_dir):
    _write_idx(debian_dir, "train", np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8), truncate=True)
    with pytest.raises(DatasetError, match="truncated"):
        load_image_dataset("fashion-mnist", "train", source="debian")


def test_missing_everywhere_says_what_to_install(debian_dir):
    with pytest.raises(DatasetError, match="apt-get install dataset-fashion-mnist"):
        load_image_dataset("fashion-mnist", "train", source="debian")
    with pytest.raises(DatasetError, match="zalando-datasets/fashion_mnist.*dataset-fashion-mnist"):
        load_image_dataset("fashion-mnist", "train", source="auto")
    with pytest.raises(DatasetError, match="no embedded copy"):
        load_image_dataset("fashion-mnist", "train", source="embedded")
    availability = {name: (available, detail) for name, available, detail in dataset_availability()}
    assert availability["mnist"][0] is True
    assert availability["fashion-mnist"][0] is False
    assert "dataset-fashion-mnist" in availability["fashion-mnist"][1]


def test_debian_package_when_installed():
    """CI installs dataset-fashion-mnist (.ci/run); elsewhere this checks it only where present."""
    if not (fashion_mnist.DEBIAN_DIR / "train-images-idx3-ubyte.gz").is_file():
        if os.environ.get("CI"):
            pytest.fail("dataset-fashion-mnist is missing: .ci/run installs it")
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    train = load_image_dataset("fashion-mnist", "train", source="debian")
    test = load_image_dataset("fashion-mnist", "test", source="debian")
    assert (len(train), len(test)) == (60000, 10000)
    assert train.labels.bincount().tolist() == [6000] * 10
