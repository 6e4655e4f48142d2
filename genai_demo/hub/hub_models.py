"""Models from the Hugging Face Hub: download (or find in the cache) only the files we load.

Only JSON configs and safetensors weights are fetched; a repository that has pickle weights
only (`*.bin`) is refused with a clear message instead of being unpickled.
"""

from __future__ import annotations

import os
from pathlib import Path

from genai_demo.errors import InvalidInputError, ModelLoadError

HUB_TIMEOUT_SECONDS = 10
# What a diffusers image pipeline needs for our loader (see pipeline_folder).
DIFFUSION_PIPELINE_FILES = [
    "model_index.json",
    "README.md",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "scheduler/scheduler_config.json",
]


def check_repo_id(repo_id: str) -> str:
    from huggingface_hub.utils import HFValidationError, validate_repo_id

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
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def download_model_files(repo_id: str, allow_patterns: list[str], local_files_only: bool = False) -> Path:
    """The snapshot folder of `repo_id` holding `allow_patterns`: from the cache, else downloaded.

    Download progress is reported by huggingface_hub's tqdm bars (the UI tracks them).
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    repo_id = check_repo_id(repo_id)
    try:
        return Path(
            snapshot_download(
                repo_id,
                allow_patterns=allow_patterns,
                etag_timeout=HUB_TIMEOUT_SECONDS,
                local_files_only=local_files_only,
            )
        )
    except GatedRepoError:
        raise ModelLoadError(
            f"{repo_id} is gated: accept its licence on huggingface.co and set HF_TOKEN"
        ) from None
    except (RepositoryNotFoundError, RevisionNotFoundError):
        raise ModelLoadError(f"no model {repo_id} on the Hub (or it is private: set HF_TOKEN)") from None
    except LocalEntryNotFoundError:
        why = "HF_HUB_OFFLINE is set" if hub_is_offline() or local_files_only else "the Hub cannot be reached"
        raise ModelLoadError(
            f"{repo_id} is not in the local Hub cache and {why}: go online once to download it"
        ) from None
    except (HfHubHTTPError, OSError) as error:
        raise ModelLoadError(f"cannot download {repo_id}: {' '.join(str(error).split())[:200]}") from None


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
