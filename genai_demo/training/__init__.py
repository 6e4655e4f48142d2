"""Trainers: plain objects that yield progress events and check a stop flag; no UI here."""

from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent
from genai_demo.training.gan_trainer import GANTrainer, GANTrainingConfig
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig, TrainingDivergedError
from genai_demo.training.vae_trainer import VAETrainer, VAETrainingConfig
from genai_demo.training.wgan_gp_trainer import WGANGPTrainer, WGANGPTrainingConfig

__all__ = [
    "CheckpointEvent",
    "FinishedEvent",
    "GANTrainer",
    "GANTrainingConfig",
    "ImageTrainer",
    "ProgressEvent",
    "SampleEvent",
    "TrainingConfig",
    "TrainingDivergedError",
    "VAETrainer",
    "VAETrainingConfig",
    "WGANGPTrainer",
    "WGANGPTrainingConfig",
]
