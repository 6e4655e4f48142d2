"""Models from the Hugging Face Hub: download (or find in the cache) only the files we load.

Only JSON configs and safetensors weights are fetched; a repository that has pickle weights
only (`*.bin`) is refused with a clear message instead of being unpickled.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from huggingface_hub import HfApi, constants, snapshot_download
from huggingface_hub.errors import (  # HTTPError: of the client the Hub library uses
    GatedRepoError,
    HfHubHTTPError,
    HTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import HFValidationError, validate_repo_id

from genai_demo.errors import InvalidInputError, ModelLoadError
from genai_demo.folders.model_folder import (
    HUB_SOURCE_NAME,
    PICKLE_SUFFIXES,
    hub_source,
    read_model_config,
)

# Seconds to wait for the Hub's answer before falling back to the cache: an unreachable Hub
# must give a clear message in under 10 s.
HUB_TIMEOUT_SECONDS = 8
# What a diffusers image pipeline needs for our loader (see pipeline_folder).
DIFFUSION_PIPELINE_FILES = [
    "model_index.json",
    "README.md",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "scheduler/scheduler_config.json",
]


def check_repo_id(repo_id: str) -> str:

    repo_id = (repo_id or "").strip()
    if not repo_id:
        raise InvalidInputError("enter a Hub model id such as google/ddpm-cifar10-32")
    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        raise InvalidInputError(
            f"{repo_id!r} is not a Hub model id: use owner/name, e.g. google/ddpm-cifar10-32"
        ) from None
    return repo_id


def hub_is_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub read it at import (it refuses every request then)."""

    return bool(constants.is_offline_mode())


def _hub_error_message(repo_id: str, error: Exception) -> str:
    return f"cannot download {repo_id}: {' '.join(str(error).split())[:200]}"


def hub_commit(repo_id: str, revision: str | None = None, endpoint: str | None = None) -> str | None:
    """The commit the Hub serves for `repo_id@revision`, or None when it cannot be asked (offline,
    or no answer within HUB_TIMEOUT_SECONDS): then the local cache decides.

    huggingface_hub waits for the Hub's metadata without a time limit; this question has one, so
    an unreachable Hub costs seconds, not a hang.
    """

    if hub_is_offline():
        return None
    try:
        info = HfApi(endpoint=endpoint).model_info(repo_id, revision=revision, timeout=HUB_TIMEOUT_SECONDS)
    except HfHubHTTPError:
        raise  # the Hub answered (no such repo, gated, ...): say so
    except (HTTPError, OSError):  # no answer: timeout, refused connection, unknown host
        return None
    return info.sha


def download_model_files(
    repo_id: str,
    allow_patterns: list[str],
    local_files_only: bool = False,
    revision: str | None = None,
    endpoint: str | None = None,
) -> Path:
    """The snapshot folder of `repo_id` holding `allow_patterns`: from the cache, else downloaded.

    Download progress is reported by huggingface_hub's tqdm bars (the UI tracks them).
    """

    repo_id = check_repo_id(repo_id)
    revision = (revision or "").strip() or None
    at = f"{repo_id}@{revision}" if revision else repo_id
    try:
        commit = None if local_files_only else hub_commit(repo_id, revision, endpoint)
        return Path(
            snapshot_download(
                repo_id,
                revision=commit or revision,
                allow_patterns=allow_patterns,
                etag_timeout=HUB_TIMEOUT_SECONDS,
                local_files_only=local_files_only or commit is None,
                endpoint=endpoint,
            )
        )
    except GatedRepoError:
        raise ModelLoadError(
            f"{repo_id} is gated: accept its licence on huggingface.co and set HF_TOKEN"
        ) from None
    except RevisionNotFoundError:
        raise ModelLoadError(f"{repo_id} has no revision {revision!r} (a branch, tag or commit)") from None
    except RepositoryNotFoundError:
        raise ModelLoadError(f"no model {repo_id} on the Hub (or it is private: set HF_TOKEN)") from None
    except LocalEntryNotFoundError:
        why = (
            "HF_HUB_OFFLINE is set"
            if hub_is_offline() or local_files_only
            else f"the Hub did not answer within {HUB_TIMEOUT_SECONDS} s"
        )
        raise ModelLoadError(f"{at} is not in the local Hub cache and {why}: go online once to download it") from None
    except (HfHubHTTPError, OSError) as error:
        raise ModelLoadError(_hub_error_message(repo_id, error)) from None


def download_diffusion_pipeline(repo_id: str, local_files_only: bool = False) -> Path:
    """A diffusers image pipeline from the Hub as a local folder our loader reads."""
    folder = download_model_files(repo_id, DIFFUSION_PIPELINE_FILES, local_files_only)
    if not (folder / "model_index.json").is_file():
        raise ModelLoadError(f"{repo_id} is not a diffusers pipeline (no model_index.json)")
    if not (folder / "unet" / "diffusion_pytorch_model.safetensors").is_file():
        raise ModelLoadError(
            f"{repo_id} has no unet/diffusion_pytorch_model.safetensors: only safetensors weights are "
            "loaded here (pickle .bin files can run code)"
        )
    return folder


# What a pull fetches: weights, configs, tokenizers, the card and its images, metrics. Never code
# and never pickles, so nothing fetched can run.
PULL_PATTERNS = ["*.safetensors", "*.json", "*.jsonl", "tokenizer*", "*.model", "*.txt", "*.md", "*.png"]


def pulled_folder_name(repo_id: str) -> str:
    """`owner/name` -> `owner--name`, the Hub cache's own spelling: unique and a valid folder name."""
    return repo_id.replace("/", "--")


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to the cached blob (no second copy on disk), or a copy across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source.resolve(), target)
    except OSError:
        shutil.copy2(source.resolve(), target)


def pull_model(
    repo_id: str,
    models_dir: Path,
    revision: str | None = None,
    endpoint: str | None = None,
) -> Path:
    """Download (or take from the cache) a Hub model and add it to `models_dir` as `owner--name`.

    The folder must be one the app can load (checked before it is added); pulling the same repo
    again replaces the earlier copy, and a user folder of that name from elsewhere is never overwritten.
    """
    repo_id = check_repo_id(repo_id)
    snapshot = download_model_files(repo_id, PULL_PATTERNS, revision=revision, endpoint=endpoint)
    try:
        model_type, _ = read_model_config(snapshot)
    except ModelLoadError as error:
        raise ModelLoadError(f"{repo_id} cannot be used here: {error}".replace(str(snapshot), repo_id)) from None
    target = Path(models_dir) / pulled_folder_name(repo_id)
    if target.exists():
        source = hub_source(target)
        if source.get("repo_id") != repo_id:
            raise InvalidInputError(f"a model called {target.name} already exists: rename or delete it first")
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    for path in sorted(snapshot.rglob("*")):
        if path.is_file() and path.suffix not in PICKLE_SUFFIXES:
            _link_or_copy(path, partial / path.relative_to(snapshot))
    commit = snapshot.name
    (partial / HUB_SOURCE_NAME).write_text(
        json.dumps({"repo_id": repo_id, "revision": revision or "main", "commit": commit, "model_type": model_type},
                   indent=2) + "\n"
    )
    # Swap in the complete folder: a failed pull leaves the previous copy as it was.
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        partial.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        partial.rename(target)
    return target
