"""The same trainers under HF Accelerate: `accelerate launch`, and two data-parallel CPU processes."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, free_port
from genai_demo.generation import load_cached_model

pytestmark = pytest.mark.slow


def run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=240)


def metric_steps(folder) -> list[int]:
    return [json.loads(line)["step"] for line in (folder / "metrics.jsonl").read_text().splitlines()]


def test_accelerate_launch_runs_the_cli_trainer_on_cpu(tmp_path):
    accelerate = shutil.which("accelerate") or pytest.fail("the accelerate command is missing (pip install accelerate)")
    result = run([accelerate, "launch", "--cpu", "--num_processes", "1", "--num_machines", "1",
                  "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "genai_demo", "train", "vae",
                  "--out", str(tmp_path / "vae"), "--data-source", "embedded", "--max-steps", "6", "--log-every", "3",
                  "--batch-size", "16"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "done: 6 steps" in result.stdout
    assert metric_steps(tmp_path / "vae") == [3, 6]


@pytest.mark.parametrize("model, settings", [
    ("mlp-gan", ["--data-source", "embedded", "--batch-size", "32"]),
    # R1's double backward goes around the data-parallel wrapper, its gradients averaged by hand (step 0 has it).
    ("stylegan", ["--data-source", "embedded", "--batch-size", "16", "--generator-features", "8",
                  "--discriminator-features", "8", "--latent-dim", "8", "--w-dim", "16"]),
    ("char-lstm", ["--batch-size", "8", "--block-size", "32", "--width", "32", "--layers", "1"]),
])
def test_two_processes_train_one_model_data_parallel(tmp_path, model, settings):
    """torchrun starts two processes; each trains through an Accelerator (gloo on CPU) on half of every
    batch. The trainer checks at the end that both hold the same weights (it fails otherwise)."""
    out = tmp_path / model
    result = run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                  str(free_port()), "-m", "genai_demo", "train", model, "--out", str(out), "--max-steps", "10",
                  "--log-every", "5", "--sample-every", "10", "--device", "cpu", *settings])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 processes (HF Accelerate, data parallel)" in result.stdout
    assert result.stdout.count("done: 10 steps") == 1  # one process reports for both
    assert metric_steps(out) == [5, 10]  # and only one writes
    assert load_cached_model(out, "cpu") is not None


def test_wgan_gp_refuses_several_processes_clearly(tmp_path):
    result = run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                  str(free_port()), "-m", "genai_demo", "train", "wgan-gp", "--out", str(tmp_path / "w"),
                  "--data-source", "embedded", "--max-steps", "2", "--device", "cpu"])
    assert result.returncode != 0
    assert "wgan-gp trains in one process only" in result.stderr
