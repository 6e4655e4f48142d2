import pytest
import torch

from genai_demo.hub import load_model_folder
from genai_demo.models import WGANGP, WGANGPConfig
from genai_demo.training import ProgressEvent, WGANGPTrainer, WGANGPTrainingConfig
from genai_demo.training.losses import gradient_penalty

TINY = WGANGPConfig(latent_dim=8, generator_features=4, critic_features=4)


class _LinearCritic(torch.nn.Module):
    def __init__(self, norm):
        super().__init__()
        self.weight = torch.full((1 * 4 * 4,), norm / 4.0)  # ||w|| = norm

    def forward(self, images):
        return images.flatten(1) @ self.weight


@pytest.mark.parametrize("norm,expected", [(1.0, 0.0), (2.0, 1.0), (3.0, 4.0)])
def test_gradient_penalty_of_a_linear_critic(norm, expected):
    real, fake = torch.randn(6, 1, 4, 4), torch.randn(6, 1, 4, 4)
    assert gradient_penalty(_LinearCritic(norm), real, fake, torch.rand(6)).item() == pytest.approx(expected, abs=1e-5)


def _trainer(dataset, folder, steps, resume=False, model_config=TINY, **settings):
    config = WGANGPTrainingConfig(max_steps=steps, batch_size=32, log_every=1, sample_every=1000, save_every=1000, **settings)
    return WGANGPTrainer(dataset, folder, config, model_config=model_config, resume=resume)


def test_critic_every_step_generator_every_n_critic_steps(tiny_dataset, tmp_path):
    trainer = _trainer(tiny_dataset, tmp_path, steps=5)
    generator_before = [p.detach().clone() for p in trainer.model.generator.parameters()]
    critic_before = [p.detach().clone() for p in trainer.model.discriminator.parameters()]
    events = trainer.train()
    generator_moved = []
    for event in events:
        if isinstance(event, ProgressEvent):
            generator_moved.append(any(not torch.equal(a, b) for a, b in zip(generator_before, trainer.model.generator.parameters())))
            assert set(event.losses) == {"critic_loss", "gradient_penalty", "wasserstein_estimate", "g_loss"}
    assert generator_moved == [False, False, False, False, True]  # n_critic = 5
    assert any(not torch.equal(a, b) for a, b in zip(critic_before, trainer.model.discriminator.parameters()))
    assert trainer.optimizers["critic"].param_groups[0]["betas"] == (0.0, 0.9)


def test_wgan_gp_resume_equals_one_run(tiny_dataset, tmp_path):
    straight = _trainer(tiny_dataset, tmp_path / "straight", steps=12)
    list(straight.train())
    list(_trainer(tiny_dataset, tmp_path / "split", steps=7).train())
    resumed = _trainer(tiny_dataset, tmp_path / "split", steps=12, resume=True)
    list(resumed.train())
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name


def test_spectral_norm_critic_round_trips(tiny_dataset, tmp_path):
    config = WGANGPConfig(latent_dim=8, generator_features=4, critic_features=4, spectral_norm=True)
    trainer = _trainer(tiny_dataset, tmp_path, steps=2, model_config=config)
    list(trainer.train())
    loaded = load_model_folder(tmp_path)
    assert isinstance(loaded, WGANGP) and loaded.config.spectral_norm
    assert any("parametrizations" in name for name in loaded.state_dict())
    images = torch.rand(3, 1, 28, 28) * 2 - 1
    trainer.model.eval()
    assert torch.allclose(loaded.discriminator(images), trainer.model.discriminator(images), atol=1e-6)
