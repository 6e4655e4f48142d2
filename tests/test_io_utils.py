import os

import pytest
import torch
from safetensors.torch import load_file

from genai_demo.io_utils import atomic_save_safetensors, atomic_write, atomic_write_json


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "state.json"
    atomic_write_json(target, {"step": 1})
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w") as handle:
            handle.write('{"step": 2, "half')
            raise RuntimeError("crash in the middle of a write")
    assert target.read_text().strip() == '{\n  "step": 1\n}'
    assert os.listdir(tmp_path) == ["state.json"]


def test_safetensors_round_trip_and_readable_mode(tmp_path):
    target = tmp_path / "model.safetensors"
    atomic_save_safetensors(target, {"weight": torch.arange(6.0).view(2, 3).t()}, {"step": "3"})
    assert torch.equal(load_file(target)["weight"], torch.arange(6.0).view(2, 3).t())
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert os.listdir(tmp_path) == ["model.safetensors"]
