"""Choose the compute device once and pass it down; no `.cuda()` calls elsewhere."""

from __future__ import annotations

import torch

from genai_demo.errors import InvalidInputError


def resolve_device(requested: str | None = "auto") -> torch.device:
    """`auto` -> cuda if available, else mps, else cpu; an explicit name is checked, not trusted."""
    requested = (requested or "auto").strip().lower()
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as error:
        raise InvalidInputError(
            f"unknown device {requested!r}: use auto, cpu, cuda or cuda:N"
        ) from error
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InvalidInputError(f"device {requested!r} asked for, but CUDA is not available here")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise InvalidInputError(
            f"device {requested!r} asked for, but only {torch.cuda.device_count()} GPU(s) exist"
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise InvalidInputError(f"device {requested!r} asked for, but MPS is not available here")
    if device.type not in ("cpu", "cuda", "mps"):
        raise InvalidInputError(f"unsupported device {requested!r}: use auto, cpu, cuda or cuda:N")
    return device


def has_fast_bfloat16(device: torch.device) -> bool:
    """Whether bfloat16 matmuls and convolutions run faster than float32 here: CUDA, and CPUs with
    bfloat16 instructions (AVX-512 BF16 or AMX), where oneDNN runs them natively. On other CPUs
    bfloat16 is emulated and slower."""
    if device.type == "cuda":
        return True
    if device.type != "cpu":
        return False
    checks = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    try:  # private helpers of torch.cpu: missing ones count as no
        return any(check is not None and check() for check in checks)
    except RuntimeError:
        return False


def device_memory(device) -> dict[str, float]:
    """CUDA memory a trainer holds on its device, in MB (nothing on other devices): the Train tab shows it."""
    if device.type != "cuda":
        return {}
    return {"cuda_allocated_mb": round(torch.cuda.memory_allocated(device) / 2**20, 1),
            "cuda_reserved_mb": round(torch.cuda.memory_reserved(device) / 2**20, 1)}


def out_of_memory_message(device: str, batch_size: int) -> str:
    smaller = max(1, batch_size // 4)
    return f"out of {device} memory at batch size {batch_size}: try {smaller} (the last saved checkpoint is kept)"
