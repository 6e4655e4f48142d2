"""Folders of transformers causal LMs (our tiny GPT, Hub models): safetensors + tokenizer files.

Loaded with `trust_remote_code=False` and `use_safetensors=True`: no code from the folder runs
and no pickle is opened.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from genai_demo.errors import ModelLoadError
from genai_demo.models.building import building_lock
from genai_demo.models.causal_lm import CausalLM

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "tokenizer.model")
CAUSAL_LM_TYPE = CausalLM.model_type


def is_transformers_folder(folder: str | Path) -> bool:
    """config.json written by transformers (it names architectures) beside tokenizer files."""
    folder = Path(folder)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return (
        isinstance(config, dict)
        and isinstance(config.get("architectures"), list)
        and any((folder / name).is_file() for name in TOKENIZER_FILES)
    )


def read_causal_lm_config(folder: str | Path) -> dict:
    config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    if not any(str(name).endswith("ForCausalLM") or name == "GPT2LMHeadModel" for name in config["architectures"]):
        raise ModelLoadError(f"{folder} is a {config['architectures']} model, not a causal language model")
    return config


def load_causal_lm(folder: str | Path, device: torch.device | str = "cpu"):
    from transformers import (  # transformers is slow to import: loaded only when needed
        AutoModelForCausalLM,
        AutoTokenizer,
    )


    folder = Path(folder)
    read_causal_lm_config(folder)
    if not list(folder.glob("*.safetensors")):
        pickles = sorted(path.name for path in folder.glob("*.bin"))
        hint = f" ({', '.join(pickles)} found, but pickle files are never loaded)" if pickles else ""
        raise ModelLoadError(f"{folder} has no safetensors weights{hint}")
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        with building_lock:
            model = AutoModelForCausalLM.from_pretrained(folder, use_safetensors=True, trust_remote_code=False)
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise ModelLoadError(f"{folder} cannot be loaded: {' '.join(str(error).split())[:300]}") from None
    return CausalLM(model, tokenizer).to(device).eval()
