import math

import pytest

from genai_demo import limits
from genai_demo.errors import InvalidInputError


@pytest.mark.parametrize("value,expected", [(1, 1), (64.0, 64), ("256", 256), (" 8 ", 8)])
def test_int_range_accepts_whole_numbers(value, expected):
    assert limits.NUM_SAMPLES.check(value) == expected


@pytest.mark.parametrize("value", [0, -1, 257, 2.5, math.nan, math.inf, -math.inf, "ten", None, True, 10**30])
def test_int_range_refuses_the_rest(value):
    with pytest.raises(InvalidInputError, match="number of samples must be a whole number from 1 to 256"):
        limits.NUM_SAMPLES.check(value)


@pytest.mark.parametrize("value", [0, -1e-3, 2.0, math.nan, math.inf, "fast", None])
def test_float_range_refuses_out_of_range(value):
    with pytest.raises(InvalidInputError, match="learning rate"):
        limits.LEARNING_RATE.check(value)


def test_float_range_accepts_strings_and_numbers():
    assert limits.LEARNING_RATE.check("2e-4") == pytest.approx(2e-4)
    assert limits.LEARNING_RATE.check(0.5) == 0.5
