"""A user's own images: a folder or a .zip of PNG/JPEG files of any size and mode.

Images are converted (RGBA over black, palette, 16-bit, grayscale, RGB) to the chosen number of
channels, centre-cropped to a square and resized. Sub-folders name classes. Zips are read in
memory, never extracted, so member names like `../x.png` cannot write anywhere; the number of
files, their total uncompressed size and every image's pixel count are capped.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import torch
from PIL import Image, ImageOps

from genai_demo.data.images import ImageDataset
from genai_demo.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_FILES = 100_000
MAX_TOTAL_BYTES = 2 * 1024**3  # uncompressed
MAX_IMAGE_PIXELS = 40_000_000  # a 20000x20000 "image" is refused before it is decoded


def open_user_image(data: bytes, name: str) -> Image.Image:
    """Decode an uploaded PNG/JPEG safely: its size is checked from the header before any pixel is
    decoded (a decompression bomb costs nothing), and 16-bit images come back as 8-bit grayscale."""
    if not data:
        raise DatasetError(f"{name} is empty: not a readable PNG/JPEG image")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise DatasetError(f"{name} is {image.width}x{image.height} pixels: too large (limit 40 megapixels)")
        image.load()
    except DatasetError:
        raise
    except Image.DecompressionBombError:  # PIL's own guard fires first above ~180 megapixels
        raise DatasetError(f"{name} is far larger than 40 megapixels: too large") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise DatasetError(f"{name} is not a readable PNG/JPEG image: {error}") from None
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        image = Image.fromarray((array / max(array.max(), 1) * 255).astype(np.uint8))
    return image


def _to_array(data: bytes, name: str, image_size: int, channels: int) -> np.ndarray:
    return _fit(open_user_image(data, name), name, image_size, channels)


def _fit(image: Image.Image, name: str, image_size: int, channels: int) -> np.ndarray:
    try:
        if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
            image = Image.alpha_composite(background, rgba)
        image = image.convert("L" if channels == 1 else "RGB")
        image = ImageOps.fit(image, (image_size, image_size), Image.LANCZOS)
    except (OSError, ValueError) as error:
        raise DatasetError(f"{name} is not a readable PNG/JPEG image: {error}") from error
    array = np.asarray(image, dtype=np.uint8)
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def _members(path: Path) -> list[tuple[str, bytes]]:
    """(relative name, bytes) of every PNG/JPEG in a folder or zip, sorted, with size limits."""
    found: list[tuple[str, bytes]] = []
    total = 0
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if len(files) > MAX_FILES:
            raise DatasetError(f"{path} holds {len(files):,} images: the limit is {MAX_FILES:,}")
        for file in files:
            total += file.stat().st_size
            if total > MAX_TOTAL_BYTES:
                raise DatasetError(f"{path} holds more than 2 GB of images")
            found.append((file.relative_to(path).as_posix(), file.read_bytes()))
        return found
    try:
        with zipfile.ZipFile(path) as archive:
            infos = sorted((info for info in archive.infolist()
                            if not info.is_dir() and PurePosixPath(info.filename).suffix.lower() in IMAGE_SUFFIXES),
                           key=lambda info: info.filename)
            if len(infos) > MAX_FILES:
                raise DatasetError(f"{path.name} holds {len(infos):,} images: the limit is {MAX_FILES:,}")
            if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
                raise DatasetError(f"{path.name} unpacks to more than 2 GB: refused (zip bomb?)")
            for info in infos:
                found.append((info.filename, archive.read(info)))
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise DatasetError(f"{path.name} is not a readable zip file: {error}") from error
    return found


def load_user_images(path: str | Path, image_size: int = 28, channels: int = 1) -> ImageDataset:
    """Every PNG/JPEG under `path` (a folder or a .zip) as an ImageDataset; sub-folders are classes."""
    path = Path(path)
    if channels not in (1, 3):
        raise DatasetError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels}")
    if not path.exists():
        raise DatasetError(f"{path} does not exist: give a folder or a .zip of PNG/JPEG images")
    if not path.is_dir() and path.suffix.lower() != ".zip":
        raise DatasetError(f"{path} is neither a folder nor a .zip file")
    members = _members(path)
    if not members:
        raise DatasetError(f"{path} holds no PNG or JPEG images")
    class_of = [PurePosixPath(name).parent.as_posix() for name, _ in members]
    class_names = sorted(set(class_of))
    images = np.stack([_to_array(data, name, image_size, channels) for name, data in members])
    labels = [class_names.index(folder) for folder in class_of]
    return ImageDataset(
        name=path.stem,
        split="train",
        images=torch.from_numpy(images),
        labels=torch.tensor(labels, dtype=torch.int64),
        class_names=[name if name != "." else path.stem for name in class_names],
        source=f"user images from {path.name} ({len(images):,} images, {image_size}x{image_size})",
    )


def read_user_image(path: str | Path, image_size: int, channels: int = 1) -> torch.Tensor:
    """One PNG/JPEG file as a (1, channels, image_size, image_size) tensor in [-1, 1], fitted to the
    size as the training images are."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} is not a file: give a PNG or JPEG image")
    array = _to_array(path.read_bytes(), path.name, image_size, channels)
    return torch.from_numpy(array.copy()).float().div(127.5).sub(1).unsqueeze(0)


def fit_user_image(image: Image.Image, image_size: int, channels: int = 1, name: str = "the image") -> torch.Tensor:
    """An image already decoded (a drawing or an upload on the page) as `read_user_image` reads a file."""
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise DatasetError(f"{name} is {image.width}x{image.height} pixels: too large (limit 40 megapixels)")
    return torch.from_numpy(_fit(image, name, image_size, channels).copy()).float().div(127.5).sub(1).unsqueeze(0)


def painted_mask(layers: list[Image.Image], image_size: int, coverage: float = 0.25) -> torch.Tensor:
    """The `known` mask (1, 1, size, size) of strokes painted over an image (RGBA layers of the
    image's shape on the page, any scale): a pixel is to be filled in where paint covers at least
    `coverage` of its area; 1 where the image is kept."""
    covered = np.zeros((image_size, image_size), dtype=np.float32)
    for layer in layers:
        alpha = layer.convert("RGBA").getchannel("A")
        alpha = ImageOps.fit(alpha, (image_size, image_size), Image.BOX)
        covered = np.maximum(covered, np.asarray(alpha, dtype=np.float32) / 255)
    return torch.from_numpy((covered < coverage).astype(np.float32))[None, None]


def read_user_mask(path: str | Path, image_size: int) -> torch.Tensor:
    """A mask file (white: to be filled in) as the `known` mask (1, 1, size, size) of genai_demo.repair:
    1 where the image is kept. A mask of another size than the image is refused, not stretched."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} is not a file: give the mask as a PNG image")
    image = open_user_image(path.read_bytes(), path.name)
    if image.size != (image_size, image_size):
        raise DatasetError(f"the mask {path.name} is {image.width}x{image.height}px but the image is "
                           f"{image_size}x{image_size}px: give a mask of the image's size")
    array = np.asarray(image.convert("L"), dtype=np.uint8)
    return torch.from_numpy((array < 128).astype(np.float32))[None, None]
