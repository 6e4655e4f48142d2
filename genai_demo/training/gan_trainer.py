"""The GAN trainer (MLP GAN, DCGAN, conditional DCGAN).

Loss: the non-saturating GAN loss of Goodfellow et al. 2014 (section 3), with Adam (betas
(0.5, 0.999), the family's learning rate: 2e-4) for both networks as in Radford et al. 2016.
Optional DiffAugment (Zhao et al. 2020): the same random translation is applied to real and fake
images before D, differentiably, so D cannot memorise a small training set.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genai_demo.errors import InvalidInputError
from genai_demo.models import DCGAN
from genai_demo.training.clustering import kmeans
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig
from genai_demo.training.loop import fused_optimizer_options
from genai_demo.training.losses import discriminator_loss, non_saturating_generator_loss


@dataclass
class GANTrainingConfig(TrainingConfig):
    beta1: float = 0.5
    beta2: float = 0.999
    augment: bool = False  # DiffAugment translation on D's inputs (both real and fake)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise InvalidInputError(f"Adam betas must be in [0, 1), got ({self.beta1}, {self.beta2})")


def random_translation(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Shift each image by up to `max_shift` pixels each way, filling with background (-1).

    DiffAugment's translation: a gather, so gradients flow back to the generator.
    """
    count, _, height, width = images.shape
    device = images.device
    shifts = torch.randint(-max_shift, max_shift + 1, (2, count, 1, 1), generator=generator, device=device)
    # +1 because of the one-pixel border of background that out-of-range indices land on.
    rows = (torch.arange(height, device=device).view(1, height, 1) + shifts[0]).clamp(-1, height) + 1
    columns = (torch.arange(width, device=device).view(1, 1, width) + shifts[1]).clamp(-1, width) + 1
    padded = F.pad(images, (1, 1, 1, 1), value=-1.0).permute(0, 2, 3, 1)
    batch = torch.arange(count, device=device).view(count, 1, 1)
    return padded[batch, rows, columns].permute(0, 3, 1, 2)


@contextmanager
def frozen(network: torch.nn.Module):
    """No weight gradients for `network` inside; gradients still flow through it to its input.

    The generator's step needs D's gradient with respect to the fakes only: D's own weight
    gradients there would be thrown away by its next zero_grad (the reference loop computes them).
    """
    flags = [parameter.requires_grad for parameter in network.parameters()]
    network.requires_grad_(False)
    try:
        yield network
    finally:
        for parameter, flag in zip(network.parameters(), flags):
            parameter.requires_grad_(flag)


# InfoGAN's lambda for a discrete code (Chen et al. 2016, section 7: 1 for discrete latent codes).
INFO_WEIGHT = 1.0


class GANTrainer(ImageTrainer):
    config_class = GANTrainingConfig
    loss_names = ("d_loss", "g_loss")
    default_model_type = DCGAN.model_type

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clusters = getattr(self.model_config, "clusters", 0)
        if clusters > len(self.dataset):
            raise InvalidInputError(f"{clusters} clusters need at least as many training images; "
                                    f"this dataset has {len(self.dataset)}")
        if clusters and self.step == 0:  # a resumed run has its clusters in the saved model
            images = self.dataset.to_training_tensor(self.device).flatten(1)
            self.model.set_clusters(*kmeans(images, clusters, self.config.seed))
            self.fixed_latents = self.model.sample_latents(self.config.num_sample_images, self.config.seed).to(
                self.device)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        options = dict(lr=self.config.learning_rate, betas=(self.config.beta1, self.config.beta2),
                       **fused_optimizer_options(self.device))
        return {
            "generator": torch.optim.Adam(self.model.generator.parameters(), **options),
            "discriminator": torch.optim.Adam(self.model.discriminator.parameters(), **options),
        }

    def trained_networks(self) -> dict[str, torch.nn.Module]:
        return {"generator": self.model.generator, "discriminator": self.model.discriminator}

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        generator, discriminator = self.networks["generator"], self.networks["discriminator"]
        latents, codes = self.model.random_latents(len(real_images), self.noise_generator, self.device)
        # A conditional GAN (Mirza & Osindero 2014) sees the labels too: fakes are asked for the
        # classes of the real batch, so both sides of D's loss have the same class balance.
        condition = (real_labels,) if self.model.is_conditional else ()
        real_condition = fake_condition = condition
        if getattr(self.model_config, "clusters", 0):
            # Self-conditioned: D sees each real image's cluster and each fake's requested one.
            real_condition, fake_condition = (self.model.assign_clusters(real_images),), (codes,)
            codes = None  # no InfoGAN code loss
        augment = self._augment if self.config.augment else (lambda images: images)
        with self.autocast():
            fake_images = generator(latents, *condition)
            # Discriminator: maximise log D(x) + log(1 - D(G(z))).
            real_logits = discriminator(augment(real_images), *real_condition)
            # InfoGAN: Q (D's code head) learns to read the code back from the fakes ...
            fake_logits, code_loss = self._judge_fakes(discriminator, augment(fake_images.detach()), fake_condition, codes)
        real_logits, fake_logits = real_logits.float(), fake_logits.float()  # the losses in float32
        d_loss = discriminator_loss(real_logits, fake_logits) + code_loss
        self.optimizers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        self.optimizers["discriminator"].step()

        # Generator, non-saturating: maximise log D(G(z)) rather than minimise log(1 - D(G(z))).
        # ... and G makes the code readable: the mutual-information term of InfoGAN.
        # D is called unwrapped: under data parallelism its frozen weights have nothing to reduce.
        with self.autocast(), frozen(self.model.discriminator) as frozen_discriminator:
            fooled_logits, code_loss = self._judge_fakes(frozen_discriminator, augment(fake_images), fake_condition, codes)
        fooled_logits = fooled_logits.float()
        g_loss = non_saturating_generator_loss(fooled_logits) + code_loss
        self.optimizers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        self.optimizers["generator"].step()
        self.after_optimizer_step()
        return torch.stack([d_loss.detach(), g_loss.detach()])

    @staticmethod
    def _judge_fakes(discriminator, fakes: torch.Tensor, condition: tuple, codes: torch.Tensor | None):
        """(D's logits for the fakes, the weighted code loss: 0 for a model without an InfoGAN code)."""
        if codes is None:
            return discriminator(fakes, *condition), 0.0
        logits, code_logits = discriminator.forward_with_code(fakes)
        return logits, INFO_WEIGHT * F.cross_entropy(code_logits.float(), codes)

    def _augment(self, images: torch.Tensor) -> torch.Tensor:
        # 1/8 of the image size, the ratio of the DiffAugment paper (3 px on 28x28 MNIST).
        return random_translation(images, max(1, self.model_config.image_size // 8), self.noise_generator)

    def optimizer_summary(self) -> str:
        config = self.config
        augmented = ", DiffAugment translation" if config.augment else ""
        return (f"Adam(lr={config.learning_rate:g}, betas=({config.beta1:g}, {config.beta2:g})){augmented}, "
                f"{self.precision_summary()}")

    def parameter_summary(self) -> str:
        clusters = getattr(self.model_config, "clusters", 0)
        conditioning = (f"; self-conditioned on {clusters} k-means clusters of the training images "
                        "(Liu et al. 2020), no labels used" if clusters else "")
        return (
            f"{sum(p.numel() for p in self.model.generator.parameters()):,} (generator), "
            f"{sum(p.numel() for p in self.model.discriminator.parameters()):,} (discriminator){conditioning}"
        )
