"""Agreement maths against values computed by hand (and cross-checked with scipy)."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from onprem_sft.curate.agreement import accuracy, cohen_kappa, confusion, ranks, spearman


def test_kappa_hand_computed() -> None:
    # judge: P P P P F F F F F F ; human: P P P F F F F F P F
    j = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    h = [1, 1, 1, 0, 0, 0, 0, 0, 1, 0]
    # p_o = 8/10; judge P=.4, human P=.4 -> p_e = .4*.4 + .6*.6 = .52; kappa = (.8-.52)/(.48) = 0.58333
    assert accuracy(j, h) == 0.8
    assert cohen_kappa(j, h) == pytest.approx(0.28 / 0.48)


def test_kappa_perfect_chance_and_constant() -> None:
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == 1.0
    # p_o = .5, p_e = .5 -> 0
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 1, 0]) == 0.0
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) == 1.0
    assert cohen_kappa([1, 1, 1], [1, 1, 0]) == 0.0
    assert math.isnan(cohen_kappa([], []))


def test_ranks_average_ties() -> None:
    assert ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]


def test_spearman_hand_computed() -> None:
    # no ties: d = rank diffs; x ranks 1..5, y ranks [2,1,4,3,5] -> sum d^2 = 1+1+1+1+0 = 4
    # rho = 1 - 6*4 / (5*24) = 0.8
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    y = [2.0, 1.0, 4.0, 3.0, 5.0]
    assert spearman(x, y) == pytest.approx(0.8)
    assert spearman(x, [5, 4, 3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_ties_match_scipy() -> None:
    judge = [4.3, 3.0, 3.0, 1.7, 5.0, 2.3]
    human = [4, 3, 4, 1, 5, 2]
    assert spearman(judge, human) == pytest.approx(stats.spearmanr(judge, human).statistic)


def test_spearman_constant_is_nan() -> None:
    assert math.isnan(spearman([3, 3, 3], [1, 2, 3]))


def test_confusion_and_length_mismatch() -> None:
    c = confusion([True, True, False, False], [True, False, True, False])
    assert c == {"both_pass": 1, "both_fail": 1, "judge_pass_human_fail": 1, "judge_fail_human_pass": 1}
    with pytest.raises(ValueError, match="differ in length"):
        accuracy([1], [1, 0])
