"""Quality metrics: classifier-FID with its real-vs-real floor, class accuracy."""

from genai_demo.metrics.classifier_fid import (
    class_accuracy,
    classifier_features,
    classifier_fid,
    frechet_distance,
)

__all__ = ["class_accuracy", "classifier_features", "classifier_fid", "frechet_distance"]
