"""Broken and hostile model folders through the API, and files the web server must never serve."""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client

from tests.robustness.tally import BAD_INPUTS_TRIED
from conftest import REPO_ROOT
from genai_demo.folders.registry import user_models_dir

SHIPPED_DCGAN = REPO_ROOT / "checkpoints" / "dcgan-mnist"


class _Exploit:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def client(live_app):
    return Client(live_app[0], verbose=False)


def _broken_folder(name: str, breakage: str, marker: Path) -> str:
    folder = user_models_dir() / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SHIPPED_DCGAN, folder)
    weights = folder / "model.safetensors"
    if breakage == "corrupt":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif breakage == "not-safetensors":
        weights.write_bytes(b"PK\x03\x04 this is a zip, not safetensors")
    elif breakage == "config-mismatch":
        config = json.loads((folder / "config.json").read_text())
        config["generator_features"] = 32
        (folder / "config.json").write_text(json.dumps(config))
    elif breakage == "config-unknown-key":
        config = json.loads((folder / "config.json").read_text())
        config["layers_of_evil"] = 1000
        (folder / "config.json").write_text(json.dumps(config))
    elif breakage == "missing-weights":
        weights.unlink()
    elif breakage == "pickle-only":
        weights.unlink()
        (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Exploit(str(marker))))
    return name


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("corrupt", "is corrupt or not a safetensors file"),
        ("not-safetensors", "is corrupt or not a safetensors file"),
        ("config-mismatch", "does not fit its config.json"),
        ("config-unknown-key", "no model called|does not match model_type"),
        ("missing-weights", "model.safetensors is missing"),
        ("pickle-only", "pickle files are never loaded"),
    ],
)
def test_broken_model_folders_are_clear_messages_and_never_unpickled(client, tmp_path, breakage, message):
    from tests.robustness.test_hostile_input import still_serving

    BAD_INPUTS_TRIED.append(f"model folder: {breakage}")
    marker = tmp_path / "exploited"
    name = _broken_folder(f"broken-{breakage}", breakage, marker)
    try:
        with pytest.raises(Exception, match=message):
            client.predict(name, 4, 0, "all", api_name="/generate_images")
        assert not marker.exists()
        still_serving(client)
    finally:
        shutil.rmtree(user_models_dir() / name, ignore_errors=True)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _server_outputs_folder() -> Path:
    """The app's output folder (allowed_paths): the newest genai-demo-outputs-* temp folder."""
    folders = sorted(Path(tempfile.gettempdir()).glob("genai-demo-outputs-*"), key=lambda path: path.stat().st_mtime)
    return folders[-1]


def test_only_files_the_app_produced_are_served(client, live_app):
    url = live_app[0]
    image_path, _ = client.predict("dcgan-mnist", 4, 0, "all", api_name="/generate_images")
    outputs = _server_outputs_folder()
    produced = sorted(outputs.glob("*.png"), key=lambda path: path.stat().st_mtime)[-1]
    status, body = _get(f"{url}gradio_api/file={produced}")
    assert status == 200 and body.startswith(b"\x89PNG")  # the control: an allowed file is served

    link = outputs / "innocent.png"
    link.symlink_to("/etc/passwd")
    secret_dir_link = outputs / "escape"
    secret_dir_link.symlink_to("/etc", target_is_directory=True)
    attempts = [
        "/etc/passwd",
        "../../../../../../etc/passwd",
        f"{outputs}/../../../etc/passwd",
        urllib.parse.quote(f"{outputs}/../../../etc/passwd", safe=""),
        f"{outputs}/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"{outputs}/..%2f..%2f..%2fetc%2fpasswd",
        str(link),
        f"{secret_dir_link}/passwd",
        str(REPO_ROOT / "app.py"),
        str(REPO_ROOT / "checkpoints" / "dcgan-mnist" / "config.json"),
        str(Path.home() / ".bashrc"),
    ]
    try:
        for attempt in attempts:
            for route in ("gradio_api/file=", "file="):
                BAD_INPUTS_TRIED.append(f"GET /{route}{attempt}")
                status, body = _get(f"{url}{route}{attempt}")
                assert status in (400, 403, 404), (route, attempt, status)
                assert b"root:" not in body and b"import" not in body
    finally:
        link.unlink()
        secret_dir_link.unlink()
