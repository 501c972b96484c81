"""classify_many: batches, files/folders/globs, n_jobs, streaming, per-file errors."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd
import pytest
from _sample_policies import POLICIES

import policyml
from policyml.batch import (
    FailedPolicy,
    SkippedPoliciesWarning,
    iter_classify,
    iter_policy_sources,
)
from policyml.exceptions import InvalidInputError


def expected(policies: dict, model=None) -> pd.DataFrame:
    """classify() on every policy, concatenated with a policy column: the reference."""
    frames = [
        pd.DataFrame(policyml.classify(text, model=model)).assign(policy=key)
        for key, text in policies.items()
    ]
    frames = [f for f in frames if len(f)]
    result = pd.concat(frames, ignore_index=True)
    result["policy"] = result["policy"].astype(object)
    return result[["policy", *(c for c in result.columns if c != "policy")]]


def assert_same(result: pd.DataFrame, reference: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        result.reset_index(drop=True), reference, check_exact=True, check_frame_type=False
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A folder of policy files: two levels, a hidden file and a hidden folder."""
    root = tmp_path_factory.mktemp("corpus")
    for i, (name, text) in enumerate(POLICIES.items()):
        folder = root / "b-sub" if i % 2 else root
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.{'html' if name == 'bank' else 'txt'}").write_text(text, "utf-8")
    (root / ".DS_Store").write_bytes(b"\x00\x01junk")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main")
    return root


def corpus_files(root: Path) -> list[str]:
    top = sorted(str(p) for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    sub = sorted(str(p) for p in (root / "b-sub").iterdir())
    return top + sub


def test_texts_equal_classify_on_each_policy():
    result = policyml.classify_many(POLICIES, batch_size=3)
    assert_same(result, expected(POLICIES))
    assert result.attrs == {"errors": (), "n_policies": len(POLICIES)}
    # a list of texts: ids are positions; one batch or many give the same rows
    texts = list(POLICIES.values())
    by_position = dict(enumerate(texts))
    assert_same(policyml.classify_many(texts), expected(by_position))
    assert_same(policyml.classify_many(texts, batch_size=1), expected(by_position))
    # bytes and (id, text) pairs
    pairs = [(k, v.encode("utf-8")) for k, v in POLICIES.items()]
    assert_same(policyml.classify_many(pairs), expected(POLICIES))


@pytest.fixture(scope="module")
def neighbour_model():
    """A model whose features read neighbouring paragraphs: batching must not mix policies."""
    if "neighbour_weight" not in policyml.model.DEFAULT_OPTIONS:
        pytest.skip("the model recipe has no neighbour features")
    frame = policyml.datasets.load_example_csv()
    copy = frame.assign(text=frame["text"] + " (again)", policy_id=frame["policy_id"] + "2")
    return policyml.train(
        pd.concat([frame, copy]), neighbour_weight=0.3, thresholds=0.5, progress=False
    )


def test_batches_keep_neighbour_features_inside_each_policy(neighbour_model):
    result = policyml.classify_many(POLICIES, model=neighbour_model)
    assert_same(result, expected(POLICIES, model=neighbour_model))


def test_folder_glob_and_paths(corpus: Path):
    files = corpus_files(corpus)
    by_path = {f: Path(f).read_text("utf-8") for f in files}
    result = policyml.classify_many(corpus)  # a folder: sorted, recursive, hidden skipped
    assert_same(result, expected(by_path))
    assert result.attrs["n_policies"] == len(POLICIES)
    assert_same(policyml.classify_many(str(corpus)), expected(by_path))
    # a glob pattern, and a list mixing a path-like, a file name and a text
    pattern = str(corpus / "**" / "*.txt")
    txt = [f for f in files if f.endswith(".txt")]
    globbed = policyml.classify_many(pattern)
    assert globbed["policy"].drop_duplicates().tolist() == sorted(
        f for f in txt if not f.endswith("empty.txt")  # no paragraph, so no row
    )
    assert globbed.attrs["n_policies"] == len(txt)
    first, second = [f for f in files if not f.endswith("empty.txt")][:2]
    mixed = policyml.classify_many([Path(first), second, "We sell nothing. Ever."])
    assert mixed["policy"].drop_duplicates().tolist() == [first, second, 2]
    # not recursive
    top = list(iter_policy_sources(corpus, recursive=False))
    assert [s.policy for s in top] == [f for f in files if "b-sub" not in f]


def test_n_jobs_2_equals_n_jobs_1(corpus: Path):
    serial = policyml.classify_many(corpus, batch_size=1)
    parallel = policyml.classify_many(corpus, batch_size=1, n_jobs=2)
    pd.testing.assert_frame_equal(parallel, serial, check_exact=True)
    # a model in memory reaches the workers too (written once to a temporary file)
    model = policyml.model.default_model()
    texts = list(POLICIES.values()) * 3
    pd.testing.assert_frame_equal(
        policyml.classify_many(texts, n_jobs=2, batch_size=2, model=model),
        policyml.classify_many(texts, model=model),
        check_exact=True,
    )


def test_n_jobs_2_skips_and_raises_like_one_process(corpus: Path, tmp_path: Path):
    missing = str(tmp_path / "missing.txt")
    sources = [str(corpus), missing]
    with pytest.warns(SkippedPoliciesWarning, match="missing.txt"):
        parallel = policyml.classify_many(sources, n_jobs=2, batch_size=2, errors="skip")
    with pytest.warns(SkippedPoliciesWarning):
        serial = policyml.classify_many(sources, batch_size=2, errors="skip")
    pd.testing.assert_frame_equal(parallel, serial, check_exact=True)
    assert parallel.attrs["errors"] == serial.attrs["errors"]
    with pytest.raises(InvalidInputError, match=r"missing\.txt: cannot read"):
        policyml.classify_many(sources, n_jobs=2, batch_size=2)


def test_stream_yields_bounded_batches(corpus: Path):
    frames = policyml.classify_many(corpus, batch_size=2, stream=True)
    assert not isinstance(frames, pd.DataFrame)
    frames = list(frames)
    assert len(frames) == 4  # 7 policies, 2 per batch
    assert [f.attrs["n_policies"] for f in frames] == [2, 2, 2, 1]
    for frame in frames:
        assert frame["policy"].nunique() <= 2
    joined = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(joined, policyml.classify_many(corpus), check_exact=True)
    # the iterator form is lazy: nothing is read before it is consumed
    lazy = iter_classify(["/no/such/file.txt"])
    with pytest.raises(InvalidInputError, match=r"file\.txt"):
        next(lazy)


def test_errors_raise_names_the_file(tmp_path: Path):
    missing = tmp_path / "gone.txt"
    with pytest.raises(InvalidInputError, match=r"gone\.txt: cannot read: No such file"):
        policyml.classify_many([missing])
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InvalidInputError, match=r"image\.png: binary file"):
        policyml.classify_many(binary)
    with pytest.raises(InvalidInputError, match="no file matches"):
        policyml.classify_many(str(tmp_path / "*.html"))


def test_errors_skip_loses_nothing_silently(corpus: Path, tmp_path: Path):
    good = corpus_files(corpus)[0]
    binary = tmp_path / "doc.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x00\x00binary")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    missing = tmp_path / "absent.txt"
    sources = [good, binary, fifo, missing, str(tmp_path / "nothing-*.md"), "We use cookies."]
    with pytest.warns(SkippedPoliciesWarning, match="skipped 4 policies") as caught:
        result = policyml.classify_many(sources, errors="skip")
    assert len(caught) == 1
    failed = result.attrs["errors"]
    assert [f.policy for f in failed] == [
        str(binary), str(fifo), str(missing), str(tmp_path / "nothing-*.md")
    ]
    assert all(isinstance(f, FailedPolicy) for f in failed)
    reasons = [f.error for f in failed]
    assert "binary file" in reasons[0]
    assert "not a regular file" in reasons[1]
    assert "No such file" in reasons[2]
    assert "no file matches" in reasons[3]
    assert str(failed[2]).startswith(str(missing) + ": ")
    assert result["policy"].drop_duplicates().tolist() == [good, 5]
    assert result.attrs["n_policies"] == 2


def test_stream_skip_reports_errors_per_batch(tmp_path: Path):
    missing = tmp_path / "absent.txt"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = list(
            iter_classify(
                ["We use cookies.", missing, "We encrypt data."], batch_size=2, errors="skip"
            )
        )
    assert [len(f.attrs["errors"]) for f in frames] == [1, 0]
    assert frames[0].attrs["errors"][0].policy == str(missing)
    assert [w.category for w in caught] == [SkippedPoliciesWarning]


@pytest.mark.parametrize(
    ("policies", "kwargs", "message"),
    [
        (42, {}, "got int"),
        ([42], {}, "policy 0 is int"),
        (["ok text here", None], {}, "policy 1 is NoneType"),
        (pd.DataFrame({"text": ["x"]}), {}, "pass its text column"),
        (["x"], {"kind": "maybe"}, "kind must be"),
        (["x"], {"errors": "ignore"}, "errors must be"),
        (["x"], {"batch_size": 0}, "batch_size"),
        (["x"], {"fmt": "pdf"}, "fmt must be"),
        (["x"], {"n_jobs": "2"}, "n_jobs"),
        (["x"], {"model": 3}, "model must be"),
        (["x"], {"max_input_chars": 0}, "max_input_chars must be"),
        (["x"], {"max_input_lines": "9"}, "max_input_lines must be"),
    ],
)
def test_invalid_input(policies, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        policyml.classify_many(policies, **kwargs)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_size_limits_per_call(n_jobs: int):
    texts = {"short": "We use cookies.", "long": "We share data. " * 20}
    with pytest.raises(InvalidInputError, match=r"long.*over the limit of 100"):
        policyml.classify_many(texts, max_input_chars=100, n_jobs=n_jobs)
    with pytest.warns(SkippedPoliciesWarning):
        result = policyml.classify_many(
            texts, max_input_lines=1, max_input_chars=100, errors="skip", n_jobs=n_jobs
        )
    assert result["policy"].unique().tolist() == ["short"]
    assert [f.policy for f in result.attrs["errors"]] == ["long"]
    assert "over the limit of 100" in result.attrs["errors"][0].error


def test_module_limits_reach_worker_processes(monkeypatch):
    """Workers do not see this process's module globals: the limits travel with each batch."""
    from policyml import preprocess

    texts = {"short": "We use cookies.", "long": "We share data. " * 20}
    monkeypatch.setattr(preprocess, "MAX_INPUT_CHARS", 100)
    with pytest.warns(SkippedPoliciesWarning):
        result = policyml.classify_many(texts, errors="skip", n_jobs=2)
    assert [f.policy for f in result.attrs["errors"]] == ["long"]
    monkeypatch.setattr(preprocess, "MAX_INPUT_CHARS", None)  # no limit, in workers too
    assert policyml.classify_many(texts, n_jobs=2)["policy"].nunique() == 2


def test_sources_str_items_auto_kind(tmp_path: Path):
    existing = tmp_path / "with space.txt"
    existing.write_text("We use cookies.")
    items = ["policy.txt", "We use cookies.", str(existing), "What do we collect?"]
    sources = list(iter_policy_sources(items))
    assert [(s.policy, s.path is not None) for s in sources] == [
        ("policy.txt", True),  # one token: a file name, even if missing
        (1, False),
        (str(existing), True),
        (3, False),
    ]
    assert [s.path is None for s in iter_policy_sources(items, kind="text")] == [True] * 4
    series = pd.Series(["We use cookies."], index=["acme"])
    assert [s.policy for s in iter_policy_sources(series)] == ["acme"]
    assert next(iter_policy_sources("We use cookies.", kind="text")).policy == 0


def test_empty_input_and_empty_policies():
    result = policyml.classify_many([])
    assert list(result.columns)[:3] == ["policy", "paragraph", "heading"]
    assert len(result) == 0 and result.attrs["n_policies"] == 0
    result = policyml.classify_many(["   ", ""], kind="text")
    assert len(result) == 0 and result.attrs["n_policies"] == 2


def test_progress_bar_only_when_asked(capsys, monkeypatch):
    monkeypatch.setattr(policyml.batch, "_PROGRESS_DELAY", 0)
    policyml.classify_many(POLICIES, batch_size=2)  # stderr is not a terminal: no bar
    assert capsys.readouterr().err == ""
    policyml.classify_many(POLICIES, batch_size=2, progress=True)
    err = capsys.readouterr().err
    assert "policies" in err and "paragraphs=" in err


def test_seed_policies(seeds_dir: Path):
    files = sorted(str(p) for p in seeds_dir.iterdir() if not p.name.startswith("."))
    result = policyml.classify_many(seeds_dir, batch_size=2)
    model = policyml.model.default_model()
    reference = pd.concat(
        [
            pd.DataFrame(policyml.classify(Path(f).read_bytes(), model=model)).assign(policy=f)
            for f in files
        ],
        ignore_index=True,
    )
    reference["policy"] = reference["policy"].astype(object)
    assert_same(result, reference[result.columns])
