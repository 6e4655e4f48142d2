"""Plot a run's classifier-FID (and its real-data floor) over training steps, from metrics.jsonl.

    python bench/plot_quality.py runs/my-dcgan                 # writes runs/my-dcgan/quality.png
    python bench/plot_quality.py runs/my-dcgan --out docs/dcgan_fid.png

Also prints what the evaluations cost: their total time over the run's training time.
Needs matplotlib (not a dependency of the app).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genai_demo.metrics_log import read_metrics  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run folder trained with --eval-every")
    parser.add_argument("--out", type=Path, default=None, help="PNG to write (default: RUN/quality.png)")
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = [record for record in read_metrics(args.run) if "classifier_fid" in record]
    if not records:
        raise SystemExit(f"{args.run} has no classifier_fid rows: train it with --eval-every N")
    steps = [record["step"] for record in records]
    figure, axes = plt.subplots(figsize=(7, 4), dpi=110)
    axes.plot(steps, [record["classifier_fid"] for record in records], marker="o", label="classifier-FID")
    axes.plot(steps, [record["fid_floor"] for record in records], linestyle="--", label="real-vs-real floor")
    best = min(records, key=lambda record: record["classifier_fid"])
    axes.annotate(f"best {best['classifier_fid']:.1f} (step {best['step']:,})", (best["step"], best["classifier_fid"]),
                  textcoords="offset points", xytext=(-60, 25), arrowprops={"arrowstyle": "->"})
    axes.set_yscale("log")
    axes.set_xlabel("training step")
    axes.set_ylabel("classifier-FID (log scale)")
    axes.set_title(f"{args.run.name}: sample quality while training")
    axes.legend()
    axes.grid(alpha=0.3)
    out = args.out or args.run / "quality.png"
    figure.tight_layout()
    figure.savefig(out)

    all_records = read_metrics(args.run)
    eval_seconds = sum(record.get("eval_seconds", 0.0) for record in all_records)
    elapsed = all_records[-1]["elapsed_seconds"]
    print(f"wrote {out}; {len(records)} evaluations took {eval_seconds:.1f} s of {elapsed:.1f} s "
          f"({100 * eval_seconds / elapsed:.1f}% of the run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
