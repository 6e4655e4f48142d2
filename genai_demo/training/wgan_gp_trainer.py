"""WGAN-GP (Gulrajani et al. 2017, algorithm 1): critic loss with gradient penalty, n_critic
critic updates per generator update, Adam(betas (0.0, 0.9), the family's learning rate: 1e-4)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from genai_demo import limits
from genai_demo.errors import InvalidInputError
from genai_demo.models import WGANGP
from genai_demo.training.gan_trainer import GANTrainer, GANTrainingConfig, frozen
from genai_demo.training.losses import gradient_penalty


@dataclass
class WGANGPTrainingConfig(GANTrainingConfig):
    beta1: float = 0.0
    beta2: float = 0.9
    n_critic: int = 5
    gradient_penalty_weight: float = 10.0
    # The gradient penalty is a double backward, whose norm bfloat16 would round: float32 throughout.
    mixed_precision: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        limits.N_CRITIC.check(self.n_critic)
        limits.GRADIENT_PENALTY_WEIGHT.check(self.gradient_penalty_weight)


class WGANGPTrainer(GANTrainer):
    """Each step is one critic update; every n_critic-th step also updates the generator."""

    config_class = WGANGPTrainingConfig
    # wasserstein_estimate = E[f(x)] - E[f(G(z))]: should fall as samples improve.
    loss_names = ("critic_loss", "gradient_penalty", "wasserstein_estimate", "g_loss")
    default_model_type = WGANGP.model_type

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        # The GAN trainer's two Adams (this config's lr and betas), the discriminator's under its WGAN name.
        optimizers = super().build_optimizers()
        return {"generator": optimizers["generator"], "critic": optimizers["discriminator"]}

    def trained_networks(self) -> dict[str, torch.nn.Module]:
        if self.processes.count > 1:
            # The gradient penalty differentiates through the critic's gradient (create_graph=True),
            # which PyTorch's DistributedDataParallel does not support.
            raise InvalidInputError(f"{self.family.name} trains in one process only: its gradient penalty needs a "
                                    "double backward, which data-parallel training does not support")
        return super().trained_networks()

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        generator, critic = self.networks["generator"], self.networks["discriminator"]
        batch_size = len(real_images)
        latents, _ = self.model.random_latents(batch_size, self.noise_generator, self.device)
        mixing = torch.rand(batch_size, generator=self.noise_generator, device=self.device)
        fake_images = generator(latents).detach()
        wasserstein = critic(real_images).mean() - critic(fake_images).mean()
        penalty = gradient_penalty(critic, real_images, fake_images, mixing)
        critic_loss = -wasserstein + self.config.gradient_penalty_weight * penalty
        self.optimizers["critic"].zero_grad(set_to_none=True)
        critic_loss.backward()
        self.optimizers["critic"].step()

        if (self.step + 1) % self.config.n_critic == 0:
            latents, _ = self.model.random_latents(batch_size, self.noise_generator, self.device)
            with frozen(self.model.discriminator) as frozen_critic:
                g_loss = -frozen_critic(generator(latents)).mean()
            self.optimizers["generator"].zero_grad(set_to_none=True)
            g_loss.backward()
            self.optimizers["generator"].step()
            self.after_optimizer_step()
            self._last_g_loss = g_loss.detach()
        last_g_loss = getattr(self, "_last_g_loss", torch.zeros((), device=self.device))
        return torch.stack([critic_loss.detach(), penalty.detach(), wasserstein.detach(), last_g_loss])

    def optimizer_summary(self) -> str:
        config = self.config
        return f"{super().optimizer_summary()}, n_critic {config.n_critic}, lambda {config.gradient_penalty_weight:g}"
