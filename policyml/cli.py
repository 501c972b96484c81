"""Command-line interface: a thin shell over the Python API.

Every failure is one line on stderr (``policyml: error: ...``) and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from policyml.exceptions import PolicyMLError

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
        help="classify the paragraphs of a policy",
        description="Split a policy (text, Markdown or HTML) into paragraphs and label each.",
    )
    p.add_argument("path", help="policy file, or - for standard input")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", dest="output")
    p.add_argument(
        "--input-format",
        choices=["auto", "text", "markdown", "html"],
        default="auto",
        help="format of the policy (default: detect)",
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
    args = parser.parse_args(argv)
    if args.version:
        from policyml import __version__

        print(f"policyml {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except PolicyMLError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:  # pragma: no cover - e.g. `policyml classify x | head`
        return 0


def _fail(message: str) -> int:
    print(f"policyml: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _load(args: argparse.Namespace):  # -> PolicyModel
    from policyml.persistence import load_model

    return load_model(args.model, trusted=args.trusted)


def _classify(args: argparse.Namespace) -> int:
    import pandas as pd

    from policyml.predict import classify

    if args.path == "-":
        data: bytes = sys.stdin.buffer.read()
    else:
        data = Path(args.path).read_bytes()
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


def _train(args: argparse.Namespace) -> int:
    import policyml
    from policyml.datasets import load_labeled_csv, load_opp115

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
        cv = policyml.cross_validate(data, folds=folds, categories=categories, progress=progress)
        print(f"{args.folds}-fold grouped cross-validation on {source}:")
        print(cv.report.round(3).to_string())
        metrics = {
            "folds": folds if isinstance(folds, int) else "policy_folds.csv",
            "report": json.loads(cv.report.round(4).to_json(orient="index")),
        }
    model = policyml.train(data, categories=categories, progress=progress)
    model.metadata["training_data"]["source"] = source
    if metrics:
        model.metadata["cv_metrics"] = metrics
    path = model.save(args.output)
    print(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import policyml

    report = policyml.evaluate(_load(args), args.csv)
    print(report.round(3).to_string())
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
    "datasets": _datasets,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
