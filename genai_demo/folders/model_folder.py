"""Model folders in the Hugging Face layout: `config.json` + `model.safetensors` + `README.md`.

Diffusion models are diffusers pipeline folders instead (`model_index.json`, see
`pipeline_folder`); the three functions here accept both kinds, so callers need not care.

Loading needs nothing but the folder, and reads only JSON and safetensors: pickle files
(`*.bin`, `*.pt`, `*.ckpt`, `*.pkl`) are never opened, whoever supplied them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

import genai_demo
from genai_demo.errors import ModelLoadError
from genai_demo.families import DIFFUSION_TAB, model_types
from genai_demo.folders.transformers_folder import (
    CAUSAL_LM_TYPE,
    is_transformers_folder,
    load_causal_lm,
    read_causal_lm_config,
)
from genai_demo.io_utils import (
    atomic_save_safetensors,
    atomic_write_json,
    atomic_write_text,
)
from genai_demo.models.building import building_lock
from genai_demo.models import MODEL_CLASSES

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "README.md"
# Keys of config.json that describe the file rather than the architecture.
RESERVED_CONFIG_KEYS = ("model_type", "genai_demo_version")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
HUB_SOURCE_NAME = "hub_source.json"  # where a pulled folder came from (a pushed card's base_model)
PIPELINE_INDEX_NAME = "model_index.json"  # a diffusers pipeline folder
DIFFUSION_MODEL_TYPE = model_types(tab=DIFFUSION_TAB)[0]  # what a diffusers pipeline folder reports


def is_pipeline_folder(folder: str | Path) -> bool:
    return (Path(folder) / PIPELINE_INDEX_NAME).is_file()


def weights_path(folder: str | Path) -> Path:
    """The file whose change means new weights (the cache key of loaded models)."""
    folder = Path(folder)
    if is_pipeline_folder(folder):
        return folder / "unet" / "diffusion_pytorch_model.safetensors"
    if is_transformers_folder(folder):
        return next(iter(sorted(folder.glob("*.safetensors"))), folder / WEIGHTS_NAME)
    return folder / WEIGHTS_NAME


def config_to_dict(model: nn.Module) -> dict:
    return {
        "model_type": model.model_type,
        "genai_demo_version": genai_demo.__version__,
        **dataclasses.asdict(model.config),
    }


def save_model_folder(
    folder: str | Path,
    model: nn.Module,
    card_text: str | None = None,
    weights_metadata: dict[str, str] | None = None,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write config, weights (optionally cast, e.g. to float16) and card; each file atomically."""
    folder = Path(folder)
    if model.model_type == DIFFUSION_MODEL_TYPE:
        from genai_demo.folders.pipeline_folder import save_pipeline_folder  # diffusers loads only when needed

        return save_pipeline_folder(folder, model, card_text)
    folder.mkdir(parents=True, exist_ok=True)
    state = model.state_dict()
    if dtype is not None:
        state = {name: tensor.to(dtype) if tensor.is_floating_point() else tensor for name, tensor in state.items()}
    metadata = {"format": "pt", "model_type": model.model_type, **(weights_metadata or {})}
    atomic_save_safetensors(folder / WEIGHTS_NAME, state, metadata=metadata)
    atomic_write_json(folder / CONFIG_NAME, config_to_dict(model))
    if card_text is not None:
        atomic_write_text(folder / CARD_NAME, card_text)
    return folder


def read_model_config(folder: str | Path) -> tuple[str, object]:
    """Parse and validate `config.json`: returns (model_type, config dataclass)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelLoadError(f"model folder {folder} does not exist or is not a folder")
    if is_pipeline_folder(folder):
        from genai_demo.folders.pipeline_folder import read_pipeline_config  # diffusers loads only when needed

        return DIFFUSION_MODEL_TYPE, read_pipeline_config(folder)
    if is_transformers_folder(folder):
        return CAUSAL_LM_TYPE, read_causal_lm_config(folder)
    config_path = folder / CONFIG_NAME
    if not config_path.is_file():
        raise ModelLoadError(f"{folder} is not a model folder: {CONFIG_NAME} is missing")
    try:
        raw = json.loads(config_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"{config_path} is not valid JSON: {error}") from error
    if not isinstance(raw, dict):
        raise ModelLoadError(f"{config_path} must hold a JSON object")
    model_type = raw.get("model_type")
    if model_type not in MODEL_CLASSES:
        raise ModelLoadError(
            f"{config_path}: unknown model_type {model_type!r}; known: {', '.join(sorted(MODEL_CLASSES))}"
        )
    config_class = MODEL_CLASSES[model_type].config_class
    field_names = {field.name for field in dataclasses.fields(config_class)}
    given = {key: value for key, value in raw.items() if key not in RESERVED_CONFIG_KEYS}
    unknown = sorted(set(given) - field_names)
    missing = sorted(field_names - set(given) - set(getattr(config_class, "added_fields", ())))
    if unknown or missing:
        raise ModelLoadError(
            f"{config_path} does not match model_type {model_type!r}"
            + (f"; unknown keys: {', '.join(unknown)}" if unknown else "")
            + (f"; missing keys: {', '.join(missing)}" if missing else "")
        )
    try:
        return model_type, config_class(**given)
    except (TypeError, ValueError) as error:
        raise ModelLoadError(f"{config_path}: invalid value: {error}") from error


def load_model_folder(folder: str | Path, device: torch.device | str = "cpu") -> nn.Module:
    """Rebuild the model from its folder, in eval mode on `device`."""
    folder = Path(folder)
    if is_pipeline_folder(folder):
        from genai_demo.folders.pipeline_folder import load_pipeline_folder  # diffusers loads only when needed

        return load_pipeline_folder(folder, device)
    if is_transformers_folder(folder):
        return load_causal_lm(folder, device)
    model_type, config = read_model_config(folder)
    weights_path = folder / WEIGHTS_NAME
    if not weights_path.is_file():
        pickles = sorted(path.name for path in folder.iterdir() if path.suffix in PICKLE_SUFFIXES)
        hint = f" ({', '.join(pickles)} found, but pickle files are never loaded)" if pickles else ""
        raise ModelLoadError(f"{folder}: {WEIGHTS_NAME} is missing{hint}")
    try:
        state = load_file(weights_path, device="cpu")
    except (SafetensorError, OSError, ValueError) as error:
        raise ModelLoadError(f"{weights_path} is corrupt or not a safetensors file: {error}") from error
    with building_lock:  # not while another thread's from_pretrained makes new parameters meta
        model = MODEL_CLASSES[model_type](config)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        detail = " ".join(str(error).split())[:400]
        raise ModelLoadError(f"{weights_path} does not fit its {CONFIG_NAME}: {detail}") from error
    return model.to(device).eval()


def hub_source(folder: str | Path) -> dict:
    """`{"repo_id", "revision", "commit"}` of a pulled folder, {} for one made here."""
    try:
        value = json.loads((Path(folder) / HUB_SOURCE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
