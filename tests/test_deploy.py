"""The Dockerfile: linted by hadolint, and its RUN steps exercised here (no registry for base images
is reachable, so `docker build` itself cannot run on this machine)."""

import re
import shutil
import subprocess

import pytest

from conftest import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def run_steps() -> list[str]:
    """Each RUN instruction as one shell command (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line[4:].strip() for line in joined.splitlines() if line.startswith("RUN ")]


def test_hadolint_passes():
    hadolint = shutil.which("hadolint") or pytest.fail("hadolint is missing: pip install -r requirements-test.txt")
    result = subprocess.run([hadolint, "Dockerfile"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_serves_on_7860_as_uid_1000_with_a_healthcheck():
    assert "USER 1000" in DOCKERFILE and "--uid 1000" in DOCKERFILE
    assert "EXPOSE 7860" in DOCKERFILE and "GRADIO_SERVER_PORT=7860" in DOCKERFILE
    assert "GRADIO_SERVER_NAME=0.0.0.0" in DOCKERFILE and "GRADIO_ANALYTICS_ENABLED=False" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and 'CMD ["python", "app.py"]' in DOCKERFILE
    # Requirements are installed before the code is copied, so code changes reuse that layer.
    assert DOCKERFILE.index("COPY --chown=1000 requirements.txt") < DOCKERFILE.index("pip install -r requirements.txt")
    assert DOCKERFILE.index("pip install -r requirements.txt") < DOCKERFILE.index("COPY --chown=1000 . .")
    packages = (REPO_ROOT / "packages.txt").read_text().split()
    apt_step = next(step for step in run_steps() if "apt-get install" in step)
    assert all(package in apt_step.split() for package in packages)  # the same Debian packages as the Space
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert ".git" in ignored and any(entry.startswith("runs") for entry in ignored)


def test_docker_stop_reaches_the_app_through_an_init_on_a_pinned_base():
    """`docker stop` sends SIGTERM to PID 1: tini forwards it to the app, which saves running trainings
    (tests/e2e/test_shutdown.py); the base is a Debian release, not a tag that moves."""
    base = re.search(r"^FROM (\S+)", DOCKERFILE, flags=re.M).group(1)
    assert re.fullmatch(r"python:3\.\d+-slim-(bookworm|trixie)", base), base
    assert 'ENTRYPOINT ["/usr/bin/tini", "--"]' in DOCKERFILE
    assert "tini" in next(step for step in run_steps() if "apt-get install" in step).split()


@pytest.mark.slow
def test_the_run_steps_work_as_a_script(tmp_path):
    """Every RUN step, made safe to run on this machine: apt-get only simulates (no root changes, no
    network), useradd is skipped (it would add a user here), and pip resolves everything in a fresh
    venv with --dry-run against this machine's package index instead of download.pytorch.org."""
    script = ["set -eu", f'cd "{REPO_ROOT}"', f'python3 -m venv "{tmp_path / "venv"}"',
              f'. "{tmp_path / "venv" / "bin" / "activate"}"', 'TORCH_INDEX_URL="${PIP_INDEX_URL:-https://pypi.org/simple}"']
    for step in run_steps():
        if step.startswith("useradd"):
            continue
        if "apt-get" in step:
            install = re.search(r"apt-get install (.*?)(&&|$)", step).group(1)
            step = f"apt-get -s install {install}"
        step = step.replace("pip install", "pip install --dry-run --quiet")
        script.append(step)
    assert len(script) == 5 + 2, script  # the apt step and the pip step ran; useradd was the only one skipped
    result = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "Inst fortunes-zh" in result.stdout or "fortunes-zh is already the newest version" in result.stdout


def test_the_readme_is_a_valid_spaces_card():
    import gradio
    from huggingface_hub import SpaceCard

    card = SpaceCard.load(REPO_ROOT / "README.md").data
    assert card.sdk == "gradio" and card.app_file == "app.py" and (REPO_ROOT / card.app_file).is_file()
    assert str(card.python_version) == "3.11"
    assert card.sdk_version.split(".")[0] == gradio.__version__.split(".")[0]  # the major the app is tested with
    assert card.suggested_hardware in ("cpu-basic", "cpu-upgrade", "t4-small", "t4-medium", "l4x1", "a10g-small",
                                       "a10g-large", "a100-large", "zero-a10g")
    assert 0 < len(card.short_description) <= 60  # the Hub's limit
    assert {"ylecun/mnist", "zalando-datasets/fashion_mnist"} <= set(card.datasets)
    assert all("/" in model for model in card.models) and card.tags
