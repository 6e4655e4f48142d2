"""Faults: a process killed mid-save, a run that diverges or runs out of memory, cancelled
generations. Nothing saved before the fault is lost, and the app keeps serving."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
import torch
from safetensors.torch import load_file

from tests.robustness.tally import FAULTS_INJECTED
from conftest import REPO_ROOT, wait_until
from genai_demo.hub import load_model_folder
from genai_demo.jobs import JobManager

pytestmark = pytest.mark.slow

TINY_GAN = ["mlp-gan", "--data-source", "embedded", "--batch-size", "32", "--sample-every", "100000"]


def _saved_step(folder: Path) -> int:
    return json.loads((folder / "training_state.json").read_text())["step"]


def test_sigkill_in_the_middle_of_saving_never_breaks_the_last_checkpoint(tmp_path):
    """A real training process saving every step is killed at random moments, four times;
    each time the folder loads and the run resumes from a step it had saved."""
    folder = tmp_path / "run"
    rng = random.Random(0)
    last_step = 0
    for round_index in range(4):
        command = [sys.executable, "-m", "genai_demo", "train", *TINY_GAN, "--save-every", "1",
                   "--max-steps", "1000000", "--device", "cpu", "--out", str(folder)]
        process = subprocess.Popen(command + (["--resume"] if round_index else []), cwd=REPO_ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while not ((folder / "training_state.json").is_file() and _saved_step(folder) > last_step + 2):
            assert process.poll() is None, "the training process ended by itself"
            assert time.monotonic() < deadline, "no checkpoint written in time"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.3))  # saves happen every step: most kills land inside one
        process.send_signal(signal.SIGKILL)
        process.wait()
        FAULTS_INJECTED.append(f"SIGKILL while saving every step (round {round_index})")
        step = _saved_step(folder)
        assert step >= last_step
        model = load_model_folder(folder)  # the model folder is whole: config, weights, card
        assert all(torch.isfinite(tensor).all() for tensor in model.state_dict().values())
        state = load_file(folder / "training_state.safetensors")
        assert state, "the resume state is readable"
        last_step = step
    finished = subprocess.run(
        [sys.executable, "-m", "genai_demo", "train", *TINY_GAN, "--save-every", "1000",
         "--max-steps", str(last_step + 3), "--device", "cpu", "--out", str(folder), "--resume"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert _saved_step(folder) == last_step + 3


FAULT_HOOK = textwrap.dedent('''
    # Loaded by the training child through PYTHONPATH: breaks the 7th optimizer step on purpose.
    import os
    fault = os.environ.get("GENAI_DEMO_TEST_FAULT")
    if fault:
        import torch

        original_step = torch.optim.Adam.step
        calls = [0]

        def faulty_step(self, *args, **kwargs):
            calls[0] += 1
            if calls[0] == 7:
                if fault == "oom":
                    raise torch.OutOfMemoryError("injected: out of memory")
                with torch.no_grad():
                    for group in self.param_groups:
                        for parameter in group["params"]:
                            parameter.fill_(float("nan"))
            return original_step(self, *args, **kwargs)

        torch.optim.Adam.step = faulty_step
''')


@pytest.mark.parametrize("fault, message", [
    ("nan", "non-finite at step 4"),
    ("oom", "out of CPU memory at batch size 32: try 8"),
])
def test_a_failing_run_stops_cleanly_keeps_its_checkpoint_and_the_next_run_trains(tmp_path, monkeypatch,
                                                                                 fault, message):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAULT_HOOK)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), str(REPO_ROOT)]))
    monkeypatch.setenv("GENAI_DEMO_TEST_FAULT", fault)
    jobs = JobManager(tmp_path / "runs")
    before = jobs.memory_in_use()
    # An MLP GAN takes two optimizer steps per training step: the 7th is step 4's discriminator.
    failing = jobs.submit("failing", TINY_GAN + ["--max-steps", "50", "--log-every", "1", "--save-every", "3"])
    assert jobs.wait(failing).state == "failed"
    FAULTS_INJECTED.append(f"{fault} in a training job")
    assert message in failing.message, failing.message
    assert "the last saved checkpoint is kept" in failing.message
    assert _saved_step(tmp_path / "runs" / "failing") == 3  # the good checkpoint, not a NaN one
    weights = load_file(tmp_path / "runs" / "failing" / "model.safetensors")
    assert all(torch.isfinite(tensor).all() for tensor in weights.values())
    after = jobs.memory_in_use()
    assert after["training_mb"] == 0 and after["app_mb"] < before["app_mb"] * 1.1 + 50

    monkeypatch.delenv("GENAI_DEMO_TEST_FAULT")
    following = jobs.submit("following", TINY_GAN + ["--max-steps", "5", "--save-every", "1000"])
    assert jobs.wait(following).state == "finished", following.message
    resumed = jobs.resume(failing.id)  # the failed run continues from its checkpoint to its 50 steps
    assert jobs.wait(resumed).state == "finished", resumed.message
    assert _saved_step(tmp_path / "runs" / "failing") == 50


def test_weights_that_diverge_between_log_steps_are_never_saved(tiny_dataset, tmp_path, train_tiny):
    """Losses are checked when logged; a save between two log steps checks the weights itself."""
    from genai_demo.training.checkpoint import TrainingDivergedError

    folder = tmp_path / "run"
    train_tiny(tiny_dataset, folder, steps=2, save_every=1)
    good = load_file(folder / "model.safetensors")
    original = torch.optim.Adam.step

    def poisoning_step(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        with torch.no_grad():
            self.param_groups[0]["params"][0].fill_(float("inf"))
        return result

    torch.optim.Adam.step = poisoning_step
    try:
        with pytest.raises(TrainingDivergedError, match="NaN or infinite by step 3"):
            train_tiny(tiny_dataset, folder, steps=4, resume=True, save_every=1, log_every=1000)
    finally:
        torch.optim.Adam.step = original
    FAULTS_INJECTED.append("weights poisoned between log steps")
    kept = load_file(folder / "model.safetensors")
    assert all(torch.equal(kept[name], good[name]) for name in good)


def _app_process(url: str) -> psutil.Process:
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "app.py" in cmdline and str(port) in cmdline:
            return process
    raise AssertionError(f"no app process on port {port}")


def test_twenty_cancelled_generations_free_their_slots_and_leak_nothing(live_app):
    from gradio_client import Client

    url, _ = live_app
    server = _app_process(url)
    client = Client(url, verbose=False)

    def cancel_mid_stream() -> None:
        job = client.submit("char-lstm-python-code", "def ", 1000, 0.8, 0, 1.0, 1.0, 0, api_name="/generate_text")
        wait_until(lambda: job.outputs() or job.done(), timeout=60, what="a streamed token")
        assert not job.done(), job.exception()  # cancelled while streaming, not after
        job.cancel()

    def full_request() -> str:
        """A whole generation: it starts once a cancelled stream has let go of the slot."""
        job = client.submit("char-lstm-python-code", "def ", 16, 0.8, 0, 1.0, 1.0, 0, api_name="/generate_text")
        return job.result(timeout=60)

    cancel_mid_stream()  # warm-up: model loaded, worker threads started
    assert full_request()
    rss_before, threads_before = server.memory_info().rss, server.num_threads()
    for _ in range(20):
        cancel_mid_stream()
        FAULTS_INJECTED.append("generation cancelled mid-stream")
    assert full_request()  # the slots are free: a full request still runs
    # The cancelled streams' threads end as each stops at its next token.
    wait_until(lambda: server.num_threads() <= threads_before + 4, timeout=30, what="the threads to come back")
    rss_after, threads_after = server.memory_info().rss, server.num_threads()
    print(f"RSS {rss_before / 2**20:.0f} -> {rss_after / 2**20:.0f} MB, threads {threads_before} -> {threads_after}")
    assert rss_after < rss_before * 1.10 + 20 * 2**20
