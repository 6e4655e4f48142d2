"""What a trainer yields to whoever drives it (CLI, UI job manager, accelerate launch)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ProgressEvent:
    step: int  # optimisation steps done so far
    total_steps: int
    epoch: int
    losses: dict[str, float]  # e.g. {"d_loss": ..., "g_loss": ...}, averaged since the last event
    samples_per_second: float
    elapsed_seconds: float  # training wall time, resumed runs included


@dataclass
class SampleEvent:
    step: int
    path: Path  # PNG of the fixed-noise grid (image models) or the sample text file (text models)
    text: str = ""  # text models: the sample itself


@dataclass
class CheckpointEvent:
    step: int
    folder: Path


@dataclass
class FinishedEvent:
    step: int
    folder: Path
    stopped: bool  # True when the stop flag ended the run early
    summary: dict[str, float | int | str] = field(default_factory=dict)


TrainingEvent = ProgressEvent | SampleEvent | CheckpointEvent | FinishedEvent


def event_record(event) -> dict:
    """A training event as a JSON-ready dict: {"event": "progress"|"sample"|"checkpoint"|"finished", ...}."""
    record = {"event": type(event).__name__.removesuffix("Event").lower()}
    for entry in dataclasses.fields(event):
        value = getattr(event, entry.name)
        record[entry.name] = str(value) if isinstance(value, Path) else value
    return record
