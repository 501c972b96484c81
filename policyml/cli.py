"""Command-line interface: a thin shell over the Python API.

Every failure is one line on stderr (``policyml: error: ...``) and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from policyml.exceptions import PolicyMLError

if TYPE_CHECKING:
    from policyml.model import PolicyModel

EXIT_ERROR = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyml",
        description="Say, paragraph by paragraph, what a privacy policy discloses.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "classify",
        help="classify the paragraphs of a policy, or of many",
        description="Split policies (text, Markdown or HTML) into paragraphs and label each."
        " One file is shown as a table (or --format csv/json); several files, folders or glob"
        " patterns, or -o FILE, stream every policy's rows to FILE (.csv, .jsonl, .parquet) or"
        " to standard output (CSV, or JSON Lines with --format json), with a progress bar, a"
        " summary line and one error line per file that cannot be read (exit code 1 then)."
        " With -o, an interrupted run (crash, kill, Ctrl-C, full disk) resumes where it stopped"
        " when the same command is run again; --restart starts over.",
    )
    p.add_argument(
        "path",
        nargs="+",
        metavar="PATH",
        help="policy file, folder, quoted glob pattern ('corpus/**/*.html'), or - for stdin",
    )
    p.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default=None,
        dest="output",
        help="output on standard output (default: table for one policy, CSV for several)",
    )
    p.add_argument(
        "-o",
        "--output",
        dest="out_file",
        metavar="FILE",
        help="write all rows to FILE: .csv, .jsonl or .parquet (needs pyarrow)",
    )
    p.add_argument(
        "--input-format",
        choices=["auto", "text", "markdown", "html"],
        default="auto",
        help="format of the policy (default: detect)",
    )
    p.add_argument(
        "-j", "--jobs", type=int, default=1, help="worker processes (default 1; -1: all cores)"
    )
    p.add_argument("--batch-size", type=int, default=64, help="policies per batch (default 64)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument(
        "--restart",
        action="store_true",
        help="with -o: start the output over instead of resuming an interrupted run",
    )
    _model_options(p)

    p = sub.add_parser(
        "train",
        help="train a model and report its cross-validated metrics",
        description="Train on a labeled CSV file or on the OPP-115 corpus; prints per-category"
        " cross-validated metrics, then fits on all data and saves the model.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("csv", nargs="?", help="labeled CSV file (text + 0/1 category columns)")
    source.add_argument("--opp115", metavar="ROOT", help="OPP-115 corpus folder")
    p.add_argument("-o", "--output", required=True, help="model file to write (.skops)")
    p.add_argument("--categories", help="comma-separated label set (default: the five)")
    p.add_argument("--folds", type=int, default=5, help="grouped CV folds (default 5; 0 = no CV)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")

    p = sub.add_parser("evaluate", help="score a model on a labeled CSV file")
    p.add_argument("csv", help="labeled CSV file")
    p.add_argument(
        "--plot",
        metavar="PATH",
        help="also save a figure (metrics with 95%% CIs, precision-recall, confusion) to PATH"
        " (.png, .svg or .pdf; needs matplotlib)",
    )
    _model_options(p)

    p = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a policy",
        description="Classify a policy and write one HTML file (no external assets, no"
        " JavaScript): a per-category summary, then every paragraph highlighted by category,"
        " with probabilities, evidence and top terms on expand.",
    )
    p.add_argument("path", help="policy file, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument("--title", help="page title (default: the policy's first heading)")
    p.add_argument(
        "--input-format",
        choices=["auto", "text", "markdown", "html"],
        default="auto",
        help="format of the policy (default: detect)",
    )
    _model_options(p)

    p = sub.add_parser("datasets", help="export a dataset to the labeled-CSV format")
    dsub = p.add_subparsers(dest="dataset", metavar="DATASET", required=True)
    d = dsub.add_parser("opp115", help="OPP-115 segments with policyml's categories")
    d.add_argument("root", help="OPP-115 corpus folder")
    d.add_argument("-o", "--output", required=True, help="CSV file to write")
    d.add_argument("--taxonomy", choices=["policyml", "opp115", "privacyglue"], default="policyml")
    d.add_argument("--min-agreement", type=int, default=2)
    return parser


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="model file (default: the bundled model)")
    p.add_argument(
        "--trusted",
        action="store_true",
        help="allow a pickle/joblib model file (it can run code: only for files you trust)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``policyml`` command."""
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if args.version:
        from policyml._version import __version__

        print(f"policyml {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except PolicyMLError as error:
        return _fail(str(error))
    except BrokenPipeError:  # e.g. `policyml classify x | head`: the reader has enough
        # silence the flush of the closed stdout at interpreter exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        return _fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
    except KeyboardInterrupt:
        return _fail("interrupted")


def _fail(message: str) -> int:
    print(f"policyml: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _load(args: argparse.Namespace) -> PolicyModel:
    from policyml.model import load_model

    return load_model(args.model, trusted=args.trusted)


def _classify(args: argparse.Namespace) -> int:
    import pandas as pd

    from policyml.predict import classify

    if args.out_file is not None or len(args.path) > 1 or not _one_policy(args.path[0]):
        return _classify_many(args)
    if args.output is None:
        args.output = "table"
    data = _read_policy(args.path[0])
    result = classify(data, model=_load(args), fmt=args.input_format)
    if args.output == "csv":
        out = result.copy()
        out["labels"] = out["labels"].map(";".join)
        out.to_csv(sys.stdout, index=False)
    elif args.output == "json":
        out = result.copy()
        out["labels"] = out["labels"].map(list)
        json.dump(out.to_dict(orient="records"), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        with pd.option_context("display.max_colwidth", 70, "display.width", 160):
            view = result[["paragraph", "heading", "labels", "text"]].copy()
            view["labels"] = view["labels"].map(lambda t: ", ".join(t) or "-")
            view["heading"] = view["heading"].fillna("")
            print(view.to_string(index=False, max_colwidth=60))
    return 0


def _read_policy(path: str) -> str | bytes:
    """One policy file, checked as ``classify_many`` checks files (missing, a folder, binary,
    too large: an error naming it), or standard input for ``-`` (which must not be empty)."""
    from policyml.exceptions import InvalidInputError
    from policyml.sources import PolicySource

    if path != "-":
        return PolicySource(path, path=path).read()
    data = sys.stdin.buffer.read()
    if not data.strip():
        raise InvalidInputError("-: standard input is empty; pipe a policy in or give a file")
    return data


def _one_policy(path: str) -> bool:
    """True for ``-`` or a single file (existing or not), False for a folder or glob pattern."""
    import os
    import re

    if path == "-" or (os.path.lexists(path) and not os.path.isdir(path)):
        return True
    return not os.path.isdir(path) and not re.search(r"[*?[]", path)


def _classify_many(args: argparse.Namespace) -> int:
    """Stream many policies to a file (or stdout): progress, summary, one line per failure."""
    from policyml.writers import OUTPUT_FORMATS

    if args.out_file is not None:
        fmt = OUTPUT_FORMATS.get(Path(args.out_file).suffix.lower())
        if fmt is None:
            return _fail(f"{args.out_file}: use a file name ending in .csv, .jsonl or .parquet")
        if args.output is not None and {"csv": "csv", "json": "jsonl"}.get(args.output) != fmt:
            return _fail(f"--format {args.output} does not match {args.out_file}: drop --format")
    elif args.output == "table":
        return _fail("--format table shows one policy; for several use --format csv|json or -o")
    elif args.restart:
        return _fail("--restart applies to an output file: add -o FILE")
    else:
        fmt = "jsonl" if args.output == "json" else "csv"
    if fmt == "parquet":
        import importlib.util

        if importlib.util.find_spec("pyarrow") is None:
            return _fail("writing .parquet needs pyarrow: pip install pyarrow")
    if args.path.count("-") > 1:
        return _fail("- (standard input) can be given only once")
    if args.batch_size < 1:
        return _fail(f"--batch-size must be at least 1, got {args.batch_size}")
    policies = [("-", sys.stdin.buffer.read()) if p == "-" else p for p in args.path]
    model = _load(args) if args.model else None
    if args.out_file is not None:
        return _classify_to_file(args, policies, model)
    return _classify_to_stdout(args, policies, model, fmt)


def _classify_to_file(args: argparse.Namespace, policies: list, model: PolicyModel | None) -> int:
    """``classify -o FILE``: a resumable run (see ``classify_many(..., output=...)``)."""
    import warnings

    from policyml.batch import RunInterrupted, SkippedPoliciesWarning, classify_many

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedPoliciesWarning)  # reported line by line
            summary = classify_many(
                policies,
                model=model,
                n_jobs=args.jobs,
                batch_size=args.batch_size,
                fmt=args.input_format,
                kind="path",
                errors="skip",
                progress=False if args.no_progress else None,
                output=args.out_file,
                restart=args.restart,
            )
    except RunInterrupted as stop:
        import shlex

        done = stop.summary.n_policies + len(stop.summary.errors)
        command = shlex.join(["policyml", *[a for a in args.argv if a != "--restart"]])
        print(
            f"policyml: stopped by {signal_name(stop.signal)}; {done:,} policies are saved in"
            f" {args.out_file}.partial; to resume, run: {command}",
            file=sys.stderr,
        )
        return 128 + stop.signal
    for failure in summary.errors:
        print(f"policyml: error: {failure}", file=sys.stderr)
    rows = summary.n_rows - summary.n_resumed_rows
    failed = f"; {len(summary.errors)} failed" if summary.errors else ""
    resumed = (
        f"; resumed after {summary.n_resumed:,} policies done before" if summary.n_resumed else ""
    )
    print(
        f"policyml: classified {summary.n_policies} "
        f"{'policy' if summary.n_policies == 1 else 'policies'}, {summary.n_rows} paragraphs in"
        f" {summary.seconds:.1f} s ({rows / max(summary.seconds, 1e-9):.0f} paragraphs/s)"
        f"{failed}{resumed}; wrote {args.out_file}",
        file=sys.stderr,
    )
    return EXIT_ERROR if summary.errors else 0


def signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _classify_to_stdout(
    args: argparse.Namespace, policies: list, model: PolicyModel | None, fmt: str
) -> int:
    """Several policies to standard output, streamed batch by batch (no resuming)."""
    import time
    import warnings

    from tqdm.auto import tqdm

    from policyml.batch import SkippedPoliciesWarning, iter_classify
    from policyml.writers import ResultWriter

    with ResultWriter(sys.stdout, fmt) as writer:
        frames = iter_classify(
            policies,
            model=model,
            n_jobs=args.jobs,
            batch_size=args.batch_size,
            fmt=args.input_format,
            kind="path",
            errors="skip",
            progress=False if args.no_progress else None,
        )
        start = time.perf_counter()
        n_policies = n_failed = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedPoliciesWarning)  # reported line by line
            for frame in frames:
                for failure in frame.attrs["errors"]:
                    tqdm.write(f"policyml: error: {failure}", file=sys.stderr)
                n_policies += frame.attrs["n_policies"]
                n_failed += len(frame.attrs["errors"])
                writer.write(frame)
        seconds = time.perf_counter() - start
    failed = f"; {n_failed} failed" if n_failed else ""
    print(
        f"policyml: classified {n_policies} {'policy' if n_policies == 1 else 'policies'},"
        f" {writer.rows} paragraphs in"
        f" {seconds:.1f} s ({writer.rows / max(seconds, 1e-9):.0f} paragraphs/s){failed}",
        file=sys.stderr,
    )
    return EXIT_ERROR if n_failed else 0


def _train(args: argparse.Namespace) -> int:
    from policyml.datasets import load_labeled_csv, load_opp115
    from policyml.metrics import cross_validate
    from policyml.model import train

    categories = args.categories.split(",") if args.categories else None
    progress = not args.no_progress
    if args.opp115:
        data = load_opp115(args.opp115, progress=progress)
        source = f"OPP-115 ({args.opp115})"
        folds: int | str = "fold" if args.folds == 5 and (data["fold"] >= 0).all() else args.folds
    else:
        data = load_labeled_csv(args.csv, categories=categories)
        source = args.csv
        folds = args.folds
    metrics = None
    if args.folds:
        if "policy_id" not in data.columns:
            print(
                "policyml: note: no policy_id column, so CV groups rows one by one;"
                " paragraphs of one policy may land on both sides",
                file=sys.stderr,
            )
            data = data.assign(policy_id=range(len(data)))
        cv = cross_validate(data, folds=folds, categories=categories, progress=progress)
        print(f"{args.folds}-fold grouped cross-validation on {source}:")
        print(cv.report.round(3).to_string())
        metrics = {
            "folds": folds if isinstance(folds, int) else "policy_folds.csv",
            "report": json.loads(cv.report.round(4).to_json(orient="index")),
        }
    model = train(data, categories=categories, progress=progress)
    model.metadata["training_data"]["source"] = source
    if metrics:
        model.metadata["cv_metrics"] = metrics
    path = model.save(args.output)
    print(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB)")
    from policyml.persistence import scorer_path

    scorer = scorer_path(path)
    if scorer.is_file():
        print(f"saved {scorer} ({scorer.stat().st_size / 1e6:.1f} MB, the compiled scorer)")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from policyml.metrics import evaluate

    model = _load(args)
    report = evaluate(model, args.csv)
    print(report.round(3).to_string())
    if args.plot:
        try:
            import matplotlib

            matplotlib.use("Agg")
            from policyml.plot import evaluation
        except ImportError:
            return _fail("--plot needs matplotlib: pip install 'policyml[plot]'")
        figure = evaluation(model, args.csv)
        figure.savefig(args.plot, dpi=150)
        print(f"wrote {args.plot}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from policyml.report import write_report

    data = _read_policy(args.path)
    path = write_report(
        data, args.output, model=_load(args), title=args.title, fmt=args.input_format
    )
    print(f"wrote {path}")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from policyml.datasets import load_opp115

    frame = load_opp115(args.root, taxonomy=args.taxonomy, min_agreement=args.min_agreement)
    frame.to_csv(args.output, index=False)
    print(f"wrote {len(frame)} rows to {args.output}")
    return 0


_COMMANDS = {
    "classify": _classify,
    "train": _train,
    "evaluate": _evaluate,
    "report": _report,
    "datasets": _datasets,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
