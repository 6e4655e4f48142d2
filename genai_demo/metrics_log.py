"""The run's curves on disk: `metrics.jsonl` (always) and TensorBoard event files (when
`tensorboard` is installed), so a run can be plotted again after a restart or by other tools."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from genai_demo.io_utils import atomic_write_text

METRICS_NAME = "metrics.jsonl"
TENSORBOARD_DIR = "tensorboard"
NOT_CURVES = ("step", "epoch", "elapsed_seconds")
_NOT_PLOTTED = (*NOT_CURVES, "samples_per_second")  # a speed, not a curve of the model


def curve_values(record: dict) -> dict[str, float]:
    """The record's plottable curves (losses, quality figures), by name."""
    return {name: float(value) for name, value in record.items()
            if name not in _NOT_PLOTTED and isinstance(value, (int, float))}

logger = logging.getLogger(__name__)


def read_metrics(folder: str | Path) -> list[dict]:
    """The records of `metrics.jsonl`, skipping a last line cut short by a crash."""
    path = Path(folder) / METRICS_NAME
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("step"), int):
            records.append(record)
    return records


class MetricsLog:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._writer = None
        self._writer_failed = False

    def truncate_after(self, step: int) -> None:
        """Drop points logged after the checkpoint a run resumes from: they will be redone."""
        if (self.folder / METRICS_NAME).is_file():
            kept = [json.dumps(record) + "\n" for record in read_metrics(self.folder) if record["step"] <= step]
            atomic_write_text(self.folder / METRICS_NAME, "".join(kept))

    def append(self, record: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / METRICS_NAME, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        writer = self._tensorboard()
        if writer is not None:
            for name, value in record.items():
                if name not in NOT_CURVES and isinstance(value, (int, float)):
                    writer.add_scalar(name, value, record["step"])
            writer.flush()

    def _tensorboard(self):
        if self._writer is None and not self._writer_failed:
            try:
                from torch.utils.tensorboard import SummaryWriter  # needs the optional tensorboard package
            except ImportError:
                self._writer_failed = True
                return None
            self._writer = SummaryWriter(str(self.folder / TENSORBOARD_DIR))
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
