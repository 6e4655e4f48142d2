"""Training jobs that outlive the browser request: a queue and `python -m genai_demo train` workers.

Each job is the CLI's own `train` command run as a child process (as LLaMA-Factory's web UI
does): the app accepts and refuses exactly what the CLI does, a crash or an out-of-memory
error cannot take the app down, and device memory is always given back when the process ends.
The child prints one JSON object per training event (`--events-json`); the manager keeps each
job's curves, latest sample and log in memory, so a reloaded page or a second browser
reattaches to the same job. Stop sends SIGINT, which the CLI turns into "finish this step,
save a resumable checkpoint, exit".

On ZeroGPU (`Slices`) a GPU exists only inside a call of a `spaces.GPU` function, for a duration asked
beforehand: there a run trains in slices instead, each one such call that runs the same trainer in
the call's process for a bounded number of steps and saves; the next slice resumes from that save
exactly (weights, optimizers, data order and random state), so the run folder ends as one run's.

The job's log is what a person reads in the browser, not a terminal: the child runs without
progress bars and library warnings, and a line it repeats is kept once. A named dataset or
corpus this machine lacks is refused before anything is queued.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import itertools
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import psutil
import torch

from genai_demo.data import IMAGE_DATASETS
from genai_demo.data.mnist import hub_cache_only
from genai_demo.data.text import DEBIAN_CORPORA, load_text_corpus
from genai_demo.device import device_memory, out_of_memory_message
from genai_demo.errors import DatasetError, GenaiDemoError, InvalidInputError
from genai_demo.families import FAMILIES
from genai_demo.hub.hub_models import hub_is_offline
from genai_demo.metrics_log import curve_values, read_metrics
from genai_demo.train_args import parse_train_args
from genai_demo.training import ProgressEvent, event_record, trainer_class
from genai_demo.training.checkpoint import STATE_JSON_NAME, STATE_WEIGHTS_NAME

logger = logging.getLogger(__name__)

RUN_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
STOP_GRACE_SECONDS = 120  # after Stop, how long a job may take to save before it is killed
LOG_LINES = 400
PACKAGE_PARENT = Path(__file__).resolve().parents[1]  # so the child finds `genai_demo` from any cwd

ACTIVE_STATES = ("queued", "running", "stopping")
# The child writes to a pipe that a browser shows: no progress bars, no warnings meant for developers
# at a terminal (tokenizer lengths, deprecations). Set only where the user has not chosen otherwise.
QUIET_CHILD_ENVIRONMENT = {
    "TQDM_DISABLE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "PYTHONWARNINGS": "ignore::FutureWarning,ignore::DeprecationWarning",
}
STOP_REQUEST_NAME = "stop-requested"  # in a run folder: Stop, for a slice running in another process
DATA_CHECK_SECONDS = 600.0  # how long "is this dataset here?" is remembered (loading one takes a second or two)


@dataclass
class CurvePoint:
    step: int
    series: str
    value: float


@dataclass
class TrainingJob:
    id: int
    name: str
    out: Path
    argv: list[str]  # what follows `python -m genai_demo`
    batch_size: int = 0  # as the CLI parsed it (for steps/s)
    max_steps: int | None = None  # as the CLI parsed it (resume may extend it)
    owner: str = ""  # who started it (a browser session); only the owner may stop it
    state: str = "queued"  # queued, running, stopping, finished, stopped, failed, cancelled
    message: str = ""
    step: int = 0
    total_steps: int = 0
    samples_per_second: float = 0.0
    steps_per_second: float = 0.0
    curves: list[CurvePoint] = field(default_factory=list)
    sample_path: Path | None = None
    sample_text: str = ""
    sample_step: int = -1
    log: collections.deque = field(default_factory=lambda: collections.deque(maxlen=LOG_LINES))
    lines_logged: int = 0  # grows with every line kept, so a page can tell a new log from the one it shows
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    ended_at: float | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)
    slices_thread: threading.Thread | None = field(default=None, repr=False)  # on ZeroGPU, instead of a process
    last_error: str = ""
    cuda_memory_mb: dict = field(default_factory=dict)  # what the trainer process holds on its GPU

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def model(self) -> str:
        return self.argv[1]

    def eta_seconds(self) -> float | None:
        if self.state != "running" or self.steps_per_second <= 0 or not self.total_steps:
            return None
        return max(0.0, (self.total_steps - self.step) / self.steps_per_second)

    def add_log(self, line: str, once: bool = False) -> None:
        """Append a line to the log; `once`: not when the log holds it already (a message the
        child repeats, such as where MNIST came from for each split it loads)."""
        if once and line in self.log:
            return
        self.log.append(line)
        self.lines_logged += 1

    @property
    def arguments(self) -> argparse.Namespace:
        """The `train` arguments as the CLI parsed them (family, dataset, steps, ...)."""
        return parse_train_args(self.argv[1:])

    def planned_curves(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(losses, quality figures) the run will log, before it has logged any: its trainer's
        loss names, and what its evaluation measures when it evaluates."""
        arguments = self.arguments
        record = FAMILIES[self.model]
        quality: tuple[str, ...] = ()
        if arguments.eval_every:
            if record.is_text:
                quality = ("val_bits_per_char",)
            else:
                quality = ("classifier_fid", "fid_floor") + (("class_accuracy",) if record.is_conditional else ())
        return tuple(trainer_class(self.model).loss_names), quality


@dataclass(frozen=True)
class Slices:
    """Training in slices (ZeroGPU): `run(argv, steps)` is `train_slice` wrapped so that a GPU is lent
    for the call (`genai_demo.ui.gpu.train_slices`); `steps(arguments)`, the steps a slice of the run of
    those parsed `train` arguments holds."""

    run: Callable[[list[str], int], Iterator[dict]]
    steps: Callable[[argparse.Namespace], int]


def train_slice(argv: list[str], steps: int) -> Iterator[dict]:
    """One slice of a run, trained in this process: the CLI's trainer (`argv`: what follows `python -m
    genai_demo`; with `--resume` it continues the run's checkpoint) trains `steps` more steps, or to the
    run's end, then saves a resumable checkpoint. It trains on `cuda` where this process has a GPU (on
    ZeroGPU: inside the `spaces.GPU` call), else on the CPU. Yields the CLI's `--events-json` records,
    log lines as {"event": "log"} and a failure as {"event": "error"}: a slice may run in a worker process,
    which passes on an exception's type but not its message.

    A slice ends at a logged step (`--log-every`), so the curve of a run in slices is that of one run;
    a stop request (a `STOP_REQUEST_NAME` file in the run folder) ends it at the next logged step, saved."""
    from genai_demo.training.from_args import build_trainer  # transformers and diffusers load only when needed

    device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        argv = [argv[0], *_replace_option(argv[1:], "--device", device)]
        args = parse_train_args(argv[1:])
        stop_event, lines = threading.Event(), []
        trainer = build_trainer(args, argv, stop_event, log=lines.append)
        last_step = trainer.step + steps
        for line in lines:  # "data: ...; device: cuda"
            yield {"event": "log", "line": line}
        for event in trainer.train():
            record = event_record(event)
            if isinstance(event, ProgressEvent):
                record.update(device_memory(trainer.device))
                if event.step >= last_step or (args.out / STOP_REQUEST_NAME).exists():
                    stop_event.set()  # the trainer finishes this step, saves and ends
            yield record
    except GenaiDemoError as error:
        yield {"event": "error", "message": str(error)}
    except torch.OutOfMemoryError:
        yield {"event": "error", "message": out_of_memory_message(device.upper(), args.batch_size)}


def check_run_name(name: str) -> str:
    name = (name or "").strip()
    if not RUN_NAME_PATTERN.fullmatch(name):
        raise InvalidInputError(
            f"run name {name!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def _replace_option(argv: list[str], option: str, value: str | None) -> list[str]:
    """argv without `option VALUE`, then with it again when value is not None."""
    result, skip = [], False
    for index, item in enumerate(argv):
        if skip:
            skip = False
            continue
        if item == option:
            skip = True
            continue
        if item.startswith(option + "="):
            continue
        result.append(item)
    return result + ([option, value] if value is not None else [])


class JobManager:
    """Runs at most `max_running` training jobs at once (one per device by default); the rest wait.
    Each job is a child process, or with `slices` (ZeroGPU) a thread that trains it slice by slice."""

    def __init__(self, runs_dir: Path, max_running: int = 1, python: str = sys.executable,
                 slices: Slices | None = None):
        self.runs_dir = Path(runs_dir)
        self.max_running = max_running
        self.python = python
        self.slices = slices
        self._jobs: dict[int, TrainingJob] = {}
        self._queue: collections.deque[TrainingJob] = collections.deque()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        atexit.register(self.shutdown)

    # -- what the UI asks -------------------------------------------------------------------

    def jobs(self) -> list[TrainingJob]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda job: job.id, reverse=True)

    def get(self, job_id: int | str | None) -> TrainingJob:
        try:
            return self._jobs[int(job_id)]
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(f"no training job {job_id!r}") from None

    def queue_position(self, job: TrainingJob) -> int | None:
        """1 for the next job to start, None when it is not waiting."""
        with self._lock:
            for position, waiting in enumerate(self._queue, start=1):
                if waiting is job:
                    return position
        return None

    def memory_in_use(self) -> dict[str, float]:
        """Resident memory (MB) of this app and of its training processes, and CUDA memory of the app."""
        app = psutil.Process()
        figures = {"app_mb": app.memory_info().rss / 2**20, "training_mb": 0.0, "training_cuda_mb": 0.0}
        for job in self.jobs():
            if job.process is not None and job.process.poll() is None:
                figures["training_cuda_mb"] += job.cuda_memory_mb.get("cuda_reserved_mb", 0.0)
                try:
                    figures["training_mb"] += psutil.Process(job.process.pid).memory_info().rss / 2**20
                except psutil.Error:
                    pass  # it ended between the two calls
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            figures["cuda_allocated_mb"] = torch.cuda.memory_allocated() / 2**20
            figures["cuda_reserved_mb"] = torch.cuda.memory_reserved() / 2**20
        return figures

    def active_job_for(self, out: Path) -> TrainingJob | None:
        with self._lock:
            return next((job for job in self._jobs.values() if job.active and job.out == out), None)

    # -- what the UI does -------------------------------------------------------------------

    def submit(self, name: str, train_args: list[str], owner: str = "", resume: bool = False) -> TrainingJob:
        """Queue `python -m genai_demo train <train_args> --out <runs_dir>/<name>`; bad settings
        are refused here with the CLI's own message, before anything is queued."""
        name = check_run_name(name)
        out = self.runs_dir / name
        argv = ["train", *train_args, "--out", str(out), "--events-json"] + (["--resume"] if resume else [])
        args = parse_train_args(argv[1:])
        if not FAMILIES[args.model].in_train_tab:
            raise InvalidInputError(f"the {FAMILIES[args.model].title} is trained from the command line only")
        missing = missing_data(args)
        if missing:
            raise InvalidInputError(f"{missing} (nothing was queued)")
        with self._lock:
            if self.active_job_for(out) is not None:
                raise InvalidInputError(f"run {name!r} is already training or waiting: stop it first")
            has_state = (out / STATE_WEIGHTS_NAME).is_file()
            if resume and not has_state:
                raise InvalidInputError(f"run {name!r} has no saved checkpoint to resume")
            if not resume and has_state:
                raise InvalidInputError(f"run {name!r} already exists: press Resume to continue it, or choose another name")
            job = TrainingJob(id=next(self._ids), name=name, out=out, argv=argv, owner=owner,
                              batch_size=args.batch_size, max_steps=args.max_steps)
            if resume:
                # The history up to the checkpoint; the trainer drops (and redoes) what came after it.
                saved_step = _saved_step(out)
                job.curves = curves_from_metrics(
                    [record for record in read_metrics(out) if saved_step is None or record["step"] <= saved_step])
                job.step = saved_step or 0
            self._jobs[job.id] = job
            self._queue.append(job)
            job.add_log(f"queued: python -m genai_demo {' '.join(argv)}")
            self._start_waiting_jobs()
        return job

    def resume(self, job_id: int | str, owner: str = "", max_steps: int | None = None, admin: bool = False) -> TrainingJob:
        """Continue a stopped or finished job's run from its checkpoint; `max_steps` extends it when
        larger than the run's own step count (a smaller one is ignored: resume never shortens a run)."""
        job = self.get(job_id)
        if not admin:
            self._check_owner(job, owner, "resume")
        if job.active:
            raise InvalidInputError(f"run {job.name!r} is still {job.state}")
        train_args = [item for item in job.argv[1:] if item not in ("--events-json", "--resume")]
        train_args = _replace_option(train_args, "--out", None)
        if max_steps is not None and (job.max_steps is None or int(max_steps) > job.max_steps):
            train_args = _replace_option(train_args, "--max-steps", str(int(max_steps)))
        return self.submit(job.name, train_args, owner=job.owner if admin else owner, resume=True)

    def stop(self, job_id: int | str, owner: str = "", admin: bool = False) -> TrainingJob:
        """Cancel a waiting job, or ask a running one to finish its step, save and exit."""
        job = self.get(job_id)
        if not admin:
            self._check_owner(job, owner, "stop")
        with self._lock:
            if job.state == "queued":
                self._queue.remove(job)
                job.state, job.message, job.ended_at = "cancelled", "cancelled before it started", time.time()
                return job
            if job.state != "running":
                return job
            job.state, job.message = "stopping", "stopping after this step and saving…"
            process = job.process
            if job.slices_thread is not None:
                job.message = "stopping at the next logged step and saving…"
                _request_slice_stop(job)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            threading.Thread(target=self._kill_if_stuck, args=(job, process), daemon=True).start()
        return job

    def wait(self, job: TrainingJob, timeout: float = 600) -> TrainingJob:
        """Block until the job has ended (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        while job.active:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job.id} still {job.state} after {timeout} s")
            time.sleep(0.05)
        return job

    def shutdown(self, timeout: float = 30) -> None:
        """Stop every job when the app exits: each finishes its step, saves a resumable checkpoint and
        exits; one still running after `timeout` seconds in all is killed (its last save stays)."""
        with self._lock:
            self._queue.clear()
            running = [job for job in self._jobs.values() if job.process is not None and job.process.poll() is None]
            sliced = [job for job in self._jobs.values() if job.slices_thread is not None and job.active]
            for job in sliced:  # the slice running now saves at its next logged step; no other starts
                job.state, job.message = "stopping", "stopping: the app is shutting down"
                _request_slice_stop(job)
        for job in running:
            job.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        for job in running:
            try:
                job.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                job.process.kill()
        for job in sliced:  # a thread cannot be killed: one still running keeps its last slice's save
            job.slices_thread.join(timeout=max(0.0, deadline - time.monotonic()))

    @staticmethod
    def _check_owner(job: TrainingJob, owner: str, action: str) -> None:
        if job.owner and owner != job.owner:
            raise InvalidInputError(f"only the browser session that started this run can {action} it")

    # -- the workers ------------------------------------------------------------------------

    def _start_waiting_jobs(self) -> None:
        with self._lock:
            while self._queue and sum(job.state in ("running", "stopping") for job in self._jobs.values()) < self.max_running:
                job = self._queue.popleft()
                job.state, job.started_at, job.message = "running", time.time(), "starting…"
                job.out.parent.mkdir(parents=True, exist_ok=True)
                if self.slices is not None:
                    job.slices_thread = threading.Thread(target=self._run_slices, args=(job,),
                                                         name=f"train-job-{job.id}", daemon=True)
                    job.slices_thread.start()
                    continue
                environment = {**QUIET_CHILD_ENVIRONMENT, **os.environ, "PYTHONUNBUFFERED": "1",
                               "PYTHONPATH": os.pathsep.join([str(PACKAGE_PARENT),
                                                              *filter(None, [os.environ.get("PYTHONPATH")])])}
                try:
                    job.process = subprocess.Popen(
                        [self.python, "-m", "genai_demo", *job.argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL, text=True, encoding="utf-8", errors="replace", env=environment,
                    )
                except OSError as error:
                    self._end(job, "failed", f"could not start the trainer: {error}")
                    continue
                threading.Thread(target=self._follow, args=(job,), name=f"train-job-{job.id}", daemon=True).start()

    def _follow(self, job: TrainingJob) -> None:
        finished = None
        for line in job.process.stdout:
            # What a terminal would show of a line redrawn with carriage returns: its last version.
            line = line.rstrip("\n").split("\r")[-1].rstrip()
            record = None
            if line.startswith("{"):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    record = None
            if isinstance(record, dict) and "event" in record:
                finished = self._apply(job, record) or finished
            elif line:
                job.add_log(line, once=True)
                if line.startswith("error: "):
                    job.last_error = line.removeprefix("error: ")
        return_code = job.process.wait()
        if finished is not None and return_code == 0:
            stopped = finished.get("stopped", False)
            self._end(job, "stopped" if stopped else "finished",
                      f"{'stopped' if stopped else 'finished'} at step {finished['step']}; saved to {job.out}")
        elif job.state == "stopping" and return_code != 0 and job.last_error == "":
            self._end(job, "stopped", "stopped before it could save; the last saved checkpoint, if any, is kept")
        else:
            reason = job.last_error or f"the trainer exited with code {return_code}"
            self._end(job, "failed", f"failed: {reason}")

    def _run_slices(self, job: TrainingJob) -> None:
        """The job as slices, each one call of `slices.run` that saves; the next resumes from that save.
        Stop ends the slice running now at its next logged step, and no other slice starts."""
        (job.out / STOP_REQUEST_NAME).unlink(missing_ok=True)  # one left by an app that was killed
        argv, number = job.argv, 0
        resume_argv = job.argv if "--resume" in job.argv else [*job.argv, "--resume"]
        try:
            per_slice = self.slices.steps(job.arguments)
            while True:
                number += 1
                steps = per_slice if job.max_steps is None else max(1, min(per_slice, job.max_steps - job.step))
                job.add_log(f"slice {number}: up to {steps:,} steps from step {job.step:,}")
                finished, error = None, ""
                for record in self.slices.run(argv, steps):
                    if record["event"] == "log":
                        job.add_log(record["line"], once=True)
                    elif record["event"] == "error":
                        error = record["message"]
                    else:
                        finished = self._apply(job, record) or finished
                if error or finished is None:
                    self._end(job, "failed", f"failed: {error or 'the slice ended without saving'}")
                    return
                stopped = finished["stopped"]
                if stopped and job.state != "stopping":  # the slice's end, not the run's: the next resumes it
                    argv = resume_argv
                    continue
                self._end(job, "stopped" if stopped else "finished",
                          f"{'stopped' if stopped else 'finished'} at step {finished['step']}; saved to {job.out}")
                return
        except Exception as error:  # noqa: BLE001 - ZeroGPU's own errors (no GPU, quota): the job fails, the app stays
            self._end(job, "failed", f"failed: {error}")
        finally:
            (job.out / STOP_REQUEST_NAME).unlink(missing_ok=True)

    def _apply(self, job: TrainingJob, record: dict) -> dict | None:
        kind = record["event"]
        if kind == "progress":
            job.step, job.total_steps = int(record["step"]), int(record["total_steps"])
            job.samples_per_second = float(record["samples_per_second"])
            job.cuda_memory_mb = {name: record[name] for name in ("cuda_allocated_mb", "cuda_reserved_mb") if name in record}
            job.steps_per_second = job.samples_per_second / job.batch_size if job.batch_size else 0.0
            job.curves += [CurvePoint(job.step, name, float(value)) for name, value in record["losses"].items()]
            losses = ", ".join(f"{name} {value:.4g}" for name, value in record["losses"].items())
            job.message = f"step {job.step:,}/{job.total_steps:,}"
            job.add_log(f"step {job.step}/{job.total_steps}  {losses}  {job.samples_per_second:.0f} samples/s")
        elif kind == "sample":
            job.sample_path, job.sample_text, job.sample_step = Path(record["path"]), record.get("text", ""), int(record["step"])
        elif kind == "checkpoint":
            job.step = max(job.step, int(record["step"]))
            job.add_log(f"saved a checkpoint at step {record['step']}")
        elif kind == "finished":
            job.step = int(record["step"])
            return record
        return None

    def _end(self, job: TrainingJob, state: str, message: str) -> None:
        with self._lock:
            job.state, job.message, job.ended_at = state, message, time.time()
            job.add_log(message)
        logger.info("training job %s (%s): %s", job.id, job.name, message)
        self._start_waiting_jobs()

    def _kill_if_stuck(self, job: TrainingJob, process: subprocess.Popen) -> None:
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()


def _request_slice_stop(job: TrainingJob) -> None:
    """Ask the slice running now to stop: a file, as it may run in another process (ZeroGPU's worker)."""
    job.out.mkdir(parents=True, exist_ok=True)
    (job.out / STOP_REQUEST_NAME).touch()


def _saved_step(folder: Path) -> int | None:
    """The step of the run's last checkpoint (from `training_state.json`), None when unreadable."""
    try:
        return int(json.loads((folder / STATE_JSON_NAME).read_text(encoding="utf-8"))["step"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


_data_checks: dict[tuple[str, str, str], tuple[float, str | None]] = {}  # (kind, name, source) -> (when, problem)
_data_checks_lock = threading.Lock()


def _dataset_problem(kind: str, name: str, source: str) -> str | None:
    """The loader's message when the named dataset or corpus cannot be loaded here without
    downloading, None when it can (remembered for DATA_CHECK_SECONDS: loading takes a second)."""
    key = (kind, name, source)
    with _data_checks_lock:
        checked_at, problem = _data_checks.get(key, (float("-inf"), None))
        if time.monotonic() - checked_at < DATA_CHECK_SECONDS:
            return problem
    try:
        if kind == "corpus":
            load_text_corpus(name)
        else:
            with hub_cache_only():
                IMAGE_DATASETS[name](split="train", source=source)
        problem = None
    except DatasetError as error:
        problem = str(error)
    with _data_checks_lock:
        _data_checks[key] = (time.monotonic(), problem)
    return problem


def dataset_problem(name: str, text: bool = False, source: str = "auto") -> str | None:
    """Why the named image dataset (or, `text`, corpus) is not usable on this machine, None when it
    is. Only the named ones that may be missing are checked: Debian's corpora, and image datasets
    that come from a Debian package or the Hub cache. Online, a Hub dataset may still be downloaded
    by the run, so only an offline Hub (HF_HUB_OFFLINE) makes a missing cache final."""
    if text:
        return _dataset_problem("corpus", name, "") if name in DEBIAN_CORPORA else None
    if name not in IMAGE_DATASETS or (source in ("auto", "hub") and not hub_is_offline()):
        return None
    return _dataset_problem("images", name, source)


def missing_data(args) -> str | None:
    """Why the parsed `train` arguments name data this machine lacks (the loader's message, which
    names the package to install), None when the data is here or is a user's file."""
    if getattr(args, "corpus", None):
        return dataset_problem(args.corpus, text=True)
    if getattr(args, "dataset", None):
        return dataset_problem(args.dataset, source=args.data_source or "auto")
    return None


def forget_dataset_checks() -> None:
    """Check again on the next question (tests, and after installing a package)."""
    with _data_checks_lock:
        _data_checks.clear()


def curves_from_metrics(records: list[dict]) -> list[CurvePoint]:
    return [CurvePoint(record["step"], name, value) for record in records for name, value in curve_values(record).items()]
