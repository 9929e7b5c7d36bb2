"""newplugin's methods follow cityrank's batched array contract and compute what they say."""

import numpy as np
from cityrank_newplugin.methods import share_of_best, weighted_median

from cityrank.testing import check_aggregator, check_normaliser


def test_contract():
    check_normaliser(share_of_best)
    check_aggregator(weighted_median)


def test_values_by_hand():
    x = np.array([[1.0], [2.0], [4.0]])
    np.testing.assert_allclose(share_of_best(x, np.array([1.0]))[:, 0], [25, 50, 100])
    np.testing.assert_allclose(weighted_median(np.array([[1.0, 5.0, 9.0]]), np.array([1.0, 1.0, 1.0])), [5.0])
