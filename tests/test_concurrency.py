"""Area 5 of the reliability issue: concurrency and determinism beyond the existing tests
(tests/test_classify.py: 8 threads on one policy; tests/test_model.py: training twice;
tests/test_batch.py: n_jobs=2 == n_jobs=1)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import policyml

POLICIES: list[Any] = [
    "# Cookies\n\nWe use cookies and web beacons to remember your preferences.",
    "<html><body><h2>Sharing</h2><p>We share your address with couriers.</p></body></html>",
    b"Children under 13 may not register. We delete their data.\r\nWe encrypt data.",
    ["We collect your email address.", b"We sell nothing."],
    "COOKIES\nWe use cookies.\n\nSECURITY\nWe protect your data with TLS " + "and care " * 400,
    "",
    "abc \ud800 def, we collect your location \U0001f36a.",
    "| Data | Use |\n|---|---|\n| Email | Marketing |\n\n```\nretention: 30 days\n```",
]


def run_in_threads(funcs: list[Callable[[], Any]]) -> list[Any]:
    """Run every function in its own thread, all released at once; re-raise any error."""
    barrier = threading.Barrier(len(funcs))
    results: list[Any] = [None] * len(funcs)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = funcs[i]()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(funcs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_eight_threads_on_different_policies_equal_sequential():
    model = policyml.load_model()
    expected = [policyml.classify(p, model=model) for p in POLICIES]
    for _ in range(2):
        got = run_in_threads(
            [lambda p=p: policyml.classify(p, model=model) for p in POLICIES]
        )
        for a, b in zip(got, expected, strict=True):
            pd.testing.assert_frame_equal(a, b)


def test_threads_splitting_and_classify_many_equal_sequential():
    texts = [p for p in POLICIES if isinstance(p, str)]
    expected_split = [policyml.preprocess.split_paragraphs(t) for t in texts]
    expected_many = policyml.classify_many(texts, kind="text")
    funcs: list[Callable[[], Any]] = [
        lambda t=t: policyml.preprocess.split_paragraphs(t) for t in texts
    ]
    funcs += [lambda: policyml.classify_many(texts, kind="text", batch_size=2)] * 2
    got = run_in_threads(funcs)
    assert got[: len(texts)] == expected_split
    for frame in got[len(texts):]:
        pd.testing.assert_frame_equal(frame, expected_many)


def test_training_in_two_threads_equals_sequential():
    example = policyml.datasets.load_example_csv()
    reference = policyml.train(example)
    models = run_in_threads([lambda: policyml.train(example)] * 2)
    texts = ["We sell data to advertisers.", "We use cookies.", "Children under 13."]
    for model in models:
        np.testing.assert_array_equal(model.predict_proba(texts), reference.predict_proba(texts))
        np.testing.assert_array_equal(model.thresholds, reference.thresholds)
