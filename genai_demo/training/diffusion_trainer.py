"""The diffusion trainer: DDPM's simplified loss (Ho et al. 2020, eq. 14) on diffusers' UNet2DModel.

    L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) ||^2

with t uniform over the training timesteps. The weights users get are an exponential moving
average (diffusers' EMAModel), which samples far better than the raw weights of a short run.
Mixed precision (bfloat16 autocast) is used on CUDA; CPU runs in float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers.training_utils import EMAModel

from genai_demo import limits
from genai_demo.models.diffusion import DiffusionModel
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig


@dataclass
class DiffusionTrainingConfig(TrainingConfig):
    learning_rate: float = 5e-4
    ema_decay: float = 0.999
    mixed_precision: bool = True  # bfloat16 autocast, on CUDA only

    def __post_init__(self) -> None:
        super().__post_init__()
        limits.EMA_DECAY.check(self.ema_decay)


class DiffusionTrainer(ImageTrainer):
    model_classes = {DiffusionModel.model_type: DiffusionModel}
    config_class = DiffusionTrainingConfig
    loss_names = ("loss",)  # noise-prediction MSE
    default_model_type = "ddpm"

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        # Built here (called once, right after the model) so a resume can restore it.
        self.ema = EMAModel(self.model.unet.parameters(), decay=self.config.ema_decay, use_ema_warmup=True)
        return {"unet": torch.optim.AdamW(self.model.unet.parameters(), self.config.learning_rate, weight_decay=0.0)}

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        scheduler = self.model.noise_scheduler
        noise = torch.randn(real_images.shape, generator=self.noise_generator, device=self.device)
        timesteps = torch.randint(
            0, scheduler.config.num_train_timesteps, (len(real_images),),
            generator=self.noise_generator, device=self.device,
        )
        noisy_images = scheduler.add_noise(real_images, noise, timesteps)
        class_labels = real_labels if self.model.is_conditional else None
        autocast = self.device.type == "cuda" and self.config.mixed_precision
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=autocast):
            predicted_noise = self.model.unet(noisy_images, timesteps, class_labels=class_labels).sample
        loss = F.mse_loss(predicted_noise.float(), noise)
        self.optimizers["unet"].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers["unet"].step()
        self.ema.step(self.model.unet.parameters())
        return loss.detach().view(1)

    def _with_ema_weights(self, action):
        """Run `action` with the EMA weights in the UNet, then put the training weights back."""
        parameters = list(self.model.unet.parameters())
        self.ema.store(parameters)
        self.ema.copy_to(parameters)
        try:
            return action()
        finally:
            self.ema.restore(parameters)

    def _save_sample_grid(self):
        return self._with_ema_weights(super()._save_sample_grid)

    def save_model(self, card_text: str) -> None:
        self._with_ema_weights(lambda: super(DiffusionTrainer, self).save_model(card_text))

    def extra_state(self) -> dict[str, torch.Tensor]:
        tensors = {f"ema.{index}": tensor for index, tensor in enumerate(self.ema.shadow_params)}
        tensors["ema.optimization_step"] = torch.tensor(self.ema.optimization_step)
        return tensors

    def load_extra_state(self, tensors: dict[str, torch.Tensor]) -> None:
        for index, shadow in enumerate(self.ema.shadow_params):
            shadow.copy_(tensors[f"ema.{index}"].to(shadow.device))
        self.ema.optimization_step = int(tensors["ema.optimization_step"])

    def optimizer_summary(self) -> str:
        precision = "bfloat16 autocast" if self.device.type == "cuda" and self.config.mixed_precision else "float32"
        return f"AdamW(lr={self.config.learning_rate:g}), EMA decay {self.config.ema_decay:g}, {precision}"
