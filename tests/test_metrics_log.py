"""The run's curves on disk: metrics.jsonl always, TensorBoard event files when tensorboard is there."""

import json

import pytest

from genai_demo.metrics_log import METRICS_NAME, MetricsLog, read_metrics


def test_append_truncate_and_read_back(tmp_path):
    log = MetricsLog(tmp_path)
    for step in (10, 20, 30):
        log.append({"step": step, "loss": 1.0 / step, "elapsed_seconds": step / 10})
    with open(tmp_path / METRICS_NAME, "a", encoding="utf-8") as handle:
        handle.write('{"step": 40, "loss": 0.0')  # a line cut short by a crash
    assert [record["step"] for record in read_metrics(tmp_path)] == [10, 20, 30]
    log.truncate_after(20)  # a resume from step 20 redoes what came after
    assert [json.loads(line)["step"] for line in (tmp_path / METRICS_NAME).read_text().splitlines()] == [10, 20]
    assert read_metrics(tmp_path / "nowhere") == []


def test_tensorboard_event_files_hold_the_curves(tmp_path):
    pytest.importorskip("tensorboard", reason="TensorBoard files are written only when tensorboard is installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    log = MetricsLog(tmp_path)
    for step in (1, 2, 3):
        log.append({"step": step, "epoch": 0, "d_loss": 1.5 - step / 10, "elapsed_seconds": 0.1})
    log.close()
    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    assert events.Tags()["scalars"] == ["d_loss"]  # step, epoch and time are axes, not curves
    assert [(event.step, round(event.value, 3)) for event in events.Scalars("d_loss")] == [(1, 1.4), (2, 1.3), (3, 1.2)]
