import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from genai_demo.data import load_image_dataset, load_user_images
from genai_demo.data import user_images
from genai_demo.errors import DatasetError


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _odd_images():
    """One of each mode users really upload, at odd sizes."""
    rgba = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    rgba.paste((255, 255, 255, 255), (10, 5, 30, 25))
    palette = Image.new("P", (17, 23), 3)
    sixteen = Image.fromarray(np.arange(50 * 50, dtype=np.uint16).reshape(50, 50) * 20)  # mode I;16
    return {"cats/rgba.png": rgba, "cats/palette.png": palette, "dogs/sixteen.png": sixteen,
            "dogs/gray.png": Image.new("L", (100, 80), 128), "dogs/photo.jpg": Image.new("RGB", (64, 64), (200, 10, 10))}


def test_folder_of_any_mode_and_size_becomes_a_dataset(tmp_path):
    for name, image in _odd_images().items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        image.save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image: ignored")
    dataset = load_image_dataset(str(tmp_path), image_size=32, channels=3)
    assert dataset.images.shape == (5, 3, 32, 32) and dataset.images.dtype.is_floating_point is False
    assert dataset.class_names == ["cats", "dogs"]
    assert sorted(dataset.labels.tolist()) == [0, 0, 1, 1, 1]
    gray = load_user_images(tmp_path, image_size=28, channels=1)
    assert gray.images.shape == (5, 1, 28, 28)
    rgba_index = 1  # sorted names: cats/palette.png, cats/rgba.png, ...
    assert gray.images[rgba_index].max() == 255 and gray.images[rgba_index].min() == 0  # white square on black


def test_zip_is_read_in_memory_and_never_extracted(tmp_path):
    archive_path = tmp_path / "data.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("../../escape.png", _png(Image.new("L", (28, 28), 255)))
        archive.writestr("/abs/path.png", _png(Image.new("L", (28, 28), 0)))
        archive.writestr("ok/one.png", _png(Image.new("L", (28, 28), 9)))
    dataset = load_image_dataset(str(archive_path))
    assert len(dataset) == 3
    assert not (tmp_path.parent / "escape.png").exists() and not (tmp_path / "escape.png").exists()


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p.mkdir(), "holds no PNG or JPEG"),
        (lambda p: p.with_suffix(".zip").write_bytes(b"PK\x03\x04 truncated"), "not a readable zip"),
        (lambda p: (p.mkdir(), (p / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")), "bad.png is not a readable"),
    ],
)
def test_bad_user_input_gives_clear_errors(tmp_path, make, message):
    target = tmp_path / "input"
    make(target)
    path = target.with_suffix(".zip") if "zip" in message else target
    with pytest.raises(DatasetError, match=message):
        load_user_images(path)


def test_limits_on_zip_bombs_and_huge_images(tmp_path, monkeypatch):
    archive_path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.png", b"\0" * 5_000_000)  # compresses to almost nothing
    monkeypatch.setattr(user_images, "MAX_TOTAL_BYTES", 1_000_000)
    with pytest.raises(DatasetError, match="zip bomb"):
        load_user_images(archive_path)
    monkeypatch.setattr(user_images, "MAX_IMAGE_PIXELS", 100)
    (tmp_path / "big").mkdir()
    Image.new("L", (20, 20)).save(tmp_path / "big" / "large.png")
    with pytest.raises(DatasetError, match="too large"):
        load_user_images(tmp_path / "big")


def test_unknown_name_mentions_folders(tmp_path):
    with pytest.raises(DatasetError, match="or give a folder or .zip"):
        load_image_dataset("cifar-1000")
