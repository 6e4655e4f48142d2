import json
import pickle

import pytest
import torch
import yaml
from safetensors.torch import load_file

from genai_demo.errors import ModelLoadError
from genai_demo.hub import load_model_folder, save_model_folder
from genai_demo.models import DCGAN, DCGANConfig

TINY = DCGANConfig(latent_dim=8, generator_features=4, discriminator_features=4)


def _trained_looking_model() -> DCGAN:
    torch.manual_seed(0)
    model = DCGAN(TINY)
    with torch.no_grad():  # non-default running stats, so they are checked too
        model.generator.net[1].running_mean.uniform_()
    return model


def test_save_then_load_is_bit_exact(tmp_path):
    model = _trained_looking_model()
    save_model_folder(tmp_path, model, card_text="# card\n")
    loaded = load_model_folder(tmp_path)
    original, restored = model.state_dict(), loaded.state_dict()
    assert original.keys() == restored.keys()
    for name in original:
        assert torch.equal(original[name], restored[name]), name
    assert not loaded.training
    assert json.loads((tmp_path / "config.json").read_text())["model_type"] == "dcgan"


def test_float16_export_loads_back_as_float32(tmp_path):
    model = _trained_looking_model()
    save_model_folder(tmp_path, model, dtype=torch.float16)
    assert load_file(tmp_path / "model.safetensors")["generator.net.0.weight"].dtype == torch.float16
    loaded = load_model_folder(tmp_path)
    weight = loaded.generator.net[0].weight
    assert weight.dtype == torch.float32
    assert torch.allclose(weight, model.generator.net[0].weight, atol=1e-3)


def _edit_config(folder, **changes):
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))


def test_unknown_and_missing_config_keys_are_errors(tmp_path):
    save_model_folder(tmp_path, _trained_looking_model())
    _edit_config(tmp_path, dropout=0.1)
    with pytest.raises(ModelLoadError, match="unknown keys: dropout"):
        load_model_folder(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    del config["dropout"], config["latent_dim"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="missing keys: latent_dim"):
        load_model_folder(tmp_path)


def test_folder_saved_before_a_field_was_added_still_loads(tmp_path):
    save_model_folder(tmp_path, _trained_looking_model())
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model_type"] == "dcgan"
    del config["pack"], config["minibatch_std"]  # an older folder: both came later, defaulting to the old net
    (tmp_path / "config.json").write_text(json.dumps(config))
    model = load_model_folder(tmp_path)
    assert model.config.pack == 1 and model.config.minibatch_std is False


def test_config_that_does_not_match_the_weights(tmp_path):
    save_model_folder(tmp_path, _trained_looking_model())
    _edit_config(tmp_path, generator_features=16)
    with pytest.raises(ModelLoadError, match="does not fit its config.json.*size mismatch"):
        load_model_folder(tmp_path)


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda folder: (folder / "model.safetensors").write_bytes(b"\x00" * 10), "corrupt"),
        (lambda folder: (folder / "model.safetensors").write_bytes(
            (folder / "model.safetensors").read_bytes()[:500]), "corrupt"),
        (lambda folder: (folder / "config.json").write_text("{not json"), "not valid JSON"),
        (lambda folder: (folder / "config.json").write_text("[1, 2]"), "JSON object"),
        (lambda folder: _edit_config(folder, model_type="unet"), "unknown model_type 'unet'"),
        (lambda folder: _edit_config(folder, latent_dim=-3), "invalid value"),
        (lambda folder: (folder / "config.json").unlink(), "config.json is missing"),
        (lambda folder: (folder / "model.safetensors").unlink(), "model.safetensors is missing"),
    ],
)
def test_damaged_folders_give_clear_errors(tmp_path, damage, message):
    save_model_folder(tmp_path, _trained_looking_model())
    damage(tmp_path)
    with pytest.raises(ModelLoadError, match=message):
        load_model_folder(tmp_path)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_files_are_never_loaded(tmp_path):
    save_model_folder(tmp_path, _trained_looking_model())
    (tmp_path / "model.safetensors").unlink()
    marker = tmp_path / "pwned"
    (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps(_Exploit(str(marker))))
    with pytest.raises(ModelLoadError, match="pickle files are never loaded"):
        load_model_folder(tmp_path)
    assert not marker.exists()


def test_missing_folder(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_model_folder(tmp_path / "nope")


def test_trained_folder_has_card_with_hub_metadata(tiny_model_folder):
    card = (tiny_model_folder / "README.md").read_text()
    assert card.startswith("---\n")
    metadata = yaml.safe_load(card.split("---\n")[1])
    assert metadata["library_name"] == "genai-demo"
    assert "dcgan" in metadata["tags"]
    assert metadata["datasets"] == ["ylecun/mnist"]
    assert "python -m genai_demo train dcgan" in card
    assert "| steps | 3 |" in card
    # Written atomically: no temp files left beside the real ones.
    assert not list(tiny_model_folder.glob(".*.tmp"))
