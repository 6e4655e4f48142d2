"""The CUDA paths, which no CPU run touches: a few training steps of every family on the GPU in
bfloat16 autocast and in float32 (fused Adam, NHWC, the bf16 casts), generation from the shipped
models, a Train-tab job on `--device cuda`, and the GPU memory given back after a run.
Opt-in (`-m gpu`) and skipped without CUDA; `bench/gpu_check.sh` runs them with the GPU benchmarks."""

from __future__ import annotations

import gc
import json

import pytest
import torch

from conftest import REPO_ROOT

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (a GPU machine)")]

IMAGE_RUN = ["--data-source", "embedded", "--max-steps", "4", "--batch-size", "16", "--log-every", "1",
             "--sample-every", "1000", "--save-every", "1000", "--device", "cuda"]
TINY = {
    "mlp-gan": [],
    "dcgan": ["--generator-features", "8", "--discriminator-features", "8"],
    "cdcgan": ["--generator-features", "8", "--discriminator-features", "8"],
    "wgan-gp": ["--generator-features", "8"],
    "vae": [],
    "ddpm": ["--unet-channels", "16,32"],
    "char-lstm": ["--layers", "1", "--width", "32", "--block-size", "32"],
    "tiny-gpt": ["--layers", "1", "--width", "32", "--block-size", "32", "--tokenizer", "char"],
}


def _run(family: str, precision: list[str], folder) -> list[str]:
    if family in ("char-lstm", "tiny-gpt"):
        common = ["--corpus", "python-code", "--max-steps", "4", "--batch-size", "4", "--log-every", "1",
                  "--sample-every", "1000", "--save-every", "1000", "--device", "cuda"]
    else:
        common = IMAGE_RUN
    return ["train", family, *common, *TINY[family], *precision, "--out", str(folder)]


@pytest.mark.parametrize("precision", [[], ["--float32"]], ids=["bf16-autocast", "float32"])
@pytest.mark.parametrize("family", list(TINY))
def test_each_family_trains_a_few_steps_on_the_gpu(family, precision, tmp_path, run_cli_here):
    result = run_cli_here(*_run(family, precision, tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "device: cuda" in result.stdout
    losses = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert len(losses) == 4 and all(all(value == value for value in record.values()
                                        if isinstance(value, float)) for record in losses)  # no NaN


@pytest.mark.parametrize("folder", ["dcgan-mnist", "vae-mnist", "cddpm-mnist", "tiny-gpt-python-code"])
def test_the_shipped_models_generate_on_the_gpu(folder, tmp_path, run_cli_here):
    path = REPO_ROOT / "checkpoints" / folder
    if "tiny-gpt" in folder:
        result = run_cli_here("generate", path, "--prompt", "def ", "--max-new-tokens", "20", "--device", "cuda")
    else:
        result = run_cli_here("sample", path, "--num", "16", "--seed", "0", "--device", "cuda", "--out", tmp_path / "s.npy")
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_train_tab_job_on_cuda_finishes_and_its_process_gives_the_memory_back(tmp_path):
    from genai_demo.jobs import JobManager

    manager = JobManager(tmp_path / "runs")
    job = manager.submit("gpu-job", _run("dcgan", [], tmp_path / "unused")[1:-2])
    manager.wait(job, timeout=600)
    assert job.state == "finished", job.message
    assert (tmp_path / "runs" / "gpu-job" / "training_state.safetensors").is_file()


def test_an_in_process_run_leaves_no_gpu_memory_behind(tmp_path, run_cli_here):
    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated()
    result = run_cli_here(*_run("ddpm", [], tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    gc.collect()
    torch.cuda.empty_cache()
    assert torch.cuda.memory_allocated() - before < 16 * 2**20  # the model cache may keep a few MB
