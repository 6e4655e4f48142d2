"""The style-based GAN's trainer: R1 on its schedule, style-mixing regularisation, exact resume, the saved w average."""

import pytest
import torch

from genai_demo.errors import InvalidInputError
from genai_demo.hub import load_model_folder
from genai_demo.models.stylegan import StyleGANConfig
from genai_demo.training import ProgressEvent
from genai_demo.training.stylegan_trainer import StyleGANTrainer, StyleGANTrainingConfig, r1_penalty

TINY = StyleGANConfig(latent_dim=8, w_dim=16, mapping_layers=2, generator_features=8, discriminator_features=8,
                      min_features=4)


def _trainer(dataset, folder, steps, resume=False, **settings):
    config = StyleGANTrainingConfig(max_steps=steps, batch_size=32, log_every=1, sample_every=1000, save_every=1000,
                                    **settings)
    return StyleGANTrainer(dataset, folder, config, model_config=TINY, resume=resume)


class _LinearCritic(torch.nn.Module):
    def forward(self, images):
        return 2.0 * images.flatten(1).sum(dim=1)  # gradient 2 at every pixel


def test_r1_is_the_squared_gradient_norm_on_real_images():
    real = torch.randn(5, 1, 4, 4)
    assert r1_penalty(_LinearCritic(), real).item() == pytest.approx(4.0 * 16)


def test_r1_runs_every_r1_every_steps(tiny_dataset, tmp_path):
    trainer = _trainer(tiny_dataset, tmp_path, steps=6, r1_every=4)
    penalties = [event.losses["r1_penalty"] for event in trainer.train() if isinstance(event, ProgressEvent)]
    assert [penalty > 0 for penalty in penalties] == [True, False, False, False, True, False]
    assert trainer.optimizers["generator"].param_groups[0]["betas"] == (0.0, 0.99)
    assert trainer.optimizers["generator"].param_groups[0]["lr"] == 2e-3


def test_style_mixing_regularisation_mixes_the_asked_share(tiny_dataset, tmp_path, monkeypatch):
    crossovers = []
    trainer = _trainer(tiny_dataset, tmp_path, steps=1, style_mixing=0.5)
    generator = trainer.networks["generator"]
    original = generator.forward

    def spy(latents, truncation, noise_mode, noise_generator, mix_latents, crossover):
        crossovers.append(crossover.clone())
        return original(latents, truncation, noise_mode, noise_generator, mix_latents, crossover)

    monkeypatch.setattr(generator, "forward", spy)
    trainer.before_training()
    for _ in range(10):
        trainer.training_step(*trainer.next_batch())
    drawn = torch.cat(crossovers)
    mixed = drawn < TINY.num_ws
    assert 0.4 < mixed.float().mean().item() < 0.6  # 640 draws
    assert set(drawn[mixed].tolist()) == set(range(1, TINY.num_ws))  # every crossover layer occurs


def test_no_mixing_makes_one_latents_images(tiny_dataset, tmp_path, monkeypatch):
    trainer = _trainer(tiny_dataset, tmp_path, steps=1, style_mixing=0.0)
    trainer.before_training()
    drawn = []
    original = trainer.networks["generator"].forward
    monkeypatch.setattr(trainer.networks["generator"], "forward",
                        lambda *args: drawn.append(args[-1]) or original(*args))
    trainer.training_step(*trainer.next_batch())
    assert all(bool((crossover == TINY.num_ws).all()) for crossover in drawn)


def test_stylegan_resume_equals_one_run(tiny_dataset, tmp_path):
    straight = _trainer(tiny_dataset, tmp_path / "straight", steps=10, r1_every=3, ema_decay=0.9)
    list(straight.train())
    list(_trainer(tiny_dataset, tmp_path / "split", steps=5, r1_every=3, ema_decay=0.9).train())
    resumed = _trainer(tiny_dataset, tmp_path / "split", steps=10, r1_every=3, ema_decay=0.9, resume=True)
    list(resumed.train())
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name


def test_the_saved_folder_holds_the_average_w_of_its_ema_weights(tiny_dataset, tmp_path):
    trainer = _trainer(tiny_dataset, tmp_path / "run", steps=4, ema_decay=0.5)
    list(trainer.train())
    saved = load_model_folder(tmp_path / "run")
    w_avg = saved.generator.w_avg.clone()
    saved.set_w_avg()  # the saved (EMA) mapping's own average
    assert torch.allclose(w_avg, saved.generator.w_avg) and w_avg.abs().sum() > 0
    assert "R1 gamma 0.1 every 16 steps, style mixing 0.9" in (tmp_path / "run" / "README.md").read_text()


@pytest.mark.parametrize("setting", [{"r1_gamma": -1.0}, {"r1_every": 0}, {"style_mixing": 1.5}])
def test_out_of_range_settings_are_refused(setting):
    with pytest.raises(InvalidInputError):
        StyleGANTrainingConfig(**setting)


def test_a_self_conditioned_stylegan_draws_its_clusters_and_d_judges_with_them(tiny_dataset, tmp_path):
    config = StyleGANConfig(**{**TINY.__dict__, "clusters": 4})
    trainer = StyleGANTrainer(tiny_dataset, tmp_path / "run",
                              StyleGANTrainingConfig(max_steps=3, batch_size=32, sample_every=1000, save_every=1000),
                              model_config=config)
    list(trainer.train())
    saved = load_model_folder(tmp_path / "run")
    assert torch.allclose(saved.cluster_weights.sum(), torch.tensor(1.0)) and saved.cluster_centers.abs().sum() > 0
    latents = saved.sample_latents(8, seed=0)
    assert latents.shape == (8, 8 + 4) and torch.equal(latents[:, 8:].sum(dim=1), torch.ones(8))
    # The code reaches w: the same z with another cluster gives another w.
    other = latents.clone()
    other[:, 8:] = torch.roll(latents[:, 8:], 1, dims=1)
    assert not torch.allclose(saved.generator.mapping(latents), saved.generator.mapping(other))
    with pytest.raises(ValueError, match="pass clusters"):
        saved.discriminator(saved.generate(latents))
    assert saved.discriminator(saved.generate(latents), saved.assign_clusters(saved.generate(latents))).shape == (8,)
    # Truncation pulls towards each image's own cluster's average w: at psi 0, one image per cluster.
    same = latents[:2].clone()
    same[:, 8:] = torch.nn.functional.one_hot(torch.tensor([1, 1]), 4).float()
    centres = saved.generate(same, truncation=0.0)
    assert torch.allclose(centres[0], centres[1], atol=1e-6)
    other_cluster = same.clone()
    other_cluster[1, 8:] = torch.nn.functional.one_hot(torch.tensor(2), 4).float()
    assert not torch.allclose(*saved.generate(other_cluster, truncation=0.0), atol=1e-3)
