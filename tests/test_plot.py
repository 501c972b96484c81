from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import policyml  # noqa: E402
from policyml import plot  # noqa: E402
from policyml._resources import shipped_file  # noqa: E402
from policyml.cli import main  # noqa: E402
from policyml.datasets import load_example_csv, load_example_policy  # noqa: E402
from policyml.metrics import classification_report  # noqa: E402
from policyml.model import default_model  # noqa: E402

CATS = list(policyml.CATEGORIES)
PNG = b"\x89PNG\r\n\x1a\n"


def _bars(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def _has_error_bars(bars: BarContainer) -> bool:
    return bars.errorbar is not None


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def scored():
    """Labeled example data and the bundled model's predictions in cross_validate's shape."""
    model = default_model()
    data = load_example_csv()
    proba = model.predict_proba(data)
    predictions = pd.DataFrame(proba, columns=[f"p_{c}" for c in CATS])
    for j, c in enumerate(CATS):
        predictions[c] = (proba[:, j] >= model.thresholds[j]).astype(int)
    return data, predictions


def test_matplotlib_is_not_imported_with_policyml():
    package_root = str(Path(policyml.__file__).resolve().parent.parent)
    code = (
        "import sys, policyml\n"
        "policyml.plot, policyml.report, policyml.explain, policyml.summarize, policyml.classify\n"
        "import policyml.cli, policyml.predict\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": package_root}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()


def test_metric_intervals_bracket_the_point_estimates(scored):
    data, predictions = scored
    report = plot.metric_intervals(
        data[CATS], predictions[CATS], groups=data["policy_id"], n_boot=300
    )
    expected = classification_report(data[CATS].to_numpy(), predictions[CATS].to_numpy(), CATS)
    pd.testing.assert_frame_equal(report[expected.columns], expected)
    for name in ("precision", "recall", "f1"):
        low, high = report[f"{name}_low"], report[f"{name}_high"]
        assert ((low <= report[name] + 1e-12) & (report[name] <= high + 1e-12)).all(), name
        assert ((low >= 0) & (high <= 1)).all()
    # perfect predictions: degenerate intervals at 1
    perfect = plot.metric_intervals(data[CATS], data[CATS], n_boot=50)
    assert (perfect[["f1", "f1_low", "f1_high", "recall_low"]] == 1).all().all()


def test_metrics_bars_with_error_bars(scored):
    data, predictions = scored
    report = plot.metric_intervals(data[CATS], predictions[CATS], n_boot=100)
    ax = plot.metrics(report)
    assert len(ax.patches) == 3 * (len(CATS) + 2)
    assert [t.get_text() for t in ax.get_xticklabels()] == [*CATS, "micro avg", "macro avg"]
    assert [_has_error_bars(c) for c in _bars(ax)] == [True] * 3
    # a report without intervals (policyml.evaluate) draws plain bars
    plain = plot.metrics(policyml.evaluate(default_model(), data), averages=False)
    assert len(plain.patches) == 3 * len(CATS)
    assert not any(_has_error_bars(c) for c in _bars(plain))
    with pytest.raises(policyml.InvalidInputError, match="metrics table"):
        plot.metrics(pd.DataFrame({"x": [1]}))


def test_metrics_accepts_a_cross_validation_result():
    frame = load_example_csv()
    cv = policyml.cross_validate(frame, folds=3, thresholds=0.5, n_boot=20)
    ax = plot.metrics(cv)
    precision, _recall, f1 = _bars(ax)
    assert _has_error_bars(f1)  # f1_low/f1_high of cv.report
    assert not _has_error_bars(precision)  # cross_validate gives no precision CI


def test_pr_curves(scored):
    data, predictions = scored
    ax = plot.pr_curves(data, predictions)
    labels = ax.get_legend_handles_labels()[1]
    assert [label.split(" ")[0] for label in labels] == CATS
    assert all("(AP " in label for label in labels)
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == len(CATS)  # operating points from the 0/1 columns
    x, y = dots[0].get_data()
    report = classification_report(data[CATS].to_numpy(), predictions[CATS].to_numpy(), CATS)
    assert (x[0], y[0]) == pytest.approx(
        (report.loc[CATS[0], "recall"], report.loc[CATS[0], "precision"])
    )
    # arrays work too
    ax = plot.pr_curves(data[CATS].to_numpy(), predictions[[f"p_{c}" for c in CATS]].to_numpy())
    assert len(ax.get_legend_handles_labels()[1]) == len(CATS)


def test_confusion_heatmap(scored):
    data, predictions = scored
    ax = plot.confusion(data, predictions)
    shown = np.asarray(ax.images[0].get_array())
    assert shown.shape == (len(CATS) + 1, len(CATS) + 1)
    report = classification_report(data[CATS].to_numpy(), predictions[CATS].to_numpy(), CATS)
    np.testing.assert_allclose(np.diag(shown)[:-1], report.loc[CATS, "recall"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [*CATS, "(none)"]
    co = plot.confusion(data, categories=CATS, normalize=False)
    counts = np.asarray(co.images[0].get_array())
    assert counts.shape == (len(CATS), len(CATS))
    np.testing.assert_array_equal(np.diag(counts), data[CATS].sum().to_numpy())
    np.testing.assert_array_equal(counts, counts.T)


def test_policy_map():
    result = policyml.classify(load_example_policy())
    ax = plot.policy_map(result)
    image = np.asarray(ax.images[0].get_array())
    assert image.shape == (len(CATS), len(result), 3)
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == sum(len(labels) for labels in result["labels"])
    assert [t.get_text() for t in ax.get_yticklabels()] == CATS
    assert "4. Children" in [t.get_text() for t in ax.get_xticklabels()]
    # the most probable cell of a category is its darkest
    j = CATS.index("cookies")
    i = int(result["p_cookies"].idxmax())
    assert image[j, i].sum() == image[j].sum(axis=1).min()


def test_evaluation_figure_saves(tmp_path):
    figure = plot.evaluation(default_model(), load_example_csv(), n_boot=100)
    titles = [ax.get_title() for ax in figure.axes]
    assert any("Per-category" in t for t in titles)
    assert any("Precision" in t for t in titles)
    assert any("True" in t for t in titles)
    out = tmp_path / "evaluation.png"
    figure.savefig(out)
    assert out.read_bytes().startswith(PNG)


def test_cli_evaluate_plot(tmp_path, capsys):
    out = tmp_path / "eval.png"
    code = main(["evaluate", str(shipped_file("data", "example_labeled.csv")), "--plot", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "macro avg" in printed and f"wrote {out}" in printed
    assert out.read_bytes().startswith(PNG)


def test_learning_curves_draw_a_line_and_band_per_curve():
    curves = pd.DataFrame(
        {
            "curve": ["suggest + base"] * 3 + ["random + base"] * 3,
            "n": [100, 0, 50] * 2,
            "f1": [0.72, 0.64, 0.70, 0.71, 0.64, 0.68],
            "f1_low": [0.70, 0.60, 0.66, 0.69, 0.60, 0.65],
            "f1_high": [0.75, 0.68, 0.73, 0.74, 0.68, 0.71],
        }
    )
    ax = plot.learning_curves(curves, baseline={"base alone": 0.64}, title="t")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["suggest + base", "random + base", "base alone"]
    assert lines["suggest + base"].get_xdata().tolist() == [0, 50, 100]  # sorted by n
    assert lines["suggest + base"].get_ydata().tolist() == [0.64, 0.70, 0.72]
    assert len(ax.collections) == 2  # one confidence band per curve
    assert ax.get_xlabel() == "paragraphs labelled" and ax.get_title() == "t"
    assert len(plot.learning_curves(curves, low=None).collections) == 0
    with pytest.raises(policyml.InvalidInputError, match="columns 'curve', 'n' and 'f1'"):
        plot.learning_curves(curves.drop(columns="f1"))
