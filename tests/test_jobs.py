"""The job manager runs the CLI's `train` in child processes: queue, stop, resume, failures."""

import pytest
import torch
from safetensors.torch import load_file

from conftest import wait_until
from genai_demo.errors import InvalidInputError
from genai_demo import jobs as jobs_module
from genai_demo.jobs import JobManager, dataset_problem, forget_dataset_checks

# The embedded digits: no Hub lookup, so a child starts in a few seconds.
TINY_GAN = ["mlp-gan", "--data-source", "embedded", "--batch-size", "32", "--sample-every", "10", "--save-every", "1000"]


@pytest.mark.slow  # child training processes
def test_n_steps_then_resume_n_steps_equals_2n_steps(tmp_path):
    jobs = JobManager(tmp_path / "runs", max_running=2)
    split = jobs.submit("split", TINY_GAN + ["--max-steps", "12", "--log-every", "4"])
    whole = jobs.submit("whole", TINY_GAN + ["--max-steps", "24", "--log-every", "4"])
    assert jobs.wait(split).state == "finished", split.message
    assert split.step == 12 and [point.step for point in split.curves if point.series == "g_loss"] == [4, 8, 12]
    assert split.sample_path is not None and split.sample_path.is_file()

    resumed = jobs.resume(split.id, max_steps=24)
    assert [point.step for point in resumed.curves if point.series == "g_loss"] == [4, 8, 12]  # history kept
    assert jobs.wait(resumed).state == "finished", resumed.message
    assert jobs.wait(whole).state == "finished", whole.message
    assert [point.step for point in resumed.curves if point.series == "g_loss"] == [4, 8, 12, 16, 20, 24]
    assert any("resuming" in line and "at step 12" in line for line in resumed.log)

    split_weights = load_file(tmp_path / "runs" / "split" / "model.safetensors")
    whole_weights = load_file(tmp_path / "runs" / "whole" / "model.safetensors")
    assert split_weights.keys() == whole_weights.keys()
    for name in whole_weights:
        assert torch.equal(split_weights[name], whole_weights[name]), name


@pytest.mark.slow  # child training processes
def test_stop_ends_the_run_within_a_step_then_the_queue_moves_on(tmp_path):
    jobs = JobManager(tmp_path / "runs", max_running=1)
    before = jobs.memory_in_use()
    long_run = jobs.submit("long", TINY_GAN + ["--max-steps", "1000000", "--log-every", "1"], owner="me")
    broken = jobs.submit("broken", ["vae", "--dataset", str(tmp_path / "missing.zip"), "--max-steps", "5"], owner="me")
    waiting = jobs.submit("waiting", TINY_GAN + ["--max-steps", "5"], owner="me")
    assert (long_run.state, broken.state, waiting.state) == ("running", "queued", "queued")
    with pytest.raises(InvalidInputError, match="still running"):
        jobs.resume(long_run.id, owner="me")
    assert (jobs.queue_position(broken), jobs.queue_position(waiting)) == (1, 2)

    wait_until(lambda: long_run.step >= 5, what="5 steps of the long run")
    during = jobs.memory_in_use()
    assert during["training_mb"] > 50  # the trainer's process: torch, the data, the model
    with pytest.raises(InvalidInputError, match="only the browser session that started"):
        jobs.stop(long_run.id, owner="someone else")
    step_at_stop = long_run.step
    jobs.stop(long_run.id, owner="me")
    jobs.wait(long_run, timeout=15)
    assert long_run.state == "stopped", long_run.message
    # At most the step in flight plus the few that ran while the request was delivered.
    assert long_run.step - step_at_stop <= 3, (step_at_stop, long_run.step)
    saved = load_file(tmp_path / "runs" / "long" / "training_state.safetensors")
    assert saved  # a resumable checkpoint
    with pytest.raises(InvalidInputError, match="only the browser session that started this run can resume"):
        jobs.resume(long_run.id, owner="someone else")

    # The failing job gets its slot, fails with the CLI's clear message, and releases it.
    jobs.wait(broken)
    assert broken.state == "failed"
    assert "missing.zip does not exist" in broken.message
    assert "Traceback" not in "\n".join(broken.log)
    assert jobs.wait(waiting).state == "finished", waiting.message
    after = jobs.memory_in_use()  # every run has ended: their memory came back
    assert after["training_mb"] == 0
    assert after["app_mb"] + after["training_mb"] == pytest.approx(before["app_mb"] + before["training_mb"], rel=0.10)


@pytest.mark.slow  # child training processes
def test_a_waiting_job_can_be_cancelled(tmp_path):
    jobs = JobManager(tmp_path / "runs", max_running=1)
    first = jobs.submit("first", TINY_GAN + ["--max-steps", "1000000"])
    second = jobs.submit("second", TINY_GAN + ["--max-steps", "5"], owner="browser:someone")
    with pytest.raises(InvalidInputError, match="only the browser session"):
        jobs.stop(second.id, owner="browser:me")
    assert jobs.stop(second.id, owner="browser:me", admin=True).state == "cancelled"  # an admin may
    assert jobs.queue_position(second) is None
    jobs.stop(first.id)
    assert jobs.wait(first).state in ("stopped", "finished")
    assert second.state == "cancelled" and not (tmp_path / "runs" / "second").exists()


@pytest.mark.parametrize(
    "name, arguments, message",
    [
        ("../escape", ["mlp-gan"], "run name"),
        ("", ["mlp-gan"], "run name"),
        ("ok", ["mlp-gan", "--batch-size", "100000"], "batch size must be a whole number from 1 to 4,096"),
        ("ok", ["not-a-model"], "invalid choice"),
        ("ok", ["classifier"], "command line only"),
        ("ok", ["mlp-gan", "--max-steps", "ten"], "steps"),
    ],
)
def test_bad_settings_are_refused_before_anything_runs(tmp_path, name, arguments, message):
    jobs = JobManager(tmp_path / "runs")
    with pytest.raises(InvalidInputError, match=message):
        jobs.submit(name, arguments)
    assert jobs.jobs() == []


def test_an_existing_run_is_never_overwritten_and_resume_needs_a_checkpoint(tmp_path):
    jobs = JobManager(tmp_path / "runs")
    (tmp_path / "runs" / "taken").mkdir(parents=True)
    (tmp_path / "runs" / "taken" / "training_state.safetensors").write_bytes(b"x")
    with pytest.raises(InvalidInputError, match="already exists: press Resume"):
        jobs.submit("taken", TINY_GAN)
    with pytest.raises(InvalidInputError, match="no saved checkpoint to resume"):
        jobs.submit("fresh", TINY_GAN, resume=True)
    with pytest.raises(InvalidInputError, match="no training job"):
        jobs.stop(42)


class FakeProcess:
    """What `_follow` reads of a child: its output lines and its exit code."""

    def __init__(self, lines, return_code=0):
        self.stdout = iter(lines)
        self.return_code = return_code

    def wait(self, timeout=None):
        return self.return_code

    def poll(self):
        return self.return_code


def test_the_log_is_for_a_person_not_a_terminal(tmp_path):
    """A message the child repeats is kept once; a line redrawn with carriage returns (a progress bar)
    is kept as a terminal shows it last; events still become curves."""
    jobs = JobManager(tmp_path / "runs", max_running=0)  # nothing starts: _follow is fed by hand
    job = jobs.submit("run", TINY_GAN + ["--max-steps", "4"])
    jobs._queue.clear()
    job.process = FakeProcess([
        "MNIST from the Hub is not available (offline); using the embedded 5,000 digits\n",
        "MNIST from the Hub is not available (offline); using the embedded 5,000 digits\n",
        "\rWriting model shards:   0%|          | 0/1\rWriting model shards: 100%|##########| 1/1\n",
        '{"event": "progress", "step": 2, "total_steps": 4, "samples_per_second": 64.0, "losses": {"d_loss": 1.0}}\n',
        '\r{"event": "finished", "step": 4, "stopped": false}\n',
    ])
    jobs._follow(job)
    log = list(job.log)
    assert sum("MNIST from the Hub" in line for line in log) == 1
    assert "Writing model shards: 100%|##########| 1/1" in log and not any("\r" in line for line in log)
    assert [(point.step, point.series) for point in job.curves] == [(2, "d_loss")]
    assert job.state == "finished" and job.lines_logged == len(log)


def test_the_trainer_runs_without_progress_bars_or_developer_warnings(tmp_path, monkeypatch):
    started = {}

    class Popen:
        def __init__(self, command, env, **options):
            started.update(command=command, env=env)
            self.stdout, self.pid = iter(()), 0

        def wait(self, timeout=None):
            return 1

        def poll(self):
            return 1

    monkeypatch.setattr(jobs_module.subprocess, "Popen", Popen)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "info")  # what the user set is kept
    job = JobManager(tmp_path / "runs").submit("run", TINY_GAN + ["--max-steps", "4"])
    assert started["command"][-len(job.argv):] == job.argv
    assert started["env"]["TQDM_DISABLE"] == "1" and started["env"]["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    assert started["env"]["TRANSFORMERS_VERBOSITY"] == "info"
    assert "FutureWarning" in started["env"]["PYTHONWARNINGS"]


def test_a_run_on_data_this_machine_lacks_is_refused_before_it_is_queued(tmp_path, monkeypatch):
    from genai_demo.data import fashion_mnist, text

    monkeypatch.setattr(text, "FORTUNES_DIR", tmp_path / "no-fortunes")
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "no-fashion-mnist")
    forget_dataset_checks()
    try:
        jobs = JobManager(tmp_path / "runs")
        with pytest.raises(InvalidInputError, match=r"apt-get install fortunes \(nothing was queued\)"):
            jobs.submit("poems", ["char-lstm", "--corpus", "fortunes", "--max-steps", "4"])
        with pytest.raises(InvalidInputError, match="dataset-fashion-mnist"):
            jobs.submit("clothes", ["vae", "--dataset", "fashion-mnist", "--max-steps", "4"])
        assert jobs.jobs() == []
        assert dataset_problem("python-code", text=True) is None and dataset_problem("mnist") is None
    finally:
        forget_dataset_checks()


def test_a_job_knows_the_curves_it_will_log_before_it_logs_any(tmp_path):
    jobs = JobManager(tmp_path / "runs", max_running=0)  # queued, never started
    gan = jobs.submit("gan", TINY_GAN + ["--max-steps", "4", "--eval-every", "2"])
    text_run = jobs.submit("text", ["char-lstm", "--max-steps", "4", "--eval-every", "2"])
    vae = jobs.submit("vae", ["vae", "--data-source", "embedded", "--max-steps", "4"])
    assert gan.planned_curves() == (("d_loss", "g_loss"), ("classifier_fid", "fid_floor"))
    assert text_run.planned_curves() == (("loss",), ("val_bits_per_char",))
    assert vae.planned_curves() == (("loss", "reconstruction", "kl", "negative_elbo"), ())


def test_a_stop_request_ends_a_slice_at_its_next_logged_step_saved(tmp_path):
    """A slice may run in ZeroGPU's worker process: Stop reaches it as a file in the run folder."""
    out = tmp_path / "run"
    out.mkdir()
    (out / jobs_module.STOP_REQUEST_NAME).touch()
    argv = ["train", *TINY_GAN, "--max-steps", "100", "--log-every", "4", "--out", str(out)]
    records = list(jobs_module.train_slice(argv, 40))
    finished = records[-1]
    assert (finished["event"], finished["step"], finished["stopped"]) == ("finished", 4, True)
    assert any(record["event"] == "checkpoint" and record["step"] == 4 for record in records)
    assert [record["event"] for record in jobs_module.train_slice(["train", "mlp-gan", "--batch-size", "0"], 4)] == ["error"]


def test_shutdown_of_a_run_in_slices_leaves_a_resumable_checkpoint(tmp_path):
    jobs = JobManager(tmp_path / "runs", slices=jobs_module.Slices(run=jobs_module.train_slice, steps=lambda arguments: 8))
    job = jobs.submit("run", TINY_GAN + ["--max-steps", "40", "--log-every", "4"])
    wait_until(lambda: job.step >= 12, timeout=60)  # in its second slice
    jobs.shutdown(timeout=60)
    assert not job.slices_thread.is_alive() and job.state == "stopped", job.message
    saved = jobs_module._saved_step(job.out)
    assert saved is not None and 12 <= saved < 40 and saved % 4 == 0
    resumed = jobs.wait(jobs.resume(job.id))
    assert resumed.state == "finished" and any(line == f"slice 1: up to 8 steps from step {saved}" for line in resumed.log)
