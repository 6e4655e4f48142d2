"""Resume state: model, optimizers, step and RNG in one safetensors file, written atomically.

`training_state.safetensors` is the single source of truth for resuming (one file, so a crash
can never leave a model from one step beside optimizer moments from another); its metadata
holds the JSON scalars. `training_state.json` repeats those scalars for people and the UI.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from torch import nn

from genai_demo.errors import CheckpointError, GenaiDemoError
from genai_demo.io_utils import atomic_save_safetensors, atomic_write_json

STATE_WEIGHTS_NAME = "training_state.safetensors"
STATE_JSON_NAME = "training_state.json"
_SCALARS_KEY = "training_state"


def _flatten_optimizer(prefix: str, optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    state_dict = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalar_state: dict[str, dict] = {}
    for param_id, param_state in state_dict["state"].items():
        for key, value in param_state.items():
            if torch.is_tensor(value):
                tensors[f"{prefix}.state.{param_id}.{key}"] = value
            else:
                scalar_state.setdefault(str(param_id), {})[key] = value
    return tensors, {"param_groups": state_dict["param_groups"], "scalar_state": scalar_state}


def _match_parameter_layouts(optimizer: torch.optim.Optimizer) -> None:
    """Give each loaded moment its parameter's memory layout (saved files are contiguous, an NHWC
    weight is not): fused Adam reads the two as the same layout and would mix up their elements."""
    for group in optimizer.param_groups:
        for parameter in group["params"]:
            for key, value in optimizer.state.get(parameter, {}).items():
                if torch.is_tensor(value) and value.shape == parameter.shape and value.stride() != parameter.stride():
                    optimizer.state[parameter][key] = torch.empty_like(parameter, dtype=value.dtype).copy_(value)


def _unflatten_optimizer(prefix: str, tensors: dict[str, torch.Tensor], scalars: dict) -> dict:
    state: dict[int, dict] = {}
    for name, tensor in tensors.items():
        if name.startswith(prefix + ".state."):
            param_id, key = name[len(prefix) + 7 :].split(".", 1)
            state.setdefault(int(param_id), {})[key] = tensor
    for param_id, values in scalars["scalar_state"].items():
        state.setdefault(int(param_id), {}).update(values)
    param_groups = []
    for group in scalars["param_groups"]:
        group = dict(group)
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
        param_groups.append(group)
    return {"state": state, "param_groups": param_groups}


class TrainingDivergedError(GenaiDemoError):
    """A loss became NaN or infinite; the last good checkpoint is kept, nothing is saved."""


def check_finite_weights(model: nn.Module, step: int) -> None:
    """Refuse to save NaN or infinite weights: the checkpoint on disk is the last good one.

    Losses are checked when logged; this catches what diverged between two log steps.
    """
    floats = [tensor for tensor in model.state_dict().values() if tensor.is_floating_point()]
    if floats and not torch.stack([tensor.isfinite().all() for tensor in floats]).all():
        raise TrainingDivergedError(
            f"the weights became NaN or infinite by step {step}; the last saved checkpoint is kept: "
            "try a lower learning rate"
        )


def save_training_state(
    folder: str | Path,
    model: nn.Module,
    optimizers: dict[str, torch.optim.Optimizer],
    rng_generators: dict[str, torch.Generator],
    scalars: dict,
    extra_tensors: dict[str, torch.Tensor] | None = None,
) -> None:
    """Everything needed to continue exactly where training stopped (`extra_tensors`: e.g. EMA weights)."""
    check_finite_weights(model, int(scalars.get("step", 0)))
    folder = Path(folder)
    tensors, seen = {}, set()
    for name, tensor in model.state_dict().items():
        # Tied weights (a GPT's input and output embedding) share memory, which safetensors refuses.
        tensors[f"model.{name}"] = tensor.clone() if tensor.data_ptr() in seen else tensor
        seen.add(tensor.data_ptr())
    tensors.update({f"extra.{name}": tensor.contiguous() for name, tensor in (extra_tensors or {}).items()})
    optimizer_scalars = {}
    for name, optimizer in optimizers.items():
        optimizer_tensors, optimizer_scalars[name] = _flatten_optimizer(f"optimizer.{name}", optimizer)
        tensors.update(optimizer_tensors)
    for name, generator in rng_generators.items():
        tensors[f"rng.{name}"] = generator.get_state()
    all_scalars = {**scalars, "optimizers": optimizer_scalars}
    atomic_save_safetensors(
        folder / STATE_WEIGHTS_NAME, tensors, metadata={_SCALARS_KEY: json.dumps(all_scalars)}
    )
    atomic_write_json(folder / STATE_JSON_NAME, {key: value for key, value in scalars.items()})


def load_training_state(
    folder: str | Path,
    model: nn.Module,
    optimizers: dict[str, torch.optim.Optimizer],
    rng_generators: dict[str, torch.Generator],
    extra_tensors: dict[str, torch.Tensor] | None = None,
) -> dict:
    """Restore model, optimizers and RNGs in place; return the saved scalars (step, ...).

    Saved extra tensors are put into `extra_tensors` when a dict is given.
    """
    path = Path(folder) / STATE_WEIGHTS_NAME
    if not path.is_file():
        raise CheckpointError(f"nothing to resume in {folder}: {STATE_WEIGHTS_NAME} is missing")
    try:
        with safe_open(path, framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
        scalars = json.loads(metadata[_SCALARS_KEY])
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path} is corrupt: {error}") from error
    if extra_tensors is not None:
        extra_tensors.update({name[6:]: tensor for name, tensor in tensors.items() if name.startswith("extra.")})
    model_state = {name[len("model.") :]: tensor for name, tensor in tensors.items() if name.startswith("model.")}
    try:
        model.load_state_dict(model_state, strict=True)
        for name, optimizer in optimizers.items():
            optimizer.load_state_dict(
                _unflatten_optimizer(f"optimizer.{name}", tensors, scalars["optimizers"][name])
            )
            _match_parameter_layouts(optimizer)
        for name, generator in rng_generators.items():
            generator.set_state(tensors[f"rng.{name}"])
    except (RuntimeError, KeyError, ValueError) as error:
        detail = " ".join(str(error).split())[:300]
        raise CheckpointError(f"{path} does not belong to this model: {detail}") from error
    return scalars
