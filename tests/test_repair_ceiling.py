"""bench/repair_ceiling.py: the estimate of how well any repair can keep the label (issue 27's note)."""

import json
import subprocess
import sys

from conftest import REPO_ROOT


def test_repair_ceiling_trains_a_reader_of_the_damaged_digits(tmp_path):
    """bench/repair_ceiling.py, tiny: three epochs on 1,500 digits read x4 down-scaled ones well above chance."""
    out = tmp_path / "ceiling.json"
    result = subprocess.run([sys.executable, "bench/repair_ceiling.py", "--cases", "upscale-x4", "--epochs", "3",
                             "--train-images", "1500", "--num", "100", "--data-source", "embedded", "--json", str(out)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(out.read_text())
    assert row["case"] == "upscale-x4" and row["images"] == 100 and row["training_images"] == 1500
    # Chance is 0.1. The 1,500 digits are drawn from every class (the split is sorted by class: its first
    # 1,500 are 0s, 1s and 2s, which read no better than 0.3); 3 short epochs reach 0.8.
    assert 0.6 < row["label_agreement"] <= 1
