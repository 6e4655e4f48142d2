"""The style-based GAN's trainer (StyleGAN2, Karras et al. 2020, section 2 and appendix B).

- Loss: non-saturating (softplus form) for both networks, as the GAN trainer's.
- R1 (Mescheder et al. 2018): `gamma / 2 * E ||grad_x D(x)||^2` on real images, applied lazily
  every `r1_every` steps with its weight multiplied by `r1_every` (StyleGAN2's lazy regularisation).
- Style-mixing regularisation: with probability `style_mixing`, a fake image takes two latents'
  ws, switching at a random layer, so neighbouring layers' styles cannot rely on each other.
- Adam with betas (0, 0.99) and lr 0.002 for both networks (the mapping network's 100 times
  smaller through its equalised-learning-rate multiplier); fresh noise inputs every step.
- The saved average w (truncation's centre) is measured on the averaged (EMA) weights when saved.

Under several processes (`accelerate launch`) the R1 gradient is taken through the unwrapped
discriminator (data-parallel wrappers do not support a double backward) and averaged across the
processes by hand before the main loss's backward, which the wrapper averages.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genai_demo import limits
from genai_demo.models.stylegan import StyleGAN
from genai_demo.training.gan_trainer import GANTrainer, GANTrainingConfig, frozen


@dataclass
class StyleGANTrainingConfig(GANTrainingConfig):
    beta1: float = 0.0
    beta2: float = 0.99
    r1_gamma: float = 0.1
    r1_every: int = 16
    style_mixing: float = 0.9

    def __post_init__(self) -> None:
        super().__post_init__()
        limits.R1_GAMMA.check(self.r1_gamma)
        limits.R1_EVERY.check(self.r1_every)
        limits.STYLE_MIXING.check(self.style_mixing)


def r1_penalty(discriminator: torch.nn.Module, real_images: torch.Tensor, condition: tuple = ()) -> torch.Tensor:
    """E ||grad_x D(x)||^2 over real images (Mescheder et al. 2018), differentiable in D's weights."""
    real_images = real_images.detach().requires_grad_(True)
    (gradients,) = torch.autograd.grad(discriminator(real_images, *condition).sum(), real_images, create_graph=True)
    return gradients.square().sum(dim=(1, 2, 3)).mean()


class StyleGANTrainer(GANTrainer):
    config_class = StyleGANTrainingConfig
    loss_names = ("d_loss", "g_loss", "r1_penalty")
    default_model_type = StyleGAN.model_type

    def _fakes(self, count: int) -> tuple[torch.Tensor, tuple]:
        """(fresh fakes, D's condition for them: their clusters, or nothing), with fresh noise; a
        `style_mixing` share of them mixes two latents' styles, switching at a random layer
        (StyleGAN's mixing regularisation). Both latents of a mix share the cluster."""
        latents, codes = self.model.random_latents(count, self.noise_generator, self.device)
        latent_dim = self.model_config.latent_dim
        second = torch.randn(count, latent_dim, generator=self.noise_generator, device=self.device)
        second = torch.cat([second, latents[:, latent_dim:]], dim=1)
        num_ws = self.model.num_ws
        crossover = torch.randint(1, num_ws, (count,), generator=self.noise_generator, device=self.device)
        mixed = torch.rand(count, generator=self.noise_generator, device=self.device) < self.config.style_mixing
        crossover = torch.where(mixed, crossover, torch.full_like(crossover, num_ws))  # num_ws: unmixed
        fakes = self.networks["generator"](latents, 1.0, "random", self.noise_generator, second, crossover)
        return fakes, (() if codes is None else (codes,))

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        discriminator = self.networks["discriminator"]
        augment = self._augment if self.config.augment else (lambda images: images)
        count = len(real_images)
        real_condition = (self.model.assign_clusters(real_images),) if self.model_config.clusters else ()
        # Discriminator: softplus(D(G(z))) + softplus(-D(x)), the non-saturating loss's D side.
        optimizer = self.optimizers["discriminator"]
        optimizer.zero_grad(set_to_none=True)
        penalty = torch.zeros((), device=self.device)
        if self.config.r1_gamma > 0 and self.step % self.config.r1_every == 0:
            # In float32 (a double backward's norm), through the unwrapped network, and before the
            # wrapped network's forward passes: a data-parallel wrapper then expects no gradients, and
            # ignores these (averaged by hand) instead of counting them as its own.
            penalty = r1_penalty(self.model.discriminator, real_images, real_condition)
            (self.config.r1_gamma / 2 * self.config.r1_every * penalty).backward()
            self.processes.average_gradients(self.model.discriminator)
        with torch.no_grad(), self.autocast():
            fakes, fake_condition = self._fakes(count)
        with self.autocast():
            real_logits = discriminator(augment(real_images), *real_condition).float()
            fake_logits = discriminator(augment(fakes), *fake_condition).float()
        d_loss = F.softplus(fake_logits).mean() + F.softplus(-real_logits).mean()
        d_loss.backward()
        optimizer.step()

        # Generator: softplus(-D(G(z))), with fresh latents and noise.
        with self.autocast(), frozen(self.model.discriminator) as frozen_discriminator:
            fakes, fake_condition = self._fakes(count)
            fooled_logits = frozen_discriminator(augment(fakes), *fake_condition).float()
        g_loss = F.softplus(-fooled_logits).mean()
        self.optimizers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        self.optimizers["generator"].step()
        self.after_optimizer_step()
        return torch.stack([d_loss.detach(), g_loss.detach(), penalty.detach()])

    def save_model(self, folder, card_text, weights_metadata) -> None:
        """The folder, with the average w (truncation's centre) of the weights it holds: the EMA's
        (buffers are not averaged, so the one measured here stays for the save)."""
        self._with_ema_weights(self.model.set_w_avg)
        super().save_model(folder, card_text, weights_metadata)

    def optimizer_summary(self) -> str:
        config = self.config
        return (f"{super().optimizer_summary()}, R1 gamma {config.r1_gamma:g} every {config.r1_every} steps, "
                f"style mixing {config.style_mixing:g}")
