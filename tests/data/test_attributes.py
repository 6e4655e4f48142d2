import json

import pytest
import torch

from genai_demo.data.attributes import (
    ATTRIBUTES,
    BIN_NAMES,
    AttributeBins,
    condition_counts,
    measure,
)
from genai_demo.errors import ModelLoadError


def bar(width: int, shear: float = 0.0, left: int = 12, top: int = 4, height: int = 20, size: int = 28) -> torch.Tensor:
    """A (1, 1, size, size) image in [-1, 1]: a vertical bar `width` pixels wide, each row moved
    `shear` pixels right per pixel of height above the middle ("/" for shear > 0)."""
    image = -torch.ones(1, 1, size, size)
    middle = top + height / 2
    for row in range(top, top + height):
        start = left + round(shear * (middle - row))
        image[0, 0, row, start : start + width] = 1.0
    return image


def test_a_wider_bar_is_thicker_and_its_thickness_is_about_its_width():
    widths = [1, 2, 3, 5, 7]
    thickness = measure(torch.cat([bar(width) for width in widths]))["thickness"]
    assert torch.all(thickness[1:] > thickness[:-1])
    assert thickness[1] == pytest.approx(2, abs=0.3) and thickness[3] == pytest.approx(5, abs=1.0)


def test_slant_sign_follows_the_shear_and_an_upright_bar_has_none():
    slant = measure(torch.cat([bar(3, shear=0.4), bar(3, shear=-0.4), bar(3)]))["slant"]
    assert slant[0] > 0.3 and slant[1] < -0.3
    assert slant[0] == pytest.approx(-slant[1], abs=1e-5)
    assert slant[2] == pytest.approx(0.0, abs=1e-6)


def test_measures_are_unchanged_by_moving_the_ink():
    images = torch.cat([bar(2, shear=0.3), bar(5, shear=-0.2)])
    moved = torch.cat([bar(2, shear=0.3, left=6, top=2), bar(5, shear=-0.2, left=16, top=7)])
    original, translated = measure(images), measure(moved)
    for name in ATTRIBUTES:
        torch.testing.assert_close(original[name], translated[name])


def test_uint8_images_and_empty_images():
    images = torch.cat([bar(4, shear=0.3), -torch.ones(1, 1, 28, 28)])
    as_uint8 = ((images + 1) * 127.5).round().to(torch.uint8)
    for name, values in measure(as_uint8).items():
        torch.testing.assert_close(values, measure(images)[name])
    assert measure(images)["thickness"][1] == 0 and measure(images)["slant"][1] == 0
    with pytest.raises(ValueError, match="grayscale"):
        measure(torch.zeros(2, 3, 28, 28))


def synthetic_set() -> torch.Tensor:
    """90 bars: widths 1-9 crossed with ten shears from leaning left to leaning right; the height grows
    with the width, so that no two bars measure the same."""
    return torch.cat([bar(width, shear=shear, left=9, height=11 + width) for width in range(1, 10)
                      for shear in torch.linspace(-0.45, 0.45, 10).tolist()])


def test_bins_fit_on_a_set_are_its_terciles_and_split_it_in_thirds():
    images = synthetic_set()
    bins = AttributeBins.fit(images)
    values = measure(images)
    quantiles = torch.tensor([1 / 3, 2 / 3], dtype=torch.float64)
    for name in ATTRIBUTES:
        expected = torch.quantile(values[name].double(), quantiles).tolist()
        assert bins.edges(name) == pytest.approx(expected, abs=1e-5)
    indices = bins.bin(images)
    assert indices.shape == (90, 2) and indices.dtype == torch.long
    for column in range(2):
        assert indices[:, column].bincount(minlength=3).tolist() == [30, 30, 30]
    # the thinnest bar is "thin", the widest "thick"; a bar leaning left "left", right "right"
    assert bins.bin(torch.cat([bar(1), bar(9)]))[:, 0].tolist() == [0, 2]
    assert bins.bin(torch.cat([bar(4, shear=-0.45), bar(4), bar(4, shear=0.45)]))[:, 1].tolist() == [0, 1, 2]
    assert bins.bin(images[:0]).shape == (0, 2)


def test_fit_measures_in_chunks(monkeypatch):
    images = synthetic_set()
    whole = AttributeBins.fit(images)
    monkeypatch.setattr("genai_demo.data.attributes.CHUNK_SIZE", 7)
    assert AttributeBins.fit(images) == whole


def test_bins_round_trip_through_json():
    bins = AttributeBins(thickness_edges=(2.123456789, 2.7), slant_edges=(-0.0123456789, 0.25))
    data = json.loads(json.dumps(bins.to_json()))
    assert data == {"thickness": {"edges": [2.123457, 2.7], "names": ["thin", "medium", "thick"]},
                    "slant": {"edges": [-0.012346, 0.25], "names": ["left", "upright", "right"]}}
    assert AttributeBins.from_json(data) == AttributeBins((2.123457, 2.7), (-0.012346, 0.25))
    assert BIN_NAMES["slant"] == ("left", "upright", "right")


@pytest.mark.parametrize("broken", [
    {},
    {"thickness": {"edges": [1.0, 2.0], "names": ["thin", "medium", "thick"]}},
    {"thickness": {"edges": [2.0, 1.0], "names": ["thin", "medium", "thick"]},
     "slant": {"edges": [0.0, 0.2], "names": ["left", "upright", "right"]}},
    {"thickness": {"edges": [1.0, 2.0, 3.0], "names": ["thin", "medium", "thick"]},
     "slant": {"edges": [0.0, 0.2], "names": ["left", "upright", "right"]}},
    {"thickness": {"edges": ["1", 2.0], "names": ["thin", "medium", "thick"]},
     "slant": {"edges": [0.0, 0.2], "names": ["left", "upright", "right"]}},
    {"thickness": {"edges": [1.0, 2.0], "names": ["thin", "medium", "thick"]},
     "slant": {"edges": [0.0, 0.2], "names": ["right", "upright", "left"]}},
])
def test_malformed_bins_json_is_a_clear_error(broken):
    with pytest.raises(ModelLoadError, match="attribute bins must look like"):
        AttributeBins.from_json(broken)


def test_condition_counts_per_class_and_cell():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    bins = torch.tensor([[0, 0], [0, 0], [2, 1], [1, 2], [0, 1], [1, 2]])
    counts = condition_counts(labels, bins, num_classes=4)
    assert counts[0] == [2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert counts[1][2 * 3 + 1] == 1 and counts[2][1 * 3 + 2] == 2 and counts[2][0 * 3 + 1] == 1
    assert counts[3] == [0] * 9
    assert sum(map(sum, counts)) == len(labels)
    with pytest.raises(ValueError, match="labels must lie in 0..1"):
        condition_counts(labels, bins, num_classes=2)


def test_embedded_mnist_has_spread_and_balanced_bins(mnist_train):
    chosen = torch.randperm(len(mnist_train), generator=torch.Generator().manual_seed(0))[:1000]
    images, labels = mnist_train.images[chosen], mnist_train.labels[chosen]
    values = measure(images)
    assert values["thickness"].std() > 0.2 and values["slant"].std() > 0.05
    assert 1.0 < values["thickness"].median() < 5.0  # stroke widths in pixels
    bins = AttributeBins.fit(mnist_train.images)
    indices = bins.bin(images)
    for column in range(2):
        shares = indices[:, column].bincount(minlength=3).float() / len(indices)
        assert torch.all((shares > 0.25) & (shares < 0.42)), shares
    counts = condition_counts(labels, indices, num_classes=10)
    assert sum(map(sum, counts)) == 1000
