"""The GAN trainer (MLP GAN, DCGAN, conditional DCGAN).

Loss: the non-saturating GAN loss of Goodfellow et al. 2014 (section 3), with
Adam(lr 2e-4, betas (0.5, 0.999)) for both networks as in Radford et al. 2016.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genai_demo.errors import InvalidInputError
from genai_demo.models import GAN_CLASSES
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig


@dataclass
class GANTrainingConfig(TrainingConfig):
    learning_rate: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise InvalidInputError(f"Adam betas must be in [0, 1), got ({self.beta1}, {self.beta2})")


class GANTrainer(ImageTrainer):
    model_classes = GAN_CLASSES
    config_class = GANTrainingConfig
    loss_names = ("d_loss", "g_loss")
    default_model_type = "dcgan"

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        betas = (self.config.beta1, self.config.beta2)
        return {
            "generator": torch.optim.Adam(self.model.generator.parameters(), self.config.learning_rate, betas),
            "discriminator": torch.optim.Adam(self.model.discriminator.parameters(), self.config.learning_rate, betas),
        }

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        generator, discriminator = self.model.generator, self.model.discriminator
        latents = torch.randn(
            len(real_images), self.model_config.latent_dim, generator=self.noise_generator, device=self.device
        )
        # A conditional GAN (Mirza & Osindero 2014) sees the labels too: fakes are asked for the
        # classes of the real batch, so both sides of D's loss have the same class balance.
        condition = (real_labels,) if self.model.is_conditional else ()
        fake_images = generator(latents, *condition)

        # Discriminator: maximise log D(x) + log(1 - D(G(z))).
        real_logits = discriminator(real_images, *condition)
        fake_logits = discriminator(fake_images.detach(), *condition)
        d_loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.ones_like(real_logits)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        self.optimizers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        self.optimizers["discriminator"].step()

        # Generator, non-saturating: maximise log D(G(z)) rather than minimise log(1 - D(G(z))).
        fooled_logits = discriminator(fake_images, *condition)
        g_loss = F.binary_cross_entropy_with_logits(fooled_logits, torch.ones_like(fooled_logits))
        self.optimizers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        self.optimizers["generator"].step()
        return torch.stack([d_loss.detach(), g_loss.detach()])

    def optimizer_summary(self) -> str:
        config = self.config
        return f"Adam(lr={config.learning_rate:g}, betas=({config.beta1:g}, {config.beta2:g}))"

    def parameter_summary(self) -> str:
        return (
            f"{sum(p.numel() for p in self.model.generator.parameters()):,} (generator), "
            f"{sum(p.numel() for p in self.model.discriminator.parameters()):,} (discriminator)"
        )
