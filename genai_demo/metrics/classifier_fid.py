"""Classifier-FID and class accuracy, measured with a frozen classifier trained by this project.

FID (Heusel et al. 2017) is the Fréchet distance between Gaussians fitted to features of real
and generated images. On MNIST the Inception network is replaced by a small classifier trained
on the same data (as in TF-GAN's MNIST evaluation), so the number is only comparable between
runs measured with the same classifier folder. The real-vs-real floor (train split vs test
split, same sample count) says what "as good as real data" looks like at that sample size.
"""

from __future__ import annotations

import torch

from genai_demo.models import ImageClassifier

BATCH_SIZE = 500


@torch.no_grad()
def classifier_features(classifier: ImageClassifier, images: torch.Tensor) -> torch.Tensor:
    """(N, feature_dim) float64 features of images in [-1, 1], computed in batches."""
    classifier.eval()
    device = next(classifier.parameters()).device
    chunks = [classifier.features(images[start : start + BATCH_SIZE].to(device)).double().cpu()
              for start in range(0, len(images), BATCH_SIZE)]
    return torch.cat(chunks)


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), in float64.

    Tr((S_a S_b)^(1/2)) is computed as the sum of square roots of the eigenvalues of the
    symmetric matrix S_a^(1/2) S_b S_a^(1/2), which has the same spectrum and needs no scipy.
    """
    if len(features_a) < 2 or len(features_b) < 2:
        raise ValueError("the Fréchet distance needs at least 2 samples on each side")
    mean_a, mean_b = features_a.mean(0), features_b.mean(0)
    covariance_a, covariance_b = torch.cov(features_a.T), torch.cov(features_b.T)
    eigenvalues_a, eigenvectors_a = torch.linalg.eigh(covariance_a)
    sqrt_a = eigenvectors_a @ torch.diag(eigenvalues_a.clamp(min=0).sqrt()) @ eigenvectors_a.T
    middle = sqrt_a @ covariance_b @ sqrt_a
    trace_sqrt_product = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    distance = (mean_a - mean_b).square().sum() + covariance_a.trace() + covariance_b.trace() - 2 * trace_sqrt_product
    return max(distance.item(), 0.0)


def classifier_fid(classifier: ImageClassifier, real_images: torch.Tensor, generated_images: torch.Tensor) -> float:
    return frechet_distance(classifier_features(classifier, real_images), classifier_features(classifier, generated_images))


@torch.no_grad()
def predicted_classes(classifier: ImageClassifier, images: torch.Tensor) -> torch.Tensor:
    """The class the classifier reads in each image (in [-1, 1]), computed in batches, on the CPU."""
    classifier.eval()
    device = next(classifier.parameters()).device
    return torch.cat([classifier(images[start : start + BATCH_SIZE].to(device)).argmax(1).cpu()
                      for start in range(0, len(images), BATCH_SIZE)])


def class_accuracy(classifier: ImageClassifier, images: torch.Tensor, requested_labels: torch.Tensor) -> float:
    """Fraction of images the classifier assigns to the class they were asked to show."""
    return (predicted_classes(classifier, images) == requested_labels.cpu()).float().mean().item()
