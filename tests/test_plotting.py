"""The Pillow charts: round ticks, and a chart that draws its line where the data says."""

import numpy as np
import pytest

from genai_demo.plotting import LINE, line_panels, nice_ticks


@pytest.mark.parametrize("low, high, expected", [
    (0, 10, [0, 2, 4, 6, 8, 10]),
    (0.13, 0.92, [0.2, 0.4, 0.6, 0.8]),
    (1, 9500, [2000, 4000, 6000, 8000]),
])
def test_ticks_are_round_numbers_inside_the_range(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


def test_each_curve_gets_a_panel_and_its_line_goes_where_the_values_do():
    rising = (list(range(100)), [float(step) for step in range(100)])
    falling = (list(range(100)), [float(100 - step) for step in range(100)])
    image = np.asarray(line_panels({"up": rising, "down": falling}, width=400, panel_height=100))
    assert image.shape[0] > 200  # two panels
    line = np.all(image == LINE, axis=-1)
    rows, columns = np.nonzero(line)
    assert rows.size > 200
    top_panel = rows < image.shape[0] // 2
    # In the top panel ("up") the line's right end is higher than its left end; in "down" lower.
    for in_panel, rises in ((top_panel, True), (~top_panel, False)):
        left = rows[in_panel & (columns < columns.min() + 20)].mean()
        right = rows[in_panel & (columns > columns.max() - 20)].mean()
        assert (right < left) == rises


def test_a_flat_or_single_point_curve_still_draws():
    image = np.asarray(line_panels({"flat": ([1, 2, 3], [19.2688, 19.2688, 19.26880001]), "one": ([5], [1.0])}))
    assert np.all(image == LINE, axis=-1).sum() > 50
