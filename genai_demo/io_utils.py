"""Crash-safe file writes: a reader never sees half a file, a crash never destroys the old one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

import torch
from safetensors.torch import save_file

# mkstemp creates files readable by their owner only; model folders are meant to be shared.
FILE_MODE = 0o644


@contextlib.contextmanager
def replaced_atomically(path: str | Path) -> Iterator[str]:
    """Yield a temp file name beside `path` to write; on success it is fsynced and renamed
    over `path`, on any failure (a crash included) `path` keeps its old content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    try:
        yield temp_name
        with open(temp_name, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp_name, FILE_MODE)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "wb") -> Iterator[IO]:
    """An open file whose content replaces `path` atomically when the block ends without error."""
    with replaced_atomically(path) as temp_name, open(temp_name, mode) as handle:
        yield handle


def atomic_write_json(path: str | Path, data: dict) -> None:
    with atomic_write(path, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_write(path, "w") as handle:
        handle.write(text)


def atomic_save_safetensors(
    path: str | Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None
) -> None:
    """safetensors' own writer into a temp name, then a rename over the target."""
    contiguous = {name: tensor.detach().contiguous().cpu() for name, tensor in tensors.items()}
    with replaced_atomically(path) as temp_name:
        save_file(contiguous, temp_name, metadata=metadata)


def save_array(array, path: str | Path) -> Path:
    """A NumPy array as a .npy file, atomically (numpy.load reads it without pickle)."""
    import numpy as np

    with atomic_write(path) as handle:
        np.save(handle, array, allow_pickle=False)
    return Path(path)
