import json
import shutil

import pytest
import torch
from conftest import hub_cache_snapshot

from genai_demo.errors import InvalidInputError, ModelLoadError
from genai_demo.hub.hub_models import download_diffusion_pipeline
from genai_demo.folders.model_folder import load_model_folder, save_model_folder
from genai_demo.folders.registry import discover_models
from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

TINY_RGB = dict(image_size=32, image_channels=3, block_out_channels=[8, 16], attention=True, num_train_timesteps=50)


@pytest.fixture(scope="module")
def tiny_pipeline_folder(tmp_path_factory):
    """A random 32x32 RGB pipeline, the shape of google/ddpm-cifar10-32 in miniature."""
    torch.manual_seed(0)
    model = DiffusionModel(DiffusionConfig(**TINY_RGB))
    folder = tmp_path_factory.mktemp("pipelines") / "tiny-ddpm"
    save_model_folder(folder, model, card_text="---\nlicense: mit\n---\n# tiny\n")
    return folder


def test_folder_round_trips_and_samples_the_same(tiny_pipeline_folder):
    first = load_model_folder(tiny_pipeline_folder)
    second = load_model_folder(tiny_pipeline_folder)
    noise = first.sample_latents(2, 3)
    assert torch.equal(first.generate(noise, num_inference_steps=3), second.generate(noise, num_inference_steps=3))
    assert first.config.image_size == 32 and first.config.image_channels == 3


def test_registry_lists_pipeline_folders(tiny_pipeline_folder):
    entries = discover_models([tiny_pipeline_folder.parent])
    assert [(entry.name, entry.model_type) for entry in entries] == [("tiny-ddpm", "ddpm")]


def test_pickle_only_weights_are_refused(tiny_pipeline_folder, tmp_path):
    folder = tmp_path / "pickled"
    shutil.copytree(tiny_pipeline_folder, folder)
    (folder / "unet" / "diffusion_pytorch_model.safetensors").rename(folder / "unet" / "diffusion_pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="pickle files are never loaded"):
        load_model_folder(folder)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda index: index.update(unet=["transformers", "CLIPTextModel"]), "only image pipelines with a UNet2DModel"),
        (lambda index: index.pop("scheduler"), "unsupported scheduler"),
    ],
)
def test_unsupported_pipelines_are_clear_errors(tiny_pipeline_folder, tmp_path, change, message):
    folder = tmp_path / "odd"
    shutil.copytree(tiny_pipeline_folder, folder)
    index = json.loads((folder / "model_index.json").read_text())
    change(index)
    (folder / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ModelLoadError, match=message):
        load_model_folder(folder)


def test_corrupt_unet_config_is_a_clear_error(tiny_pipeline_folder, tmp_path):
    folder = tmp_path / "corrupt"
    shutil.copytree(tiny_pipeline_folder, folder)
    (folder / "unet" / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        load_model_folder(folder)


def test_hub_pipeline_loads_from_the_cache_offline(tiny_pipeline_folder, hub_cache):
    snapshot = hub_cache_snapshot(hub_cache, "google/ddpm-tiny-test")
    shutil.copytree(tiny_pipeline_folder, snapshot, dirs_exist_ok=True)
    folder = download_diffusion_pipeline("google/ddpm-tiny-test")
    assert folder == snapshot
    images = load_model_folder(folder).generate(torch.randn(1, 3, 32, 32), num_inference_steps=2)
    assert images.shape == (1, 3, 32, 32)


def test_hub_pipeline_without_safetensors_is_refused(tiny_pipeline_folder, hub_cache):
    snapshot = hub_cache_snapshot(hub_cache, "someone/pickled-ddpm")
    shutil.copytree(tiny_pipeline_folder, snapshot, dirs_exist_ok=True)
    (snapshot / "unet" / "diffusion_pytorch_model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="only safetensors weights are loaded"):
        download_diffusion_pipeline("someone/pickled-ddpm")


def test_uncached_hub_pipeline_offline_is_a_clear_error(hub_cache):
    with pytest.raises(ModelLoadError, match="not in the local Hub cache and HF_HUB_OFFLINE is set"):
        download_diffusion_pipeline("google/ddpm-cifar10-32")


@pytest.mark.parametrize("repo_id", ["", "   ", "not a repo", "a/b/c", "../etc/passwd"])
def test_malformed_hub_ids_are_clear_errors(repo_id):
    with pytest.raises(InvalidInputError, match="Hub model id"):
        download_diffusion_pipeline(repo_id)
