"""How responsive generation stays while a job trains: /generate_images latency, idle vs training.

Starts `python app.py`, times calls of the /generate_images API (64 samples from the shipped
DCGAN) with nothing else running, then again while the app's job manager trains a run (the
same child process the Train tab starts), and prints the medians and their ratio.

    python bench/generate_during_training.py              # DCGAN training on CPU, 10 calls each
    python bench/generate_during_training.py --model ddpm --device cuda
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from genai_demo.jobs import JobManager  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_calls(client, calls: int) -> list[float]:
    seconds = []
    for seed in range(calls):
        start = time.perf_counter()
        client.predict("dcgan-mnist", 64, seed, api_name="/generate_images")
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--model", default="dcgan", help="the family the job trains (default: dcgan)")
    parser.add_argument("--device", default="cpu", help="device of the app and of the job")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from gradio_client import Client

    home = Path(tempfile.mkdtemp(prefix="genai-demo-bench-"))
    environment = {**os.environ, "GENAI_DEMO_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False"}
    os.environ.update(environment)
    port = free_port()
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--device", args.device],
                           cwd=REPO_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = None
        for _ in range(120):
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:
                time.sleep(1)
        if client is None:
            raise SystemExit("the app did not start")
        time_calls(client, 2)  # warm-up: model load and caches
        idle = time_calls(client, args.calls)

        jobs = JobManager(home / "models")
        job = jobs.submit("bench-run", [args.model, "--max-steps", "1000000", "--data-source", "embedded",
                                        "--device", args.device, "--sample-every", "200"])
        while job.step < 20:
            if not job.active:
                raise SystemExit(f"the training job ended: {job.message}")
            time.sleep(0.2)
        training = time_calls(client, args.calls)
        samples_per_second = job.samples_per_second
        jobs.stop(job.id)
        jobs.wait(job)
    finally:
        app.terminate()
        app.wait(timeout=30)

    result = {
        "idle_median_s": round(statistics.median(idle), 3),
        "training_median_s": round(statistics.median(training), 3),
        "ratio": round(statistics.median(training) / statistics.median(idle), 2),
        "job": args.model, "job_samples_per_second": round(samples_per_second), "calls": args.calls,
        "cpu_count": os.cpu_count(), "device": args.device,
    }
    print(f"/generate_images, 64 DCGAN samples: idle {result['idle_median_s']} s, while a {args.model} job trains "
          f"{result['training_median_s']} s (ratio {result['ratio']}); the job ran at {result['job_samples_per_second']} "
          "samples/s")
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
