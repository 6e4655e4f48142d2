"""The trainers' speed-ups (NHWC tensors, D frozen in G's step, fused Adam, bf16 autocast) must
train the same networks as the plain pytorch/examples loop they are benchmarked against."""

import copy

import pytest
import torch
import torch.nn.functional as F

from genai_demo.device import has_fast_bfloat16
from genai_demo.folders.model_folder import load_model_folder
from genai_demo.training import GANTrainer, GANTrainingConfig, VAETrainer, VAETrainingConfig
from genai_demo.training.gan_trainer import frozen
from genai_demo.training.image_trainer import _epoch_permutation

STEPS = 4


def _plain_dcgan_steps(model, data, permutation, noise_generator, batch_size, steps, learning_rate):
    """The pytorch/examples DCGAN loop: contiguous tensors, unfused Adam, D's weight grads in G's step."""
    generator, discriminator = model.generator, model.discriminator
    optimizer_g = torch.optim.Adam(generator.parameters(), learning_rate, (0.5, 0.999), foreach=False)
    optimizer_d = torch.optim.Adam(discriminator.parameters(), learning_rate, (0.5, 0.999), foreach=False)
    for step in range(steps):
        real = data[permutation[step * batch_size : (step + 1) * batch_size]]
        latents, _ = model.random_latents(len(real), noise_generator, "cpu")
        fake = generator(latents)
        real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
        d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
        d_loss = d_loss + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        optimizer_d.zero_grad()
        d_loss.backward()
        optimizer_d.step()
        fooled_logits = discriminator(fake)
        g_loss = F.binary_cross_entropy_with_logits(fooled_logits, torch.ones_like(fooled_logits))
        optimizer_g.zero_grad()
        g_loss.backward()
        optimizer_g.step()


def _max_difference(first: torch.nn.Module, second: torch.nn.Module) -> float:
    return max((a - b).abs().max().item() for a, b in zip(first.state_dict().values(), second.state_dict().values())
               if a.is_floating_point())


def test_fast_gan_trainer_trains_the_same_networks_as_the_plain_loop(tiny_dataset, tmp_path, tiny_dcgan_config):
    # float32: the plain loop's precision (bfloat16 would be on by default on a CPU with bf16 instructions)
    config = GANTrainingConfig(max_steps=STEPS, batch_size=32, learning_rate=2e-4, log_every=STEPS,
                               sample_every=1000, save_every=1000, mixed_precision=False)
    trainer = GANTrainer(tiny_dataset, tmp_path, config, model_config=tiny_dcgan_config, model_type="dcgan")
    assert trainer.model.discriminator.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert all(optimizer.defaults["fused"] for optimizer in trainer.optimizers.values())
    plain = copy.deepcopy(trainer.model).to(memory_format=torch.contiguous_format)
    noise = torch.Generator().set_state(trainer.noise_generator.get_state())
    untrained = copy.deepcopy(plain)
    list(trainer.train())

    data = tiny_dataset.to_training_tensor("cpu")
    _plain_dcgan_steps(plain, data, _epoch_permutation(len(data), 0, 0, "cpu"), noise, 32, STEPS, 2e-4)
    # Adam moves each weight by about lr per step, so a different network would differ by ~1e-4 or
    # more; rounding (other kernels, summation order) stays orders of magnitude below that.
    assert _max_difference(untrained, plain) > 4 * 2e-4 * 0.5
    assert _max_difference(trainer.model, plain) < 2e-5
    assert all(parameter.requires_grad for parameter in trainer.model.discriminator.parameters())


def test_frozen_network_passes_input_gradients_and_restores_its_flags():
    network = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 1))
    network[1].bias.requires_grad_(False)  # a flag that was off before stays off
    inputs = torch.randn(5, 3, requires_grad=True)
    with frozen(network) as frozen_network:
        frozen_network(inputs).sum().backward()
    assert inputs.grad is not None and inputs.grad.abs().sum() > 0
    assert all(parameter.grad is None for parameter in network.parameters())
    assert [parameter.requires_grad for parameter in network.parameters()] == [True, True, True, False]


def test_contiguous_and_channels_last_vae_runs_agree(tiny_dataset, tmp_path):
    losses = {}
    for channels_last in (True, False):
        config = VAETrainingConfig(max_steps=3, batch_size=32, log_every=1, sample_every=1000, save_every=1000,
                                   channels_last=channels_last, mixed_precision=False)
        trainer = VAETrainer(tiny_dataset, tmp_path / str(channels_last), config)
        losses[channels_last] = [event.losses["loss"] for event in trainer.train() if hasattr(event, "losses")]
        # NHWC weights are saved contiguous and load back to the same values.
        assert _max_difference(load_model_folder(tmp_path / str(channels_last)), trainer.model) == 0
    assert losses[True] == pytest.approx(losses[False], rel=1e-4)


def test_bfloat16_autocast_step_runs_and_the_card_says_so(tiny_dataset, tmp_path, tiny_dcgan_config):
    """Autocast is on by default where bfloat16 is fast (CUDA, CPUs with bf16 instructions); forced
    on here, so the same code path runs on any CPU."""
    config = GANTrainingConfig(max_steps=2, batch_size=32, log_every=1, sample_every=1000, save_every=1000)
    trainer = GANTrainer(tiny_dataset, tmp_path, config, model_config=tiny_dcgan_config, model_type="dcgan")
    expected = "bfloat16 autocast" if has_fast_bfloat16(torch.device("cpu")) else "float32"
    assert trainer.precision_summary() == expected
    trainer.mixed_precision = True
    events = list(trainer.train())
    losses = [event.losses for event in events if hasattr(event, "losses")]
    assert all(torch.isfinite(torch.tensor(list(values.values()))).all() for values in losses)
    assert "bfloat16 autocast" in (tmp_path / "README.md").read_text()


def test_vae_in_bfloat16_keeps_its_elbo_in_float32(tiny_dataset, tmp_path):
    """The networks run in bfloat16, the ELBO's sums in float32: the terms are float32 and finite,
    and the loss falls."""
    config = VAETrainingConfig(max_steps=6, batch_size=32, log_every=1, sample_every=1000, save_every=1000)
    trainer = VAETrainer(tiny_dataset, tmp_path, config)
    trainer.mixed_precision = True
    with trainer.autocast():
        reconstruction, kl = trainer.networks["elbo"](tiny_dataset.to_training_tensor("cpu")[:8], torch.randn(8, 16))
    assert reconstruction.dtype == kl.dtype == torch.float32 and torch.isfinite(reconstruction + kl).all()
    losses = [event.losses["loss"] for event in trainer.train() if hasattr(event, "losses")]
    assert losses[-1] < losses[0]
    assert "bfloat16 autocast" in (tmp_path / "README.md").read_text()


@pytest.mark.parametrize("family", ["wgan-gp", "ddpm", "float32 asked for"])
def test_float32_where_bfloat16_would_not_pay_or_is_not_wanted(family, tiny_dataset, tmp_path, tiny_dcgan_config):
    from genai_demo.models.diffusion import DiffusionConfig
    from genai_demo.training import WGANGPTrainer, WGANGPTrainingConfig
    from genai_demo.training.diffusion_trainer import DiffusionTrainer, DiffusionTrainingConfig

    settings = dict(max_steps=1, batch_size=8, sample_every=1000, save_every=1000)
    if family == "wgan-gp":  # a double backward (the gradient penalty)
        trainer = WGANGPTrainer(tiny_dataset, tmp_path, WGANGPTrainingConfig(**settings), model_type="wgan-gp")
    elif family == "ddpm":  # measured no faster on a CPU with bf16 instructions
        trainer = DiffusionTrainer(tiny_dataset, tmp_path, DiffusionTrainingConfig(**settings),
                                   model_config=DiffusionConfig(block_out_channels=[8, 16]))
    else:
        trainer = GANTrainer(tiny_dataset, tmp_path, GANTrainingConfig(**settings, mixed_precision=False),
                             model_config=tiny_dcgan_config, model_type="dcgan")
    assert trainer.precision_summary() == "float32" and not trainer.autocast()._enabled


def test_fast_bfloat16_is_cuda_or_a_cpu_with_bf16_instructions():
    assert has_fast_bfloat16(torch.device("cuda"))  # a device object needs no GPU
    assert not has_fast_bfloat16(torch.device("meta"))
    assert has_fast_bfloat16(torch.device("cpu")) == (torch.cpu._is_avx512_bf16_supported()
                                                      or torch.cpu._is_amx_tile_supported())
