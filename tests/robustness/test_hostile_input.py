"""Hostile input through the API a browser (or a script) uses: every case gets a clear message,
and the server answers the next ordinary request as if nothing happened."""

from __future__ import annotations

import io
import json
import math
import urllib.request
from pathlib import Path
import struct
import zlib

import numpy as np
import pytest
from tests.robustness.tally import BAD_INPUTS_TRIED
from gradio_client import Client, handle_file
from PIL import Image

SHIPPED = "dcgan-mnist"
VAE = "vae-mnist"
TEXT_MODEL = "char-lstm-python-code"


@pytest.fixture(scope="module")
def client(live_app):
    url, _ = live_app
    return Client(url, verbose=False)


def still_serving(client) -> None:
    image_path, caption = client.predict(SHIPPED, 4, 0, "all", api_name="/generate_images")
    with Image.open(image_path) as image:
        assert image.size == (62, 62) and "4 samples" in caption


def _digit_png(mode: str) -> bytes:
    """A white '1' on black in the given PIL mode (RGBA, P, I;16, L)."""
    canvas = np.zeros((64, 64), dtype=np.uint8)
    canvas[12:52, 28:36] = 255
    image = Image.fromarray(canvas)
    if mode == "I;16":
        image = Image.fromarray(canvas.astype(np.uint16) * 257)
    elif mode == "RGBA":
        rgba = np.zeros((64, 64, 4), dtype=np.uint8)
        rgba[..., 3] = canvas  # ink opaque, background transparent
        image = Image.fromarray(rgba, "RGBA")
    elif mode != "L":
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _huge_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height pixels, with almost no data: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 16)  # a few rows: the decoder would ask for the rest
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize("mode", ["RGBA", "P", "I;16", "L"])
def test_uploads_of_any_mode_are_reconstructed(client, tmp_path, mode):
    path = tmp_path / f"digit-{mode.replace(';', '')}.png"
    path.write_bytes(_digit_png(mode))
    input_path, reconstruction_path = client.predict(VAE, None, handle_file(str(path)), api_name="/reconstruct_digit")
    with Image.open(reconstruction_path) as reconstruction:
        assert reconstruction.size == (28, 28)
    with Image.open(input_path) as digit:
        pixels = np.asarray(digit.convert("L"))
        assert pixels.max() > 200 and pixels[0, 0] < 50  # bright stroke on a dark background


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.png", b"", "not a readable PNG/JPEG image|empty"),
        ("truncated.png", _digit_png("L")[:60], "not a readable PNG/JPEG image"),
        ("text.png", b"this is not an image at all", "not a readable PNG/JPEG image"),
        ("bomb.png", _huge_png(20_000, 20_000), "larger than 40 megapixels: too large"),
    ],
    ids=["empty", "truncated", "not-an-image", "decompression-bomb"],
)
def test_bad_uploads_are_clear_messages(client, tmp_path, name, content, message):
    BAD_INPUTS_TRIED.append(name)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(Exception, match=message):
        client.predict(VAE, None, handle_file(str(path)), api_name="/reconstruct_digit")
    still_serving(client)


def test_an_upload_above_the_size_limit_is_refused_before_it_is_read(live_app):
    import urllib.error
    import urllib.request

    url, _ = live_app
    BAD_INPUTS_TRIED.append("51 MB upload")
    boundary = "----genai-demo-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + b"\0" * (51 * 1024**2) + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url + "gradio_api/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 413
    assert "maximum allowed size of 52428800 bytes" in refused.value.read().decode(errors="replace")
    still_serving(Client(url, verbose=False))


@pytest.mark.parametrize("filename", ["../../escape.png", "/etc/escape.png", "a\x00b.png", "..\\..\\escape.png"])
def test_upload_names_cannot_place_files_outside_the_upload_folder(live_app, tmp_path, filename):
    import json
    import os
    import urllib.request

    url, _ = live_app
    BAD_INPUTS_TRIED.append(f"upload named {filename!r}")
    boundary = "----genai-demo-test"
    safe_header_name = filename.replace("\x00", "%00")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{safe_header_name}\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + _digit_png("L") + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url + "gradio_api/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            (stored,) = json.loads(response.read())
    except urllib.error.HTTPError as error:
        assert error.code in (400, 422)  # refused outright is fine too
        return
    import tempfile

    stored_path = Path(os.path.realpath(stored))
    upload_root = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()
    assert stored_path.is_relative_to(upload_root) and stored_path.is_file()
    assert "\x00" not in stored and "escape.png" not in os.listdir("/etc")


NUMERIC_CASES = [
    # (endpoint, arguments with one bad value, what the message names)
    *[("/generate_images", (SHIPPED, bad, 0, "all"), "number of samples|minimum|maximum") for bad in
      (0, -1, math.nan, math.inf, 1e12, 3.5)],
    *[("/generate_images", (SHIPPED, 4, bad, "all"), "seed|minimum|maximum") for bad in (-1, 2**40, math.nan)],
    *[("/interpolate_latents", (SHIPPED, 0, 1, bad), "interpolation steps|minimum|maximum") for bad in
      (0, -3, math.nan, math.inf, 1e9)],
    *[("/sample_diffusion", ("ddpm-mnist", "ddim", bad, 4, 0, "all", "sample", "", 1.0), "denoising steps|minimum|maximum")
      for bad in (0, -1, math.nan, 1e9)],
    *[("/sample_diffusion", ("ddpm-mnist", "ddim", 2, bad, 0, "all", "sample", "", 1.0), "batch size|number of samples|minimum|maximum")
      for bad in (0, -1, math.inf, 1e9)],
    *[("/generate_text", (TEXT_MODEL, "def ", bad, 0.8, 0, 1.0, 1.0, 0), "max new tokens|minimum|maximum")
      for bad in (0, -5, math.nan, 1e9)],
    *[("/generate_text", (TEXT_MODEL, "def ", 8, bad, 0, 1.0, 1.0, 0), "temperature|minimum|maximum")
      for bad in (-1, math.nan, math.inf, 1e6)],
    *[("/generate_text", (TEXT_MODEL, "def ", 8, 0.8, bad, 1.0, 1.0, 0), "top-k|minimum|maximum")
      for bad in (-1, math.nan, 1e12)],
    *[("/generate_text", (TEXT_MODEL, "def ", 8, 0.8, 0, bad, 1.0, 0), "top-p|minimum|maximum")
      for bad in (0, -0.5, 1.5, math.nan)],
    *[("/generate_text", (TEXT_MODEL, "def ", 8, 0.8, 0, 1.0, bad, 0), "repetition penalty|minimum|maximum")
      for bad in (0, -1, math.inf)],
    *[("/generate_text", (TEXT_MODEL, "def ", 8, 0.8, 0, 1.0, 1.0, bad), "seed|minimum|maximum")
      for bad in (-1, 2**40, math.nan)],
]


def call_raw(url: str, endpoint: str, args: tuple) -> str:
    """POST to the HTTP API as any script may, NaN and Infinity included (Python's json writes
    them; gradio_client refuses to); returns the final SSE event and its data."""
    body = json.dumps({"data": list(args)}).encode()  # allow_nan: NaN / Infinity literals
    request = urllib.request.Request(f"{url}gradio_api/call{endpoint}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call{endpoint}/{event_id}", timeout=120) as response:
        stream = response.read().decode()
    events = [block for block in stream.split("\n\n") if block.strip()]
    return events[-1]


@pytest.mark.parametrize("endpoint, args, message", NUMERIC_CASES)
def test_bad_numbers_are_clear_messages(client, live_app, endpoint, args, message):
    import re

    BAD_INPUTS_TRIED.append(f"{endpoint} {args}")
    if any(isinstance(value, float) and not math.isfinite(value) for value in args):
        final = call_raw(live_app[0], endpoint, args)
        assert final.startswith("event: error"), final
        assert re.search(message, final), final
    else:
        with pytest.raises(Exception, match=message):
            result = client.predict(*args, api_name=endpoint)
            pytest.fail(f"accepted: {result}")
    still_serving(client)


@pytest.mark.parametrize(
    "endpoint, args, message",
    [
        ("/generate_images", ("../../../etc/passwd", 4, 0, "all"), "no model called"),
        ("/generate_images", ("/etc", 4, 0, "all"), "no model called"),
        ("/generate_images", ("dcgan-mnist\x00", 4, 0, "all"), "no model called"),
        ("/sample_diffusion", ("hub:../../etc", "ddim", 2, 4, 0, "all", "sample", "", 1.0), "not a Hub model id|Hub model id"),
        ("/load_hub_pipeline", ("../../etc/passwd",), "not a Hub model id"),
        ("/load_hub_text_model", ("someone/../../x",), "not a Hub model id"),
        ("/load_hub_text_model", ("nobody/unknown-model",), "not in the local Hub cache"),
        ("/pull_model", ("a/b/c", ""), "not a Hub model id"),
        ("/hub_model_details", ("../checkpoints",), "no model called"),
    ],
)
def test_bad_model_names_and_hub_ids_are_clear_messages(client, endpoint, args, message):
    BAD_INPUTS_TRIED.append(f"{endpoint} {args[0]!r}")
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=endpoint)
    still_serving(client)


def test_a_huge_prompt_is_cut_with_a_notice_and_still_generates(client):
    from genai_demo.text_generation import MAX_PROMPT_CHARS, fit_prompt

    BAD_INPUTS_TRIED.append("100k-character prompt")
    job = client.submit(TEXT_MODEL, "x = 1\n" * 20_000, 16, 0.8, 0, 1.0, 1.0, 0, api_name="/generate_text")
    text = job.result(timeout=120)
    assert 0 < len(text) <= 16 * 4  # generated, from the prompt's last MAX_PROMPT_CHARS characters
    prompt, notice = fit_prompt("x" * 100_000)
    assert len(prompt) == MAX_PROMPT_CHARS
    assert notice == f"the prompt has 100,000 characters: only its last {MAX_PROMPT_CHARS:,} were used"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\xff\xfe\xfa" * 1000, "UTF-8"),
        (b"a" * 50_000, "has only 1 distinct character: a text model can learn nothing from it"),
    ],
    ids=["empty", "not-utf8", "one-character"],
)
def test_bad_text_corpora_are_clear_errors_in_the_cli(tmp_path, run_cli_here, content, message):
    BAD_INPUTS_TRIED.append(f"corpus {content[:8]!r}")
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(content)
    result = run_cli_here("train", "char-lstm", "--corpus", corpus, "--max-steps", "2", "--out", tmp_path / "run",
                          "--device", "cpu")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert any(part in result.stderr for part in message.split("|")), result.stderr


def test_a_100_mb_corpus_is_refused_before_it_is_read(tmp_path):
    from genai_demo.data.text import load_text_file
    from genai_demo.errors import DatasetError

    BAD_INPUTS_TRIED.append("100 MB corpus")
    corpus = tmp_path / "huge.txt"
    with open(corpus, "wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024**2)
    with pytest.raises(DatasetError, match="huge.txt is 100.0 MB: the limit is 50 MB"):
        load_text_file(corpus)


TRAIN_FORM = dict(steps=300, batch_size=32, learning_rate=2e-4, latent_size=64, seed=3, sample_every=25,
                  save_every=100, image_size=28, channels=1)


BAD_NUMBERS = {"zero": 0, "negative": -1, "nan": math.nan, "inf": math.inf, "huge": 1e12}
# 0 is a valid seed, and means "the family's default" for the latent size and "off" for clusters and EMA.
ZERO_IS_VALID = ("seed", "latent_size", "clusters", "ema_decay")
TRAIN_FORM_CASES = [pytest.param(field, bad, id=f"{label}-{field}") for label, bad in BAD_NUMBERS.items()
                    for field in ("steps", "batch_size", "learning_rate", "latent_size", "seed", "sample_every",
                                  "save_every", "clusters", "ema_decay")
                    if not (bad == 0 and field in ZERO_IS_VALID)]


@pytest.mark.parametrize("field, bad", TRAIN_FORM_CASES)
def test_bad_train_form_numbers_are_refused_with_the_cli_message(tmp_path, field, bad):
    """The Train tab's form goes through the CLI's own parser: one set of ranges for both."""
    from genai_demo.errors import InvalidInputError
    from genai_demo.train_args import parse_train_args
    from genai_demo.ui.train import TrainForm, train_arguments

    BAD_INPUTS_TRIED.append(f"train form {field}={bad}")
    label = {"batch_size": "batch size", "learning_rate": "learning rate", "latent_size": "latent size",
             "sample_every": "sample every", "save_every": "save every", "clusters": "self-conditioning clusters",
             "ema_decay": "EMA decay"}.get(field, field)
    with pytest.raises(InvalidInputError, match=label):
        arguments = train_arguments(TrainForm("dcgan", "mnist", **{**TRAIN_FORM, field: bad}), tmp_path)
        parse_train_args([*arguments, "--out", str(tmp_path / "run")])


def _zip_claiming_four_gigabytes() -> bytes:
    """A tiny zip whose directory declares ~4 GB uncompressed: refused from the directory alone."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.png", _digit_png("L"))
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = data.index(signature)
        data[start + offset:start + offset + 4] = struct.pack("<I", 0xFFFFFFF0)
    return bytes(data)


def _zip_of(entries: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "images.zip is not a readable zip file"),
        (b"PK\x03\x04 truncated", "images.zip is not a readable zip file"),
        (_zip_of({"notes.txt": b"hello"}), "holds no PNG or JPEG images"),
        (_zip_of({"a.png": b"garbage"}), "a.png is not a readable PNG/JPEG image"),
        (_zip_claiming_four_gigabytes(), "zip bomb"),
        (_zip_of({"../../escape.png": _digit_png("L"), "/abs/b.png": _digit_png("L")}), None),
    ],
    ids=["empty", "truncated", "no-images", "bad-image", "zip-bomb", "path-tricks"],
)
def test_bad_training_zips_are_clear_errors_in_the_cli(tmp_path, run_cli_here, content, message):
    BAD_INPUTS_TRIED.append(f"training zip: {message or 'path tricks'}")
    archive = tmp_path / "upload" / "images.zip"
    archive.parent.mkdir()
    archive.write_bytes(content)
    result = run_cli_here("train", "vae", "--dataset", archive, "--max-steps", "1", "--batch-size", "2",
                          "--out", tmp_path / "run", "--device", "cpu")
    assert "Traceback" not in result.stderr
    if message is None:  # read in memory and never extracted: the names cannot place files anywhere
        assert result.returncode == 0, result.stderr
        assert not (tmp_path / "escape.png").exists() and not Path("/abs/b.png").exists()
    else:
        assert result.returncode == 2, result.stderr
        assert any(part in result.stderr for part in message.split("|")), result.stderr
