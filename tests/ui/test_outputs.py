"""The output folder: a model name is one part of a file name, whatever characters it holds."""

from pathlib import Path

import pytest

from PIL import Image

from genai_demo.ui.outputs import OutputFiles, file_stem


@pytest.mark.parametrize("name, stem", [
    ("dcgan-mnist", "dcgan-mnist"),
    ("dcgan-20260101/best", "dcgan-20260101-best"),  # a run's best checkpoint
    ("hub:google/ddpm-cifar10-32", "hub-google-ddpm-cifar10-32"),
    ("user/dcgan-mnist", "user-dcgan-mnist"),  # a user folder named like a shipped one
    ("../../etc/passwd", "etc-passwd"),
    ("", "output"),
])
def test_a_model_name_becomes_one_file_name_part(name, stem):
    assert file_stem(name) == stem


def test_new_paths_stay_in_the_output_folder(tmp_path):
    outputs = OutputFiles(tmp_path)
    for name in ("dcgan-x/best", "hub:owner/name", "../outside"):
        path = Path(outputs.new_path(name, ".png"))
        assert path.parent == tmp_path and path.is_file()


def test_a_model_folders_file_is_copied_in_to_be_shown(tmp_path):
    source = tmp_path / "run" / "sample_grid.png"
    source.parent.mkdir()
    source.write_bytes(b"\x89PNG grid")
    outputs = OutputFiles(tmp_path / "outputs")
    copy = Path(outputs.copy(source, "run/best"))
    assert copy.parent == tmp_path / "outputs" and copy.suffix == ".png" and copy.read_bytes() == b"\x89PNG grid"


def test_a_burst_of_grids_keeps_the_folder_bounded_and_the_newest_files(tmp_path):
    outputs = OutputFiles(tmp_path / "out", max_files=40)
    grid = Image.new("L", (62, 62), 128)
    paths = [outputs.save_png(grid, "dcgan-mnist", {"seed": str(seed)}) for seed in range(300)]
    left = sorted((tmp_path / "out").iterdir())
    assert len(left) <= 40
    assert all(Path(path).is_file() for path in paths[-30:])  # the newest, which Gradio may still be copying
    assert not Path(paths[0]).exists()


def test_the_app_asks_gradio_to_sweep_its_own_cache():
    import torch

    from genai_demo.ui.app import DELETE_CACHE, build_app
    from genai_demo.ui.state import AppState

    demo = build_app(AppState(torch.device("cpu"), model_roots=[]))
    assert demo.delete_cache == DELETE_CACHE and DELETE_CACHE[1] <= 3600
