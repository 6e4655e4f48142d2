"""What every tab shares: the device, the model registry and the output folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from genai_demo.hub.registry import ModelEntry, discover_models
from genai_demo.ui.outputs import OutputFiles


@dataclass
class AppState:
    device: torch.device
    model_roots: list[Path] | None = None  # None: shipped checkpoints + the user models folder
    outputs: OutputFiles = field(default_factory=OutputFiles)

    def models(self, model_types: tuple[str, ...] | None = None) -> list[ModelEntry]:
        """Model folders found now (a folder trained a moment ago shows up on the next call)."""
        entries = discover_models(self.model_roots)
        if model_types is not None:
            entries = [entry for entry in entries if entry.model_type in model_types]
        return entries
