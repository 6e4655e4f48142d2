"""ZeroGPU: handlers wrapped with `spaces.GPU`, each asking for a duration sized from its request,
and `spaces` imported before torch by app.py. The real `spaces` package (a test extra) is used
where it can run here; its ZeroGPU mode needs a CUDA build of torch, so there a fake records what
the app asks of it, except for training in slices, which runs spaces' own ZeroGPU code with only its
torch patching and its scheduler calls imitated (the `zero_gpu` fixture)."""

import argparse
import os
import subprocess
import sys
import types
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from conftest import REPO_ROOT
from genai_demo import cli, families
from genai_demo import jobs as jobs_module
from genai_demo.metrics_log import read_metrics
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
    assert d["repair_image"]("ddpm-mnist", None, None, "lower-half", "ddnm", 50, 4, 0, 0.5, 0.5, 5, 5, 32) == 18
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


# ---- Training on ZeroGPU: a run in slices, each one `spaces.GPU` call ----

TINY_GAN = ["mlp-gan", "--data-source", "embedded", "--batch-size", "32", "--sample-every", "10", "--save-every", "1000",
            "--log-every", "4"]


@pytest.fixture
def zero_gpu(monkeypatch):
    """The real `spaces` package in its ZeroGPU mode, imitating only what needs a ZeroGPU machine:
    - `spaces.zero.torch`, which patches a CUDA build of torch (this one is a CPU build): a stand-in
      whose `init`, run by the real one in the forked worker to attach the GPU, makes
      `torch.cuda.is_available()` answer True there when `cuda_in_worker` is set;
    - the calls to ZeroGPU's scheduler (HTTP): `schedule` grants a GPU at once and records the duration
      asked, `allow` and `release` do nothing.
    The rest is spaces' own code: `spaces.GPU`, the call of the duration function with the handler's
    arguments, the forked worker process that runs the slice, the queue that brings its records back."""
    spaces = pytest.importorskip("spaces")
    from spaces import config as spaces_config

    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    monkeypatch.setenv("SPACES_ZERO_DEVICE_API_URL", "http://127.0.0.1:9")  # never reached
    monkeypatch.setattr(spaces_config.Config, "zero_gpu", True)
    imitation = types.SimpleNamespace(durations=[], cuda_in_worker=False, workers=[])

    def attach_gpu(*arguments):
        if imitation.cuda_in_worker:
            torch.cuda.is_available = lambda: True  # in the worker process only

    stand_in = types.ModuleType("spaces.zero.torch")
    for name in ("enter_mode", "patch", "unpatch", "move"):
        setattr(stand_in, name, lambda *arguments, **keywords: None)
    stand_in.init, stand_in.size, stand_in.pack, stand_in.is_in_bad_fork = attach_gpu, lambda: 0, lambda: 0, lambda: False
    monkeypatch.setitem(sys.modules, "spaces.zero.torch", stand_in)
    from spaces.zero import client, decorator, wrappers

    def schedule(task_id, request=None, duration=None, gpu_size=None):
        imitation.durations.append(duration.total_seconds())
        return types.SimpleNamespace(allowToken="token", nvidiaIndex=0, nvidiaUUID="GPU-0", idle=True)

    start_worker = wrappers.Worker.__init__

    def recorded_worker(worker, *arguments):  # to end the worker processes after the test
        start_worker(worker, *arguments)
        imitation.workers.append(worker)

    monkeypatch.setattr(client, "schedule", schedule)
    monkeypatch.setattr(client, "allow", lambda allow_token: None)
    monkeypatch.setattr(client, "release", lambda allow_token, **keywords: None)
    monkeypatch.setattr(wrappers.Worker, "__init__", recorded_worker)
    monkeypatch.setattr(wrappers, "torch", stand_in)  # wrappers keeps the module it was first imported with
    monkeypatch.setattr(decorator, "decorated_cache", {})
    assert spaces.GPU is decorator.GPU
    yield imitation
    for worker in imitation.workers:
        worker.process.kill()
        worker.process.join(timeout=10)


def test_on_zerogpu_a_run_trains_in_slices_each_asking_for_its_duration(zero_gpu, monkeypatch, tmp_path):
    # 10 s a step (instead of mlp-gan's 0.005 s): 100 s of steps fit in the 120 s cap after the 20 s
    # floor, so a slice holds 10 steps, 8 as a multiple of --log-every 4.
    monkeypatch.setitem(families._GPU_STEP_SECONDS, "mlp-gan", 10.0)
    slices = gpu.train_slices()
    assert slices is not None and slices.run is not jobs_module.train_slice  # wrapped by spaces.GPU
    manager = jobs_module.JobManager(tmp_path / "runs", slices=slices)
    job = manager.wait(manager.submit("sliced", TINY_GAN + ["--max-steps", "20"]), timeout=120)
    assert job.state == "finished", job.message
    # Three slices: steps 0-8, 8-16, 16-20, each asking for the floor + its steps x 10 s.
    assert zero_gpu.durations == [100, 100, 60]
    assert [line for line in job.log if line.startswith("slice")] == [
        "slice 1: up to 8 steps from step 0", "slice 2: up to 8 steps from step 8", "slice 3: up to 4 steps from step 16"]
    assert all(worker.process.pid != os.getpid() for worker in zero_gpu.workers)  # trained in spaces' worker
    assert not torch.cuda.is_available()  # the app's process saw no GPU

    # The same run in one go, from the CLI: the same weights, and the same curve (a slice ends at a logged step).
    whole = tmp_path / "whole"
    assert cli.main(["train", *TINY_GAN, "--max-steps", "20", "--out", str(whole)]) == 0
    sliced_weights, whole_weights = load_file(job.out / "model.safetensors"), load_file(whole / "model.safetensors")
    assert sliced_weights.keys() == whole_weights.keys()
    for name in whole_weights:
        assert torch.equal(sliced_weights[name], whole_weights[name]), name
    losses = [[{key: value for key, value in record.items() if key not in ("samples_per_second", "elapsed_seconds")}
               for record in read_metrics(folder)] for folder in (job.out, whole)]
    assert [record["step"] for record in losses[0]] == [4, 8, 12, 16, 20] and losses[0] == losses[1]


def test_a_slice_trains_on_cuda_when_its_call_has_a_gpu(zero_gpu, monkeypatch, tmp_path):
    """ZeroGPU attaches the GPU in the worker only: the slice chooses its device there. The device the
    trainer is asked for is recorded; the run itself is then built on the CPU (this torch has no CUDA)."""
    from genai_demo.training import from_args

    zero_gpu.cuda_in_worker = True
    build_trainer = from_args.build_trainer

    def on_the_cpu(args, argv, stop_event, log):
        log(f"device asked for: {args.device} ({argv[argv.index('--device') + 1]} in the command)")
        return build_trainer(argparse.Namespace(**{**vars(args), "device": "cpu"}), argv, stop_event, log)

    monkeypatch.setattr(from_args, "build_trainer", on_the_cpu)
    manager = jobs_module.JobManager(tmp_path / "runs", slices=gpu.train_slices())
    # As the Train tab submits it on ZeroGPU: with the app's device.
    job = manager.wait(manager.submit("run", TINY_GAN + ["--max-steps", "4", "--device", "cpu"]), timeout=120)
    assert job.state == "finished", job.message
    assert "device asked for: cuda (cuda in the command)" in job.log
    assert zero_gpu.durations == [21]  # 20 s + 4 x 0.005 s, rounded up
    assert not torch.cuda.is_available()


def test_stop_between_slices_leaves_a_checkpoint_that_resumes_exactly(zero_gpu, monkeypatch, tmp_path):
    monkeypatch.setitem(families._GPU_STEP_SECONDS, "mlp-gan", 10.0)  # 8 steps a slice, as above
    slices = gpu.train_slices()
    manager = None

    def stop_after_the_first_slice(argv, steps):
        yield from slices.run(argv, steps)
        job = manager.jobs()[0]
        manager.stop(job.id, owner=job.owner)  # between slices: the first has returned, the next not begun

    manager = jobs_module.JobManager(tmp_path / "runs", slices=replace(slices, run=stop_after_the_first_slice))
    job = manager.wait(manager.submit("stopped", TINY_GAN + ["--max-steps", "20"]), timeout=120)
    assert (job.state, job.step, zero_gpu.durations) == ("stopped", 8, [100]), job.message
    assert not (job.out / jobs_module.STOP_REQUEST_NAME).exists()

    manager.slices = slices
    resumed = manager.wait(manager.resume(job.id), timeout=120)
    assert resumed.state == "finished" and zero_gpu.durations == [100, 100, 60], resumed.message
    whole = tmp_path / "whole"
    assert cli.main(["train", *TINY_GAN, "--max-steps", "20", "--out", str(whole)]) == 0
    resumed_weights, whole_weights = load_file(job.out / "model.safetensors"), load_file(whole / "model.safetensors")
    assert all(torch.equal(resumed_weights[name], whole_weights[name]) for name in whole_weights)
