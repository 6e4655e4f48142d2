"""Shared fixtures. The environment is made offline and private before anything imports the Hub."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Set before huggingface_hub / gradio are imported by any test module.
_TEST_HOME = Path(tempfile.mkdtemp(prefix="genai-demo-tests-"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = str(_TEST_HOME / "hf-home")
os.environ["GENAI_DEMO_HOME"] = str(_TEST_HOME / "genai-demo-home")
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.pop("HF_TOKEN", None)

import pytest  # noqa: E402
import torch  # noqa: E402

from genai_demo import cli  # noqa: E402
from genai_demo.data import ImageDataset, dataset_availability, load_image_dataset  # noqa: E402
from genai_demo.data.text import DEBIAN_CORPORA, load_text_corpus  # noqa: E402
from genai_demo.errors import DatasetError  # noqa: E402
from genai_demo.models import DCGANConfig, MLPGANConfig  # noqa: E402
from genai_demo.training import GANTrainer, GANTrainingConfig  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
TINY_DCGAN = DCGANConfig(latent_dim=8, generator_features=4, discriminator_features=4)
TINY_CONFIGS = {
    "dcgan": TINY_DCGAN,
    "mlp-gan": MLPGANConfig(latent_dim=8, generator_hidden=[16, 32], discriminator_hidden=[32, 16]),
}


def pytest_collection_modifyitems(config, items):
    if not torch.cuda.is_available():
        skip_gpu = pytest.mark.skip(reason="needs CUDA")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip_gpu)


def skip_without_debian_data(dataset: str | None = None, corpus: str | None = None) -> None:
    """Skip a test whose image dataset or text corpus is not on this machine, with the loader's own
    message (it names the Debian package). In CI (.ci/run installs the packages) it fails instead."""
    __tracebackhide__ = True  # reports name the test, not this helper
    missing = []
    if dataset not in (None, "mnist"):  # MNIST ships embedded
        missing += [detail for name, here, detail in dataset_availability() if name == dataset and not here]
    if corpus in DEBIAN_CORPORA:
        try:
            load_text_corpus(corpus)
        except DatasetError as error:
            missing.append(str(error))
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing[0]} (.ci/run installs it)")
        pytest.skip(missing[0])


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli_here(capsys):
    """`python -m genai_demo ARGS` as the same `cli.main` in this process: a second interpreter would
    spend 2-3 s importing torch for a check that takes milliseconds. (Tests of the entry point itself,
    signals and child processes still start one.)"""

    def run(*args) -> CliResult:
        capsys.readouterr()
        sigint_handler = signal.getsignal(signal.SIGINT)  # `train` installs its own Ctrl-C handler
        try:
            returncode = cli.main([str(arg) for arg in args])
        except SystemExit as exit_:  # argparse: --help, and errors in the arguments
            returncode = exit_.code
        finally:
            signal.signal(signal.SIGINT, sigint_handler)
        out, err = capsys.readouterr()
        return CliResult(returncode, out, err)

    return run


@pytest.fixture(scope="session")
def mnist_train() -> ImageDataset:
    return load_image_dataset("mnist", split="train", source="embedded")


@pytest.fixture(scope="session")
def tiny_dataset(mnist_train) -> ImageDataset:
    """256 real digits: enough for a few batches, small enough for milliseconds per step."""
    return ImageDataset(
        name="mnist",
        split="train",
        images=mnist_train.images[::17][:256].clone(),
        labels=mnist_train.labels[::17][:256].clone(),
        class_names=mnist_train.class_names,
        source="test subset",
        hub_dataset_id="ylecun/mnist",
    )


def train_tiny_dcgan(
    dataset, output_dir, steps=3, resume=False, stop_event=None, model_type="dcgan", **config_overrides
):
    """Run a tiny GAN (DCGAN unless told) for `steps` in all; return (trainer, events)."""
    settings = dict(max_steps=steps, batch_size=32, log_every=1, sample_every=1000, save_every=1000)
    settings.update(config_overrides)
    trainer = GANTrainer(
        dataset,
        output_dir,
        GANTrainingConfig(**settings),
        model_config=TINY_CONFIGS[model_type],
        model_type=model_type,
        device="cpu",
        resume=resume,
        stop_event=stop_event,
    )
    events = list(trainer.train())
    return trainer, events


@pytest.fixture(scope="session")
def tiny_dcgan_config() -> DCGANConfig:
    return TINY_DCGAN


@pytest.fixture(scope="session")
def train_tiny():
    return train_tiny_dcgan


@pytest.fixture(scope="session")
def tiny_model_folder(tiny_dataset, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "tiny-dcgan"
    train_tiny_dcgan(tiny_dataset, folder, steps=3)
    return folder


def wait_until(condition, timeout: float = 120.0, what: str = "the condition") -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds. Tests wait on what they
    need to see, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not hold within {timeout} s")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Seconds until `url` answers 200; fails early with the server's output if it dies."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            log = getattr(process, "log_path", None)
            output = Path(log).read_text(errors="replace") if log else ""
            pytest.fail(f"app exited with {process.returncode}:\n{output[-5000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.25)
    process.kill()
    pytest.fail(f"app did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def running_app(*extra_args: str):
    """`python app.py` (the README's run command) on a free port, offline; yields (url, launch time)."""
    port = free_port()
    launched = time.perf_counter()
    # The server's output goes to a file: a pipe nobody reads fills up (64 KB) after enough
    # logged errors, and the server then blocks on its next print.
    log = tempfile.NamedTemporaryFile(prefix="genai-demo-app-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), "--device", "cpu", *extra_args],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_path = log.name
    log.close()
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, timeout=90)
        yield url, launched
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


HUB_TEST_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def hub_cache_snapshot(cache_dir: Path, repo_id: str, repo_type: str = "model") -> Path:
    """An empty snapshot of `repo_id` in the Hub cache layout (refs/main -> snapshots/<commit>/):
    fill it, and huggingface_hub finds it offline exactly as if it had been downloaded."""
    repo_folder = Path(cache_dir) / f"{repo_type}s--{repo_id.replace('/', '--')}"
    snapshot = repo_folder / "snapshots" / HUB_TEST_COMMIT
    snapshot.mkdir(parents=True)
    (repo_folder / "refs").mkdir()
    (repo_folder / "refs" / "main").write_text(HUB_TEST_COMMIT)
    return snapshot


@pytest.fixture
def hub_cache(tmp_path, monkeypatch) -> Path:
    """An empty Hub cache that huggingface_hub uses for this test."""
    from huggingface_hub import constants

    cache = tmp_path / "hub-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def user_diffusion_model() -> str:
    """A tiny random diffusion pipeline in the user models folder, which the app lists and loads."""
    from genai_demo.folders.model_folder import save_model_folder
    from genai_demo.folders.registry import user_models_dir
    from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

    torch.manual_seed(0)
    model = DiffusionModel(DiffusionConfig(block_out_channels=[8, 16], attention=False))
    save_model_folder(user_models_dir() / "tiny-ddpm-test", model, card_text="# tiny test pipeline\n")
    return "tiny-ddpm-test"


@pytest.fixture(scope="session")
def user_guided_diffusion_model() -> str:
    """A tiny random guided class-conditional diffusion pipeline on MNIST digits, with thickness and
    slant bins, in the user models folder."""
    from genai_demo.folders.model_folder import save_model_folder
    from genai_demo.folders.registry import user_models_dir
    from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

    torch.manual_seed(0)
    config = DiffusionConfig(block_out_channels=[8, 16], attention=False, num_class_embeds=10, attributes=True)
    card = "---\ntags:\n- genai-demo\n- ddpm\n- mnist\n---\n# tiny guided test pipeline\n"
    save_model_folder(user_models_dir() / "tiny-cddpm-test", DiffusionModel(config), card_text=card)
    return "tiny-cddpm-test"


@pytest.fixture(scope="session")
def user_text_model() -> str:
    """A tiny char LSTM in the user models folder, trained for a few steps on Python code."""
    from genai_demo.data.text import TextCorpus, load_text_corpus
    from genai_demo.folders.registry import user_models_dir
    from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig

    corpus = TextCorpus("python-code", load_text_corpus("python-code").text[:20_000], "test slice")
    config = TextTrainingConfig(max_steps=5, batch_size=8, block_size=32, eval_every=1000, save_every=1000)
    trainer = TextTrainer(corpus, user_models_dir() / "tiny-char-lstm-test", config, "char-lstm",
                          dict(embedding_dim=8, hidden_size=32, num_layers=1))
    list(trainer.train())
    return "tiny-char-lstm-test"


@pytest.fixture(scope="session")
def slow_text_model() -> str:
    """A wide 4-layer char LSTM (untrained): 2,048 tokens take tens of seconds on a CPU, so a
    Stop test can tell a stopped stream from a finished one on any machine."""
    from genai_demo.folders.registry import user_models_dir
    from genai_demo.models.char_lstm import CharLSTM, CharLSTMConfig
    from genai_demo.folders.model_folder import save_model_folder

    config = CharLSTMConfig.for_text("abcdefghijklmnopqrstuvwxyz \n", embedding_dim=32, hidden_size=512, num_layers=4)
    save_model_folder(user_models_dir() / "slow-char-lstm-test", CharLSTM(config), card_text="# slow test model\n")
    return "slow-char-lstm-test"


@pytest.fixture(scope="session")
def live_app():
    with running_app() as app:
        yield app


def pytest_terminal_summary(terminalreporter):
    """After the robustness suite: how many bad inputs were tried, faults injected and requests sent."""
    from tests.robustness import tally

    counts = {"bad inputs tried": len(tally.BAD_INPUTS_TRIED), "faults injected": len(tally.FAULTS_INJECTED),
              "requests sent": len(tally.REQUESTS_SENT)}
    if any(counts.values()):
        terminalreporter.write_line("robustness: " + ", ".join(f"{name}: {count}" for name, count in counts.items()))
