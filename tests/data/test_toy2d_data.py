"""The playground's 2D datasets: where their points lie, reproducibly; drawings as data."""

import numpy as np
import pytest
import torch

from genai_demo.data.toy2d import EXTENT, MODE_SIGMA, drawn, points_from_drawing, toy_dataset
from genai_demo.errors import InvalidInputError
from genai_demo.metrics.toy2d import mode_coverage


@pytest.mark.parametrize("name, modes", [("ring8", 8), ("grid25", 25)])
def test_mixture_samples_sit_on_their_modes(name, modes):
    data = toy_dataset(name)
    points = data.sample(4000, torch.Generator().manual_seed(0))
    coverage = mode_coverage(points, data.centres, data.sigma)
    assert (coverage.modes_covered, coverage.modes) == (modes, modes)
    # Within 3 sigma of a 2D Gaussian's centre: 1 - exp(-4.5) = 98.9% of its points.
    assert coverage.high_quality == pytest.approx(1 - np.exp(-4.5), abs=0.01)
    assert data.sigma == MODE_SIGMA


@pytest.mark.parametrize("name", ["ring8", "grid25", "moons", "spiral"])
def test_every_dataset_is_reproducible_and_inside_the_view(name):
    data = toy_dataset(name)
    first = data.sample(500, torch.Generator().manual_seed(3))
    again = data.sample(500, torch.Generator().manual_seed(3))
    assert torch.equal(first, again)
    assert first.shape == (500, 2) and first.abs().max() < EXTENT
    assert not torch.equal(first, data.sample(500, torch.Generator().manual_seed(4)))


def test_a_drawing_becomes_points_in_view_coordinates_y_up():
    mask = np.zeros((100, 100), dtype=bool)
    mask[0:5, 0:5] = True  # top left corner
    mask[95:, 95:] = True  # bottom right corner
    points = points_from_drawing(mask)
    top_left = points[points[:, 0] < 0]
    bottom_right = points[points[:, 0] > 0]
    assert (top_left[:, 1] > EXTENT * 0.8).all() and (top_left[:, 0] < -EXTENT * 0.8).all()
    assert (bottom_right[:, 1] < -EXTENT * 0.8).all() and (bottom_right[:, 0] > EXTENT * 0.8).all()
    data = drawn(points)
    sample = data.sample(1000, torch.Generator().manual_seed(0))
    assert ((sample[:, 0] < 0) == (sample[:, 1] > 0)).float().mean() > 0.99  # only the two corners


def test_a_drawing_with_almost_nothing_on_it_is_refused_and_a_big_one_thinned():
    with pytest.raises(InvalidInputError, match="draw at least"):
        drawn(points_from_drawing(np.zeros((50, 50), dtype=bool)))
    assert len(points_from_drawing(np.ones((200, 200), dtype=bool), max_points=2000)) == 2000
    with pytest.raises(InvalidInputError, match="unknown 2D dataset"):
        toy_dataset("circle")
