"""Coverage, high-quality share and sliced Wasserstein distance of generated 2D points."""

import math

import numpy as np
import pytest
import torch

from genai_demo.metrics.toy2d import mode_coverage, sliced_wasserstein

CENTRES = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0], [0.0, -2.0]])


def test_samples_on_one_mode_cover_one_and_are_all_high_quality():
    samples = torch.tensor([[2.0, 0.0]]).repeat(1000, 1) + 0.01 * torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))
    coverage = mode_coverage(samples, CENTRES, sigma=0.05)
    assert (coverage.modes_covered, coverage.modes, coverage.high_quality) == (1, 4, 1.0)


def test_samples_between_modes_cover_nothing():
    samples = torch.tensor([[1.0, 1.0]]).repeat(500, 1)
    assert mode_coverage(samples, CENTRES, sigma=0.05).modes_covered == 0
    assert mode_coverage(samples, CENTRES, sigma=0.05).high_quality == 0.0


def test_a_mode_counts_from_one_percent_of_the_samples():
    far = torch.full((2000, 2), 10.0)
    for on_mode, covered in ((19, 0), (20, 1)):
        samples = far.clone()
        samples[:on_mode] = torch.tensor([0.0, 2.0])
        coverage = mode_coverage(samples, CENTRES, sigma=0.05)
        assert coverage.modes_covered == covered
        assert coverage.high_quality == pytest.approx(on_mode / 2000)


def test_sliced_wasserstein_is_zero_for_one_set_and_grows_with_a_shift():
    points = torch.randn(1000, 2, generator=torch.Generator().manual_seed(1))
    assert sliced_wasserstein(points, points[torch.randperm(1000)]) == pytest.approx(0.0, abs=1e-6)
    # A shift by d moves each projection by d |cos(angle)|: on average 2d/pi.
    assert sliced_wasserstein(points, points + torch.tensor([1.0, 0.0])) == pytest.approx(2 / math.pi, rel=0.02)
    assert sliced_wasserstein(points, points + torch.tensor([2.0, 0.0])) == pytest.approx(4 / math.pi, rel=0.02)
    with pytest.raises(ValueError):
        sliced_wasserstein(points, points[:10])
