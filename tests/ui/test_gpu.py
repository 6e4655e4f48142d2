"""ZeroGPU: handlers wrapped with `spaces.GPU`, each asking for a duration sized from its request,
and `spaces` imported before torch by app.py. The real `spaces` package (a test extra) is used
where it can run here; its ZeroGPU mode needs a CUDA build of torch, so there a fake records what
the app asks of it."""

import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch

from conftest import REPO_ROOT
from genai_demo.ui import gpu
from genai_demo.ui.gpu import on_gpu, sized


def test_without_spaces_the_decorator_changes_nothing(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)

    def handler(x):
        return x + 1

    assert on_gpu(60)(handler) is handler


def test_the_real_spaces_package_off_zerogpu_leaves_handlers_as_they_are(monkeypatch):
    spaces = pytest.importorskip("spaces")
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)

    def handler(x):
        return x + 1

    assert on_gpu(sized(gpu.images_seconds))(handler) is handler
    assert spaces.GPU(duration=sized(gpu.images_seconds))(handler) is handler


@pytest.fixture
def recorded(monkeypatch):
    """A fake `spaces` whose GPU decorator records (handler name, duration)."""
    calls = {}
    fake = types.ModuleType("spaces")
    fake.__spec__ = types.SimpleNamespace(name="spaces")

    def gpu_decorator(duration):
        def wrap(function):
            calls[function.__name__] = duration
            return function
        return wrap

    fake.GPU = gpu_decorator
    monkeypatch.setitem(sys.modules, "spaces", fake)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object() if name == "spaces" else None)
    return calls


def test_every_handler_that_runs_a_model_asks_for_a_gpu_sized_from_its_request(recorded, tmp_path):
    from genai_demo.jobs import JobManager
    from genai_demo.ui.app import build_app
    from genai_demo.ui.state import AppState

    build_app(AppState(torch.device("cpu"), jobs=JobManager(tmp_path / "runs")))
    assert {"generate_images", "interpolate_latents", "mix_styles", "reconstruct_drawing", "sample_diffusion", "generate_text",
            "repair_image", "compare_images", "compare_text"} <= set(recorded)
    d = recorded
    # Small requests ask for the floor, big ones for more, never above the cap.
    assert d["generate_images"]("dcgan-mnist", 16, 0) == gpu.FLOOR_SECONDS + 1
    assert d["sample_diffusion"]("cddpm-mnist", "dpm-solver++", 10, 16, 0) == gpu.FLOOR_SECONDS + 1
    assert d["sample_diffusion"]("ddpm-mnist", "ddpm", 1000, 64, 0) == 30
    assert d["sample_diffusion"]("ddpm-mnist", "ddpm", 1000, 64 * 100, 0) == gpu.CAP_SECONDS
    assert d["generate_text"]("tiny-gpt", "def ", 2048) == 72
    assert d["repair_image"]("ddpm-mnist", None, None, "lower-half", "ddnm", 50, 4) == 12
    assert d["repair_image"]("ddpm-mnist", None, None, "lower-half", "repaint", 250, 8, 0, 0.5, 0.5, 10, 20) == gpu.CAP_SECONDS
    assert d["compare_images"](["a", "b"], 2000, 0) == 140
    assert d["compare_text"](["a", "b", "c"], "python-code", "def ", 0, 100) == 59
    assert d["reconstruct_drawing"] == gpu.FLOOR_SECONDS
    # A request the handler will refuse (not a number) asks for the floor; the handler then says why.
    assert d["sample_diffusion"]("ddpm-mnist", "ddim", "lots", 16) == gpu.FLOOR_SECONDS


def test_app_imports_spaces_before_torch_so_zerogpu_can_patch_cuda(tmp_path):
    """A stand-in `spaces` that does what the real one does on ZeroGPU (torch.cuda.is_available ->
    True) and records whether torch was imported first; app.py's device is then cuda."""
    package = tmp_path / "spaces"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import sys\n"
        "print('torch before spaces:', 'torch' in sys.modules)\n"
        "import torch\n"
        "torch.cuda.is_available = lambda: True\n"
    )
    script = "import app\nfrom genai_demo.device import resolve_device\nprint('device:', resolve_device('auto'))\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{REPO_ROOT}", "HOME": str(Path.home())},
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "torch before spaces: False" in result.stdout and "device: cuda" in result.stdout
