"""Trainers: plain objects that yield progress events and check a stop flag; no UI here."""

from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent
from genai_demo.training.gan_trainer import GANTrainer, GANTrainingConfig, TrainingDivergedError

__all__ = [
    "CheckpointEvent",
    "GANTrainer",
    "FinishedEvent",
    "GANTrainingConfig",
    "ProgressEvent",
    "SampleEvent",
    "TrainingDivergedError",
]
