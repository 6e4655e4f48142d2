"""Measure the Playground tab's speed (issue 30): training steps per second of each family, and the
frames per second its Play loop sends while it trains, as one viewer gets them.

    python bench/playground.py --seconds 10 --client --json playground.json

- **Training**: `Playground.train` on ring8 for each family, steps per second (a step: one update of the
  VAE or DDPM, one discriminator update for the GANs, with the generator's after every n_critic-th); beside
  it, for the GAN, a bare loop of the same networks and losses written as pytorch/examples would (the
  reference), so the ratio is the cost of the playground's bookkeeping.
- **Play**: the tab's `play` handler at its default speed (50 steps a frame) for `--seconds` per family:
  frames per second it yields (each a rendered PNG-ready image and curves) and steps per second meanwhile.
- **Viewed** (`--client`): `python app.py` in its own process, one viewer through gradio_client (it
  downloads every frame): frames per second received, and the steps per second the page's status line reports.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genai_demo.data.toy2d import toy_dataset  # noqa: E402
from genai_demo.models.toy2d import Discriminator2D, Generator2D  # noqa: E402
from genai_demo.training.playground import FAMILIES, Playground, PlaygroundConfig  # noqa: E402


def training_rate(family: str, seconds: float) -> float:
    playground = Playground(PlaygroundConfig(family=family))
    playground.train(20)  # warm-up
    began, first = time.perf_counter(), playground.iteration
    while time.perf_counter() - began < seconds:
        playground.train(50)
    return (playground.iteration - first) / (time.perf_counter() - began)


def bare_gan_rate(seconds: float) -> float:
    """The reference: the GAN's two updates as a plain loop (pytorch/examples/dcgan's shape), with
    the playground's defaults (batch, widths, fused Adam) on one thread as the playground trains."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _bare_gan_rate(seconds, PlaygroundConfig().batch_size)
    finally:
        torch.set_num_threads(threads)


def _bare_gan_rate(seconds: float, batch: int) -> float:
    torch.manual_seed(0)
    data, noise = toy_dataset("ring8"), torch.Generator().manual_seed(1)
    generator, discriminator = Generator2D(), Discriminator2D()
    g_optimizer = torch.optim.Adam(generator.parameters(), 1e-3, betas=(0.5, 0.999), fused=True)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), 1e-3, betas=(0.5, 0.999), fused=True)
    bce = torch.nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch), torch.zeros(batch)
    steps, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        real = data.sample(batch, noise)
        fake = generator(torch.randn(batch, 2, generator=noise))
        d_loss = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        d_optimizer.zero_grad()
        d_loss.backward()
        d_optimizer.step()
        g_loss = bce(discriminator(fake), ones)
        g_optimizer.zero_grad()
        g_loss.backward()
        g_optimizer.step()
        d_loss.item(), g_loss.item()  # the playground reads its losses too
        steps += 1
    return steps / (time.perf_counter() - began)


def play_rates(family: str, seconds: float) -> dict:
    from genai_demo.ui import playground as tab
    from genai_demo.ui.state import AppState

    request = SimpleNamespace(session_hash=f"bench-{family}")
    settings = PlaygroundConfig(family=family)
    frames, began = [], None

    def stop_later():
        time.sleep(seconds)
        tab.pause(request=request)

    for _ in tab.play(AppState(device=torch.device("cpu")), "none", family, "ring8", None, 0, settings.learning_rate,
                      settings.discriminator_lr or 1e-3, settings.n_critic, 10.0, tab.DEFAULT_SPEED, 10, request=request):
        if began is None:  # from the first frame on: the run's start-up is not a frame rate
            began = time.perf_counter()
            first_step = tab.SESSIONS.get(request.session_hash).playground.iteration
            threading.Thread(target=stop_later, daemon=True).start()
        frames.append(time.perf_counter())
    elapsed = frames[-1] - began
    steps = tab.SESSIONS.get(request.session_hash).playground.iteration - first_step
    return {"frames_per_second": round((len(frames) - 1) / elapsed, 2), "steps_per_second": round(steps / elapsed, 1)}


def client_rates(families: list[str], seconds: float) -> dict:
    """The app served on this machine and one viewer (gradio_client, which downloads every frame):
    frames per second received, and the steps per second the status line reports."""
    import re
    import socket

    import subprocess
    import urllib.request

    from gradio_client import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The app in its own process, as served: the viewer (this process) does not share its interpreter.
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--device", "cpu"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or app.poll() is not None:
                app.kill()
                raise RuntimeError("the app did not start")
            time.sleep(0.5)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    rates = {}
    try:
        for family in families:
            settings = PlaygroundConfig(family=family)
            job = client.submit("none", family, "ring8", None, 0, settings.learning_rate, settings.discriminator_lr or 1e-3,
                                settings.n_critic, 10.0, 100, 10, api_name="/playground_play")
            times, status = [], ""
            for output in job:
                times.append(time.perf_counter())
                status = output[2]
                if times[-1] - times[0] > seconds:
                    break
            client.predict(api_name="/playground_pause")
            job.cancel()
            match = re.search(r"([\d.]+) steps/s, ([\d.]+) frames/s", status)
            rates[family] = {"client_frames_per_second": round((len(times) - 1) / (times[-1] - times[0]), 2),
                             "client_steps_per_second": float(match.group(1)) if match else None}
            print(json.dumps({"family": family, **rates[family]}), flush=True)
    finally:
        app.terminate()
        app.wait(30)
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement (default 10)")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--client", action="store_true", help="also through the app and gradio_client, as a viewer")
    args = parser.parse_args()
    viewed = client_rates(args.families, args.seconds) if args.client else {}
    rows = []
    for family in args.families:
        row = {"family": family, "training_steps_per_second": round(training_rate(family, args.seconds), 1),
               **{f"play_{key}": value for key, value in play_rates(family, args.seconds).items()}}
        row.update(viewed.get(family, {}))
        if family == "gan":
            row["bare_loop_steps_per_second"] = round(bare_gan_rate(args.seconds), 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"threads": torch.get_num_threads(), "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
