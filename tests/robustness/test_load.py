"""Load: 50 concurrent generate requests against a live app, alone and beside a training run;
and deployments that refuse what a client has no right to do."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from tests.robustness.tally import REQUESTS_SENT
from conftest import REPO_ROOT, running_app, wait_until

pytestmark = pytest.mark.slow

REQUESTS = 50
CLIENTS = 10  # browsers, each with its own session; five requests each


def _pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def _fire(url: str) -> tuple[list[float], list[np.ndarray], list[int]]:
    """50 requests for 16 samples, seeds 0..4, from 10 clients at once; (latencies, grids, seeds)."""
    clients = [Client(url, verbose=False) for _ in range(CLIENTS)]

    def one(index: int):
        seed = index % 5
        started = time.perf_counter()
        path, _ = clients[index % CLIENTS].predict("dcgan-mnist", 16, seed, "all", api_name="/generate_images")
        return time.perf_counter() - started, _pixels(path), seed

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(one, range(REQUESTS)))
    REQUESTS_SENT.extend(["generate_images"] * REQUESTS)
    return [r[0] for r in results], [r[1] for r in results], [r[2] for r in results]


def _check_and_report(url: str, label: str) -> None:
    client = Client(url, verbose=False)
    references = {seed: _pixels(client.predict("dcgan-mnist", 16, seed, "all", api_name="/generate_images")[0])
                  for seed in range(5)}
    latencies, grids, seeds = _fire(url)
    assert len(grids) == REQUESTS
    assert all(np.array_equal(grid, references[seed]) for grid, seed in zip(grids, seeds))
    p50, p95 = statistics.median(latencies), statistics.quantiles(latencies, n=20)[18]
    print(f"\n{label}: {REQUESTS} concurrent requests, p50 {p50:.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s")
    assert max(latencies) < 120  # no request hangs


def test_fifty_concurrent_requests_all_complete_and_match_seeded_results(live_app):
    _check_and_report(live_app[0], "idle app")


def test_fifty_concurrent_requests_beside_a_training_run(live_app, tmp_path):
    training = subprocess.Popen(  # what the Train tab starts: the CLI trainer in a child process
        [sys.executable, "-m", "genai_demo", "train", "dcgan", "--data-source", "embedded", "--max-steps", "100000",
         "--save-every", "100000", "--sample-every", "100000", "--log-every", "1", "--device", "cpu",
         "--out", str(tmp_path / "run")],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # Training is under way once it has logged a step.
        wait_until(lambda: (tmp_path / "run" / "metrics.jsonl").is_file() or training.poll() is not None,
                   timeout=120, what="the training run's first step")
        assert training.poll() is None
        _check_and_report(live_app[0], "app beside a DCGAN training run")
        assert training.poll() is None  # and the run was never disturbed
    finally:
        training.terminate()
        training.wait(timeout=30)


def _raw_call(url: str, api_name: str, data: list, auth_cookie: str | None = None) -> int:
    """The status of POST /gradio_api/call/<api_name>, as a script without the UI would send it."""
    request = urllib.request.Request(f"{url}gradio_api/call/{api_name}", data=json.dumps({"data": data}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_deployments_refuse_what_a_client_has_no_right_to_do(monkeypatch):
    checkpoint = REPO_ROOT / "checkpoints" / "dcgan-mnist" / "model.safetensors"
    size_before = checkpoint.stat().st_size
    with running_app("--read-only") as (url, _):
        for api_name, data in (("delete_model", ["dcgan-mnist", ""]), ("push_model", ["dcgan-mnist", "me/x", True, "", "hf_x"]),
                               ("rename_model", ["dcgan-mnist", "x", ""]), ("pull_model", ["a/b", ""])):
            REQUESTS_SENT.append(f"read-only {api_name}")
            # No such endpoint in a read-only app (gradio answers a call to a missing one with a bare 500).
            assert _raw_call(url, api_name, data) in (404, 422, 500)
        assert Client(url, verbose=False).predict("dcgan-mnist", 4, 0, "all", api_name="/generate_images")
    monkeypatch.setenv("GENAI_DEMO_AUTH", "ada:s3cret")
    with running_app() as (url, _):
        for api_name, data in (("delete_model", ["someone", ""]), ("generate_images", ["dcgan-mnist", 4, 0, "all"])):
            REQUESTS_SENT.append(f"no login {api_name}")
            assert _raw_call(url, api_name, data) in (401, 403)
    assert checkpoint.stat().st_size == size_before
