import pytest
import torch

from genai_demo.errors import InvalidInputError
from genai_demo.hub import load_model_folder
from genai_demo.models import VAEConfig
from genai_demo.training import ProgressEvent, VAETrainer, VAETrainingConfig

TINY_VAE = VAEConfig(latent_dim=4, hidden_features=8)


def _train(dataset, folder, steps, resume=False, **settings):
    config = VAETrainingConfig(max_steps=steps, batch_size=32, log_every=4, sample_every=1000, save_every=1000, **settings)
    trainer = VAETrainer(dataset, folder, config, model_config=TINY_VAE, resume=resume)
    return trainer, list(trainer.train())


def test_negative_elbo_falls_and_the_folder_round_trips(tiny_dataset, tmp_path):
    trainer, events = _train(tiny_dataset, tmp_path, steps=40)
    progress = [event.losses for event in events if isinstance(event, ProgressEvent)]
    assert set(progress[0]) == {"loss", "reconstruction", "kl", "negative_elbo"}
    assert progress[-1]["negative_elbo"] < 0.8 * progress[0]["negative_elbo"]
    assert progress[-1]["negative_elbo"] == pytest.approx(progress[-1]["reconstruction"] + progress[-1]["kl"], rel=1e-5)
    loaded = load_model_folder(tmp_path)
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name])
    assert "vae" in (tmp_path / "README.md").read_text()


def test_kl_weight_scales_only_the_kl_term(tiny_dataset, tmp_path):
    _, events = _train(tiny_dataset, tmp_path / "b0", steps=4, kl_weight=0.0)
    losses = [event.losses for event in events if isinstance(event, ProgressEvent)][-1]
    assert losses["loss"] == pytest.approx(losses["reconstruction"], rel=1e-6)
    assert losses["kl"] > 0


def test_vae_resume_equals_one_run(tiny_dataset, tmp_path):
    straight, _ = _train(tiny_dataset, tmp_path / "straight", steps=10)
    _train(tiny_dataset, tmp_path / "split", steps=5)
    resumed, _ = _train(tiny_dataset, tmp_path / "split", steps=10, resume=True)
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name


def test_invalid_kl_weight():
    with pytest.raises(InvalidInputError, match="KL weight"):
        VAETrainingConfig(kl_weight=-1.0)
