"""Diffusion models as ordinary diffusers pipeline folders: `model_index.json`, `unet/`, `scheduler/`.

`DiffusionPipeline.from_pretrained(folder)` loads an unconditional folder with no code of ours; a
class-conditional folder carries its small pipeline class (`class_conditional_pipeline.py`),
which diffusers runs with `trust_remote_code=True`. Our own loader reads only the JSON configs
and the safetensors weights: it never imports the .py file of a folder and never unpickles.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import torch

from genai_demo.errors import ModelLoadError
from genai_demo.io_utils import atomic_write_text
from genai_demo.models.building import building_lock
from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

MODEL_INDEX_NAME = "model_index.json"
# A conditional model's classes, guidance and attribute bins (diffusers ignores the file).
CONDITIONING_NAME = "conditioning.json"
UNET_WEIGHTS_PATH = Path("unet") / "diffusion_pytorch_model.safetensors"
CONDITIONAL_PIPELINE_MODULE = "class_conditional_pipeline"
CONDITIONAL_PIPELINE_CLASS = "ClassConditionalDDPMPipeline"
_CONDITIONAL_PIPELINE_SOURCE = Path(__file__).with_name(f"{CONDITIONAL_PIPELINE_MODULE}.py")
# Schedulers whose config holds a DDPM-style beta schedule we can sample with.
_NOISE_SCHEDULERS = {"DDPMScheduler", "DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler",
                     "EulerDiscreteScheduler", "ScoreSdeVeScheduler"}


def is_pipeline_folder(folder: str | Path) -> bool:
    return (Path(folder) / MODEL_INDEX_NAME).is_file()


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ModelLoadError(f"{path} is missing: not a complete diffusers pipeline folder") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise ModelLoadError(f"{path} must hold a JSON object")
    return value


def _read_conditioning(folder: Path) -> dict | None:
    path = folder / CONDITIONING_NAME
    return _read_json(path) if path.is_file() else None


def _read_parts(folder: Path) -> tuple[dict, dict]:
    index = _read_json(folder / MODEL_INDEX_NAME)
    unet_entry, scheduler_entry = index.get("unet"), index.get("scheduler")
    if not (isinstance(unet_entry, list) and unet_entry[-1] == "UNet2DModel"):
        raise ModelLoadError(
            f"{folder}: only image pipelines with a UNet2DModel (DDPM/DDIM style) are supported, "
            f"this one has unet={unet_entry!r}"
        )
    if not (isinstance(scheduler_entry, list) and scheduler_entry[-1] in _NOISE_SCHEDULERS):
        raise ModelLoadError(f"{folder}: unsupported scheduler {scheduler_entry!r}")
    return _read_json(folder / "unet" / "config.json"), _read_json(folder / "scheduler" / "scheduler_config.json")


def read_pipeline_config(folder: str | Path) -> DiffusionConfig:
    return _describe(folder, *_read_parts(Path(folder)), _read_conditioning(Path(folder)))


def _describe(folder: str | Path, unet_config: dict, scheduler_config: dict,
              conditioning: dict | None) -> DiffusionConfig:
    try:
        config = DiffusionConfig.describe(unet_config, scheduler_config, conditioning)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelLoadError(f"{folder}: unsupported UNet, scheduler or conditioning config: {error}") from error
    if config.unet_class_embeds != unet_config.get("num_class_embeds"):
        raise ModelLoadError(f"{folder}: {CONDITIONING_NAME} does not match the UNet's class embeddings")
    return config


def load_pipeline_folder(folder: str | Path, device: torch.device | str = "cpu") -> DiffusionModel:
    """Our model from a pipeline folder, reading only JSON and safetensors."""
    folder = Path(folder)
    unet_config, scheduler_config = _read_parts(folder)
    config = _describe(folder, unet_config, scheduler_config, _read_conditioning(folder))  # JSON read once
    if not (folder / UNET_WEIGHTS_PATH).is_file():
        others = sorted(path.name for path in (folder / "unet").glob("*") if path.suffix in (".bin", ".pt", ".ckpt"))
        hint = f" ({', '.join(others)} found, but pickle files are never loaded)" if others else ""
        raise ModelLoadError(f"{folder}: {UNET_WEIGHTS_PATH} is missing{hint}")
    try:
        from diffusers import DDPMScheduler, UNet2DModel  # loads only when a model does: listing reads JSON

        with building_lock:  # and no meta parameters (low_cpu_mem_usage), for other threads' sake
            unet = UNet2DModel.from_pretrained(folder / "unet", use_safetensors=True, low_cpu_mem_usage=False)
    except (OSError, ValueError, RuntimeError, TypeError) as error:
        raise ModelLoadError(f"{folder / 'unet'} cannot be loaded: {' '.join(str(error).split())[:300]}") from error
    known = {key: value for key, value in scheduler_config.items() if not key.startswith("_")}
    scheduler = DDPMScheduler.from_config({**known, "prediction_type": known.get("prediction_type", "epsilon")})
    if scheduler.config.prediction_type != "epsilon":
        raise ModelLoadError(f"{folder}: only noise-predicting (epsilon) models are supported")
    return DiffusionModel(config, unet, scheduler).to(device).eval()


def save_pipeline_folder(folder: str | Path, model: DiffusionModel, card_text: str | None = None) -> Path:
    """Write the pipeline folder; every file is replaced atomically (written beside, then renamed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from diffusers import DDPMPipeline

    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".saving-"))
    try:
        DDPMPipeline(unet=model.unet, scheduler=model.noise_scheduler).save_pretrained(
            staging, safe_serialization=True
        )
        if model.is_conditional:
            index_path = staging / MODEL_INDEX_NAME
            index = json.loads(index_path.read_text(encoding="utf-8"))
            index["_class_name"] = [CONDITIONAL_PIPELINE_MODULE, CONDITIONAL_PIPELINE_CLASS]
            index_path.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
            shutil.copyfile(_CONDITIONAL_PIPELINE_SOURCE, staging / _CONDITIONAL_PIPELINE_SOURCE.name)
            (staging / CONDITIONING_NAME).write_text(json.dumps(model.config.conditioning(), indent=2) + "\n",
                                                     encoding="utf-8")
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                target = folder / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(path, 0o644)
                os.replace(path, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if card_text is not None:
        atomic_write_text(folder / "README.md", card_text)
    return folder
