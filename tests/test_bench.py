"""`bench/run.py --quick` keeps working: every row runs and has the documented shape (no timing asserts)."""

import json
import subprocess
import sys

import pytest
import torch

from conftest import REPO_ROOT
from genai_demo.device import has_fast_bfloat16

pytestmark = pytest.mark.slow


def test_bench_quick_writes_rows_of_the_documented_shape(tmp_path):
    out = tmp_path / "bench.json"
    # --time-to-quality with a tiny budget: the row's two training loops run and stop on time.
    result = subprocess.run([sys.executable, "bench/run.py", "--quick", "--time-to-quality", "2", "--json", str(out)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert [row["name"] for row in rows] == ["train_dcgan", "train_vae", "train_tiny_gpt", "sample_gan_64", "sample_diffusion_4",
                                             "sample_guided_diffusion_4", "tiny_gpt_tokens_per_second", "repaint_inpaint_1",
                                             "dcgan_time_to_quality"]
    for row in rows:
        assert set(row) == {"name", "unit", "ours", "reference", "ratio", "device", "notes"}
        assert row["ours"] > 0 and row["reference"] > 0 and row["ratio"] > 0 and row["device"] == "cpu"
    assert "train_dcgan" in result.stdout.splitlines()[1]  # the table is printed too
    assert "floor" in rows[-1]["notes"] and ("reached at step" in rows[-1]["notes"])


def test_speedups_quick_times_every_variant_against_the_reference(tmp_path):
    out = tmp_path / "speedups.json"
    result = subprocess.run([sys.executable, "bench/speedups.py", "--quick", "--json", str(out)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(out.read_text())
    bfloat16 = ["all three + bf16 autocast"] if has_fast_bfloat16(torch.device("cpu")) else []
    assert [row["name"] for row in rows] == ["reference", "+ frozen D in G's step", "+ channels_last",
                                             "+ fused Adam", "all three (our trainer)", *bfloat16]
    assert rows[0]["ratio"] == 1.0
    assert all(row["samples_per_second"] > 0 and row["device"] == "cpu" for row in rows)


def test_only_runs_the_named_rows_and_refuses_unknown_ones(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "bench/run.py", "--quick", "--only", "gan_sampling", "--json", str(out)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [row["name"] for row in json.loads(out.read_text())] == ["sample_gan_64"]
    refused = subprocess.run([sys.executable, "bench/run.py", "--quick", "--only", "time_to_quality"],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    assert "unknown or disabled row(s) time_to_quality" in refused.stderr.splitlines()[-1]


def test_the_gpu_check_says_so_and_stops_without_cuda(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU machine: bench/gpu_check.sh runs the real check there")
    result = subprocess.run(["bash", "bench/gpu_check.sh", str(tmp_path / "out")], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "no CUDA on this machine" in result.stdout


def test_stylegan_bench_measures_mixing_and_truncation_as_eval_does(tmp_path):
    """bench/stylegan.py on the shipped stylegan-mnist: one mixing row per crossover layer with shares in
    [0, 1], one truncation row per psi, and at psi 1 the classifier-FID `eval` gives at the same settings."""
    from genai_demo.evaluation import evaluate_model_folder

    model = REPO_ROOT / "checkpoints" / "stylegan-mnist"
    out = tmp_path / "stylegan.json"
    result = subprocess.run([sys.executable, "bench/stylegan.py", str(model), "--seeds", "4", "--samples", "200",
                             "--truncations", "0.5", "1", "--reference", "train", "--data-source", "embedded",
                             "--device", "cpu", "--json", str(out)], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert [row["crossover"] for row in figures["mixing"]] == [1, 2, 3, 4]
    assert all(0 <= row["row_class_share"] <= 1 and row["cells"] == 16 for row in figures["mixing"])
    assert [row["psi"] for row in figures["truncation"]] == [0.5, 1.0]
    measured = evaluate_model_folder(model, REPO_ROOT / "checkpoints" / "classifier-mnist", 200, 0, torch.device("cpu"),
                                     data_source="embedded", reference="train")
    assert figures["truncation"][1]["classifier_fid"] == pytest.approx(measured["classifier_fid"], abs=1e-3)
    assert figures["truncation"][0]["classifier_fid"] != figures["truncation"][1]["classifier_fid"]


def test_playground_bench_measures_training_play_and_a_viewer(tmp_path):
    out = tmp_path / "playground.json"
    result = subprocess.run([sys.executable, "bench/playground.py", "--seconds", "1", "--families", "gan",
                             "--client", "--json", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    assert [row["family"] for row in rows] == ["gan"]
    for row in rows:
        assert row["training_steps_per_second"] > 0 and row["play_frames_per_second"] > 0
        assert row["client_frames_per_second"] > 0 and row["client_steps_per_second"] > 0
    assert rows[0]["bare_loop_steps_per_second"] > 0  # the GAN's reference loop

