"""The trainers' speed-ups (NHWC tensors, D frozen in G's step, fused Adam, bf16 autocast) must
train the same networks as the plain pytorch/examples loop they are benchmarked against."""

import copy

import pytest
import torch
import torch.nn.functional as F

from genai_demo.hub.model_folder import load_model_folder
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
    config = GANTrainingConfig(max_steps=STEPS, batch_size=32, learning_rate=2e-4, log_every=STEPS,
                               sample_every=1000, save_every=1000)
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
                                   channels_last=channels_last)
        trainer = VAETrainer(tiny_dataset, tmp_path / str(channels_last), config)
        losses[channels_last] = [event.losses["loss"] for event in trainer.train() if hasattr(event, "losses")]
        # NHWC weights are saved contiguous and load back to the same values.
        assert _max_difference(load_model_folder(tmp_path / str(channels_last)), trainer.model) == 0
    assert losses[True] == pytest.approx(losses[False], rel=1e-4)


def test_bfloat16_autocast_step_runs_and_the_card_says_so(tiny_dataset, tmp_path, tiny_dcgan_config):
    """CUDA runs autocast by default; CPU autocast exercises the same code path here."""
    config = GANTrainingConfig(max_steps=2, batch_size=32, log_every=1, sample_every=1000, save_every=1000)
    trainer = GANTrainer(tiny_dataset, tmp_path, config, model_config=tiny_dcgan_config, model_type="dcgan")
    assert trainer.precision_summary() == "float32"  # CPU: float32 unless forced
    trainer.mixed_precision = True
    events = list(trainer.train())
    losses = [event.losses for event in events if hasattr(event, "losses")]
    assert all(torch.isfinite(torch.tensor(list(values.values()))).all() for values in losses)
    assert "bfloat16 autocast" in (tmp_path / "README.md").read_text()
