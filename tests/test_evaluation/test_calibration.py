"""Expected calibration error against hand-computed values."""
import math

import pytest
import torch

from adautomix_mm.evaluation import CalibrationError, expected_calibration_error

# Logits whose softmax is exactly the listed probabilities (log-probs).
PROBS = torch.tensor([[0.9, 0.1], [0.58, 0.42], [0.35, 0.65], [0.2, 0.8],
                      [0.97, 0.03]])
LOGITS = PROBS.log()
LABELS = torch.tensor([0, 1, 1, 0, 0])
# confidences 0.9, 0.58, 0.65, 0.8, 0.97; correct 1, 0, 1, 0, 1.
# 15 bins of width 1/15: 0.9 -> (13/15, 14/15], 0.58 -> (8/15, 9/15],
# 0.65 -> (9/15, 10/15], 0.8 -> (11/15, 12/15], 0.97 -> (14/15, 1]: one
# sample per bin, so ECE = mean |correct - confidence|.
ECE_15 = (0.1 + 0.58 + 0.35 + 0.8 + 0.03) / 5
# One bin: |accuracy - mean confidence| = |3/5 - 3.9/5|.
ECE_1 = abs(3 / 5 - (0.9 + 0.58 + 0.65 + 0.8 + 0.97) / 5)
# Two bins (0, .5], (.5, 1]: all in the second, so ECE_2 == ECE_1; three bins
# (1/3, 2/3] holds 0.58, 0.65 (acc 1/2, conf 0.615), (2/3, 1] holds 0.9,
# 0.8, 0.97 (acc 2/3, conf 0.89).
ECE_3 = 2 / 5 * abs(0.5 - 0.615) + 3 / 5 * abs(2 / 3 - 0.89)


def test_ece_hand_computed():
    scores = LOGITS.softmax(dim=1)
    assert expected_calibration_error(scores, LABELS) == pytest.approx(ECE_15)
    assert expected_calibration_error(scores, LABELS, 1) == \
        pytest.approx(ECE_1)
    assert expected_calibration_error(scores, LABELS, 3) == \
        pytest.approx(ECE_3)


def test_ece_perfectly_calibrated_is_zero():
    # Two samples at confidence 0.5 in one bin, one right, one wrong.
    scores = torch.tensor([[0.5, 0.5], [0.5, 0.5]])
    assert expected_calibration_error(scores, torch.tensor([0, 1])) == 0


@pytest.mark.parametrize('network', [None, 'ema', 'online'])
def test_metric_reads_the_network_scores(network):
    metric = CalibrationError(network=network)
    key = f'pred_score_{network}' if network else 'pred_score'
    other = PROBS.flip(1)  # scores of a different network: another ECE
    samples = []
    for p, q, y in zip(PROBS, other, LABELS):
        s = {key: p, 'gt_label': y.view(1)}
        for name in ('pred_score', 'pred_score_ema', 'pred_score_online'):
            s.setdefault(name, q)
        samples.append(s)
    metric.process(None, samples)
    result = metric.evaluate(len(samples))
    prefix = f'calibration_{network}' if network else 'calibration'
    assert result == {f'{prefix}/ece': pytest.approx(100 * ECE_15)}


def test_metric_errors():
    with pytest.raises(ValueError, match='num_bins'):
        CalibrationError(num_bins=0)
    with pytest.raises(ValueError, match='network'):
        CalibrationError(network='teacher')
    metric = CalibrationError(network='ema')
    with pytest.raises(KeyError, match='pred_score_ema'):
        metric.process(None, [{'pred_score': PROBS[0],
                               'gt_label': LABELS[:1]}])
    assert not math.isnan(ECE_15)
