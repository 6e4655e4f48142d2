"""Trainers: plain objects that yield progress events and check a stop flag; no UI here.

`loop.Trainer` is the one training loop; each family's trainer supplies its model, optimizers
and step. `trainer_class(family_name)` finds the trainer a family's registry record names.
"""

import importlib

from genai_demo.errors import InvalidInputError
from genai_demo.families import family
from genai_demo.training.checkpoint import TrainingDivergedError
from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent, event_record
from genai_demo.training.gan_trainer import GANTrainer, GANTrainingConfig
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig
from genai_demo.training.loop import Trainer
from genai_demo.training.vae_trainer import VAETrainer, VAETrainingConfig
from genai_demo.training.wgan_gp_trainer import WGANGPTrainer, WGANGPTrainingConfig

# The module of each trainer class the family registry names. The diffusion and text trainers'
# modules import diffusers and transformers, so `trainer_class` imports a module only when asked for.
TRAINER_MODULES = {
    "GANTrainer": "genai_demo.training.gan_trainer",
    "WGANGPTrainer": "genai_demo.training.wgan_gp_trainer",
    "StyleGANTrainer": "genai_demo.training.stylegan_trainer",
    "VAETrainer": "genai_demo.training.vae_trainer",
    "DiffusionTrainer": "genai_demo.training.diffusion_trainer",
    "TextTrainer": "genai_demo.training.text_trainer",
    "ClassifierTrainer": "genai_demo.training.classifier_trainer",
}


def trainer_class(family_name: str) -> type[Trainer]:
    """The trainer class of a family, as its record in genai_demo.families names it
    (e.g. GANTrainer for "dcgan"); a family that is not trained here is a clear error."""
    record = family(family_name)
    if record.trainer is None:
        raise InvalidInputError(f"{family_name} is not trained by genai-demo: it is loaded from the Hub only")
    return getattr(importlib.import_module(TRAINER_MODULES[record.trainer]), record.trainer)


__all__ = [
    "CheckpointEvent",
    "FinishedEvent",
    "GANTrainer",
    "GANTrainingConfig",
    "ImageTrainer",
    "ProgressEvent",
    "SampleEvent",
    "Trainer",
    "TrainingConfig",
    "TrainingDivergedError",
    "VAETrainer",
    "VAETrainingConfig",
    "WGANGPTrainer",
    "WGANGPTrainingConfig",
    "event_record",
    "trainer_class",
]
