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
from typing import TYPE_CHECKING, Any

from policyml.exceptions import PolicyMLError

if TYPE_CHECKING:
    import pandas as pd

    from policyml.model import PolicyModel

EXIT_ERROR = 1
EXIT_USAGE = 2


_LIMITS_HELP = """\
limits: a policy over 20,000,000 characters or 200,000 lines (of a web page: lines, tags and
  character references) is refused rather than
  classified for minutes (raise with --max-input-chars / --max-input-lines), and a file or web
  page over 64 MiB is not read. Every failure prints one line, policyml: error: ..., and exits
  with 1 (2 for a usage error)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyml",
        description="Say, paragraph by paragraph, what a privacy policy discloses.",
        epilog=_LIMITS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "classify",
        help="classify the paragraphs of a policy, or of many",
        description="Split policies (text, Markdown or HTML) into paragraphs and label each."
        " One file, web page (http:// or https://) or - for standard input is shown as a"
        " table (or --format csv/json); several files, folders or glob patterns, or -o FILE,"
        " stream every policy's rows to FILE (.csv, .jsonl, .parquet) or to standard output"
        " (CSV, or JSON Lines with --format json), with a progress bar, a summary line and one"
        " error line per file that cannot be read (exit code 1 then). Paragraphs are numbered"
        " from 0, as in the Python result's paragraph column. With -o, an interrupted run"
        " (crash, kill, Ctrl-C, full disk) resumes where it stopped when the same command is"
        " run again; --restart starts over.",
        epilog=_LIMITS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "path",
        nargs="+",
        metavar="PATH",
        help="policy file, folder, quoted glob pattern ('corpus/**/*.html'), http(s):// URL,"
        " or - for stdin",
    )
    p.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default=None,
        dest="output",
        help="output on standard output (default: table for one policy, CSV for several)",
    )
    p.add_argument(
        "--wide",
        action="store_true",
        help="table: every paragraph's full text (wrapped, for reading or a pager), not cut",
    )
    p.add_argument(
        "-o",
        "--output",
        dest="out_file",
        metavar="FILE",
        help="write all rows to FILE: .csv, .jsonl or .parquet (needs pyarrow)",
    )
    _input_options(p)
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
    _model_options(p, thresholds=True)

    p = sub.add_parser(
        "summary",
        help="per category: is it in the policy, how often, the strongest evidence",
        description="Classify one policy and print one row per category: present (some"
        " paragraph has the label), how many paragraphs, the strongest paragraph (numbered"
        " from 0) with its heading, probability and text, and the category's threshold;"
        " policyml.summarize() in Python.",
    )
    p.add_argument("path", help="policy file, http(s):// URL, or - for standard input")
    p.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        dest="output",
        help="output on standard output (default: table)",
    )
    p.add_argument("--wide", action="store_true", help="table: the evidence's full text, not cut")
    _input_options(p)
    _model_options(p, thresholds=True)

    p = sub.add_parser(
        "train",
        help="train a model and report its cross-validated metrics",
        description="Train on a labeled CSV file or on the OPP-115 corpus; prints per-category"
        " cross-validated metrics, then fits on all data and saves the model (a .skops file,"
        " which loads without running code; with --joblib a .joblib or .pkl file). With"
        " --base opp115, the CSV's rows join the data policyml's default recipe learns from"
        " (OPP-115, and the modern corpus's dev half where its pages are found), weighted as"
        " chosen by cross-validation on them (printed), or by --user-weight.",
    )
    p.add_argument("csv", nargs="?", help="labeled CSV file (text + 0/1 category columns)")
    p.add_argument(
        "--opp115",
        metavar="ROOT",
        help="OPP-115 corpus folder: train on it (without CSV), or with --base the base data's"
        " (default: $POLICYML_OPP115)",
    )
    p.add_argument(
        "--modern",
        metavar="C3PA_ROOT",
        help="with --opp115 or --base: also learn from the dev half of policyml's modern"
        " corpus, whose pages are in this C3PA DB folder (the bundled model's recipe; with"
        " --base the default is $POLICYML_C3PA)",
    )
    p.add_argument(
        "--base",
        choices=["opp115"],
        help="train the CSV's rows on top of policyml's own training data (research-licensed, not"
        " shipped: --opp115 ROOT or $POLICYML_OPP115)",
    )
    p.add_argument(
        "--user-weight",
        type=float,
        metavar="W",
        help="with --base: weight of each CSV row (an OPP-115 segment weighs 1); default:"
        " chosen by cross-validation on the CSV's rows",
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="MODEL", help="model file to write (.skops)"
    )
    p.add_argument(
        "--joblib",
        action="store_true",
        help="write a joblib pickle (MODEL ending in .joblib or .pkl) instead of skops; loading"
        " it needs --trusted, as a pickle can run code",
    )
    p.add_argument(
        "--categories",
        help="comma-separated label set, e.g. collection,cookies (default: the five)",
    )
    p.add_argument(
        "--folds",
        type=int,
        default=None,
        help="grouped CV folds (default 5; 0 = no CV); not with --base, which cross-validates"
        " on the CSV's rows to choose their weight",
    )
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")

    p = sub.add_parser(
        "suggest",
        help="pick the paragraphs of your policies most worth labeling",
        description="Classify a corpus of policies and write a labeling sheet (CSV) of the N"
        " paragraphs whose labels would teach the model most: those it is least sure about"
        " (probabilities near the thresholds), without near-duplicates, spread over policies"
        " and topics. Fill its empty category columns with 0 or 1, then train on it: policyml"
        " train SHEET.csv --base opp115 -o MODEL.skops.",
    )
    p.add_argument(
        "path", nargs="+", metavar="PATH", help="policy files, folders or quoted glob patterns"
    )
    p.add_argument("-n", type=int, default=200, help="paragraphs to pick (default 200)")
    p.add_argument(
        "-o", "--output", required=True, metavar="CSV", help="labeling sheet to write (.csv)"
    )
    p.add_argument(
        "--pool-size",
        type=int,
        metavar="M",
        help="candidates kept while reading (default max(10 N, 1000))",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the clustering (default 0)")
    _input_options(p)
    p.add_argument(
        "-j", "--jobs", type=int, default=1, help="worker processes (default 1; -1: all cores)"
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _model_options(p)

    p = sub.add_parser(
        "evaluate",
        help="score a model on a labeled CSV file",
        description="Score a model (default: the bundled one) on held-out labeled paragraphs:"
        " per-category precision, recall, F1 and support, with micro and macro averages."
        " Warns when most rows are rows the model was trained on (such scores overstate"
        " accuracy).",
    )
    p.add_argument("csv", help="labeled CSV file (text + 0/1 category columns, or labels)")
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
        " each label with its probability and threshold, with evidence and top terms on"
        " expand; unlabelled paragraphs are folded.",
    )
    p.add_argument("path", help="policy file, http(s):// URL, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument("--title", help="page title (default: the policy's first heading)")
    _input_options(p)
    _model_options(p, thresholds=True)

    p = sub.add_parser(
        "datasets",
        help="export a dataset to the labeled-CSV format",
        description="Export a labeled corpus as a CSV file that train and evaluate read.",
    )
    dsub = p.add_subparsers(dest="dataset", metavar="DATASET", required=True)
    d = dsub.add_parser(
        "opp115",
        help="OPP-115 segments with policyml's categories",
        description="Export the OPP-115 corpus (one row per segment: text, policy_id, 0/1"
        " category columns) to a CSV file.",
    )
    d.add_argument("root", help="OPP-115 corpus folder")
    d.add_argument("-o", "--output", required=True, help="CSV file to write")
    d.add_argument(
        "--taxonomy",
        choices=["policyml", "opp115", "privacyglue"],
        default="policyml",
        help="label set: policyml's five categories (default), OPP-115's 10 original ones, or"
        " the 12 PrivacyGLUE classes",
    )
    d.add_argument(
        "--min-agreement",
        type=int,
        default=2,
        metavar="N",
        help="a segment has a label when at least N of the annotators gave it (default 2)",
    )
    return parser


def _input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--input-format",
        choices=["auto", "text", "markdown", "html"],
        default="auto",
        help="format of the policy (default: detect)",
    )
    p.add_argument(
        "--content",
        choices=["policy", "all"],
        default="policy",
        help="of a web page, only the policy's own text (default) or every paragraph, with a"
        " boilerplate column telling which are menus, footers and other page furniture",
    )
    p.add_argument(
        "--max-input-chars",
        type=int,
        metavar="N",
        help="refuse a policy longer than N characters (default 20,000,000)",
    )
    p.add_argument(
        "--max-input-lines",
        type=int,
        metavar="N",
        help="refuse a policy of more than N lines; of a web page, lines, tags and character"
        " references (default 200,000)",
    )


def _model_options(p: argparse.ArgumentParser, *, thresholds: bool = False) -> None:
    p.add_argument("--model", help="model file (default: the bundled model)")
    p.add_argument(
        "--trusted",
        action="store_true",
        help="allow a pickle/joblib model file (it can run code: only for files you trust)",
    )
    if thresholds:
        p.add_argument(
            "--threshold",
            metavar="T",
            help="label at these probabilities instead of the model's thresholds: one value"
            " for every category (0.5) or category=value pairs (collection=0.3,sharing=0.6)",
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
    """The model of ``--model``/``--trusted`` (default: the bundled one), at the thresholds of
    ``--threshold`` when given."""
    from policyml.model import default_model, load_model

    model = load_model(args.model, trusted=args.trusted) if args.model else default_model()
    spec = getattr(args, "threshold", None)
    if spec is not None:
        from policyml.exceptions import InvalidInputError

        try:
            model = model.with_thresholds(spec)
        except InvalidInputError as error:
            raise InvalidInputError(f"--threshold {spec}: {error}") from None
    return model


def _split_options(args: argparse.Namespace) -> dict[str, Any]:
    """How each policy is read into paragraphs: ``content`` and the size limits."""
    return {
        "content": args.content,
        "max_input_chars": args.max_input_chars,
        "max_input_lines": args.max_input_lines,
    }


def _corpus_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of a run over many policies (``classify_many``/``iter_classify``): files
    named on the command line, failures reported and skipped."""
    return {
        "n_jobs": args.jobs,
        "batch_size": args.batch_size,
        "fmt": args.input_format,
        "kind": "path",
        "errors": "skip",
        "progress": False if args.no_progress else None,
        **_split_options(args),
    }


def _classify_one(args: argparse.Namespace, path: str) -> tuple[pd.DataFrame, PolicyModel]:
    """One policy (file, URL or ``-``) classified; an error when it has no paragraph."""
    from policyml.exceptions import InvalidInputError
    from policyml.predict import classify

    data = _read_policy(path)
    model = _load(args)
    result = classify(data, model=model, fmt=args.input_format, **_split_options(args))
    if result.empty:
        where = "standard input" if path == "-" else path
        raise InvalidInputError(f"no paragraphs found in {where} (it holds no text)")
    return result, model


def _classify(args: argparse.Namespace) -> int:
    from policyml.writers import ResultWriter, to_json

    if args.out_file is not None or len(args.path) > 1 or not _one_policy(args.path[0]):
        return _classify_many(args)
    if args.output is None:
        args.output = "table"
    if args.wide and args.output != "table":
        return _fail("--wide is for the table; csv and json hold the full text")
    result, _ = _classify_one(args, args.path[0])
    if args.output == "csv":
        with ResultWriter(sys.stdout, "csv") as writer:
            writer.write(result)
    elif args.output == "json":
        sys.stdout.write(to_json(result))
    elif args.wide:
        _print_wide(result)
    else:
        _print_table(result)
    return 0


def _print_table(result: pd.DataFrame) -> None:
    import pandas as pd

    with pd.option_context("display.max_colwidth", 70, "display.width", 160):
        view = result[["paragraph", "heading", "labels", "text"]].copy()
        view["labels"] = view["labels"].map(lambda t: ", ".join(t) or "-")
        view["heading"] = view["heading"].fillna("")
        print(view.to_string(index=False, max_colwidth=60))


def _print_wide(result: pd.DataFrame) -> None:
    """Every paragraph in full: a line with its number, labels (probability) and heading, then
    its text wrapped to the terminal; readable as it is or in a pager (``| less``)."""
    import shutil
    import textwrap

    from policyml.display import percent
    from policyml.frames import PROBA_PREFIX

    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))
    blocks = []
    for row in result.to_dict(orient="records"):
        labels = ", ".join(f"{c} {percent(row[PROBA_PREFIX + c])}" for c in row["labels"])
        head = f"¶{row['paragraph']}  [{labels or 'no label'}]"
        if isinstance(row["heading"], str):
            head += f"  {row['heading']}"
        text = textwrap.fill(
            row["text"], width=width, initial_indent="    ", subsequent_indent="    "
        )
        blocks.append(f"{head}\n{text}")
    print("\n\n".join(blocks))


def _summary(args: argparse.Namespace) -> int:
    import pandas as pd

    from policyml.interpret import summarize
    from policyml.writers import to_json

    if args.wide and args.output != "table":
        return _fail("--wide is for the table; csv and json hold the full text")
    result, model = _classify_one(args, args.path)
    summary = summarize(result)
    summary["threshold"] = pd.Series(
        [float(t) for t in model.thresholds], index=list(model.categories)
    ).reindex(summary.index)
    if args.output == "json":
        sys.stdout.write(to_json(summary.reset_index()))
    elif args.output == "csv":
        summary.to_csv(sys.stdout, lineterminator="\n")
    else:
        view = summary.copy()
        view["paragraph"] = view["paragraph"].map(lambda n: "-" if pd.isna(n) else f"¶{n}")
        view["heading"] = view["heading"].fillna("")
        view["evidence"] = view["evidence"].fillna("")
        width = None if args.wide else 60
        with pd.option_context("display.width", 200):
            print(view.round(3).to_string(max_colwidth=width))
    return 0


def _read_policy(path: str) -> str | bytes:
    """One policy file or web page, checked as ``classify_many`` checks files (missing, a
    folder, binary, too large, unreachable: an error naming it), or standard input for ``-``
    (which must not be empty)."""
    from policyml.exceptions import InvalidInputError
    from policyml.sources import PolicySource, is_url

    if is_url(path):
        return PolicySource(path, url=path).read()
    if path != "-":
        return PolicySource(path, path=path).read()
    data = sys.stdin.buffer.read()
    if not data.strip():
        raise InvalidInputError("-: standard input is empty; pipe a policy in or give a file")
    return data


def _one_policy(path: str) -> bool:
    """True for ``-``, a URL or a single file (existing or not), False for a folder or glob
    pattern."""
    import os
    import re

    from policyml.sources import is_url

    if path == "-" or is_url(path) or (os.path.lexists(path) and not os.path.isdir(path)):
        return True
    return not os.path.isdir(path) and not re.search(r"[*?[]", path)


def _classify_many(args: argparse.Namespace) -> int:
    """Stream many policies to a file (or stdout): progress, summary, one line per failure."""
    from policyml.writers import OUTPUT_FORMATS, check_output_path

    if args.wide:
        return _fail("--wide shows one policy as a table; for several use --format csv|json or -o")
    if args.out_file is not None:
        fmt = OUTPUT_FORMATS.get(Path(args.out_file).suffix.lower())
        if fmt is None:
            return _fail(f"{args.out_file}: use a file name ending in .csv, .jsonl or .parquet")
        if args.output is not None and {"csv": "csv", "json": "jsonl"}.get(args.output) != fmt:
            return _fail(f"--format {args.output} does not match {args.out_file}: drop --format")
        check_output_path(args.out_file)
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
    model = _load(args) if args.model or args.threshold else None
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
                output=args.out_file,
                restart=args.restart,
                **_corpus_options(args),
            )
    except RunInterrupted as stop:
        import shlex

        done = stop.summary.n_policies + len(stop.summary.errors)
        command = shlex.join(["policyml", *[a for a in args.argv if a != "--restart"]])
        print(
            f"policyml: stopped by {_signal_name(stop.signal)}; {done:,} policies are saved in"
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


def _signal_name(signum: int) -> str:
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
        frames = iter_classify(policies, model=model, **_corpus_options(args))
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


def _model_output(args: argparse.Namespace) -> str | None:
    """The format ``train -o`` writes, or an error message: a .skops file, or with
    ``--joblib`` a pickle file named as one."""
    from policyml.persistence import PICKLE_SUFFIXES, SKOPS_SUFFIX

    suffix = Path(args.output).suffix.lower()
    pickles = "/".join(PICKLE_SUFFIXES[:2])
    if args.joblib:
        if suffix not in PICKLE_SUFFIXES:
            return f"{args.output}: --joblib writes a joblib pickle: name it *{pickles}"
        return None
    if suffix in PICKLE_SUFFIXES:
        return (
            f"{args.output}: a pickle file runs code when loaded; write a {SKOPS_SUFFIX} file,"
            f" or pass --joblib to write a pickle anyway"
        )
    if suffix != SKOPS_SUFFIX:
        return (
            f"{args.output}: a model file must end in {SKOPS_SUFFIX} (or {pickles} with --joblib)"
        )
    return None


def _train(args: argparse.Namespace) -> int:
    from policyml.datasets import load_base_corpus, load_labeled_csv
    from policyml.metrics import cross_validate
    from policyml.model import CategoryTooRareError, check_trainable, train
    from policyml.writers import check_output_path

    problem = _model_output(args)
    if problem:
        return _fail(problem)
    if args.base is None:
        if (args.csv is None) == (args.opp115 is None):
            return _fail("give a labeled CSV file or --opp115 ROOT (both only with --base opp115)")
        if args.user_weight is not None:
            return _fail("--user-weight goes with --base opp115")
    elif args.csv is None:
        return _fail("--base opp115 trains a labeled CSV file's rows on top of it: give the CSV")
    elif args.folds is not None:
        return _fail(
            "--folds is for training without --base; with --base the CSV's rows are"
            " cross-validated to choose their weight (or give --user-weight)"
        )
    check_output_path(args.output, make_folders=True)
    categories = None
    if args.categories is not None:
        categories = [c.strip() for c in args.categories.split(",") if c.strip()]
        if not categories:
            return _fail("--categories: give category names, e.g. --categories collection,cookies")
    progress = not args.no_progress
    if args.base is not None:
        return _train_on_base(args, categories, progress)
    if args.folds is None:
        args.folds = 5
    if args.modern and not args.opp115:
        return _fail("--modern goes with --opp115 (the modern corpus adds to OPP-115)")
    if args.opp115:
        data = load_base_corpus(args.opp115, args.modern, progress=progress)
        source = f"OPP-115 ({args.opp115})"
        if args.modern:
            source += f" + modern corpus dev half ({args.modern})"
        opp_rows = data["domain"] == "opp115"
        standard = args.folds == 5 and (data.loc[opp_rows, "fold"] >= 0).all()
        folds: int | str = "fold" if standard else args.folds
    else:
        data = load_labeled_csv(args.csv, categories=categories)
        source = args.csv
        folds = args.folds
    data.attrs["source"] = source  # errors about the data name it
    try:
        check_trainable(data, categories)  # before minutes of cross-validation
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
            if args.modern and folds == "fold":
                print(
                    "5-fold grouped cross-validation on the OPP-115 policy folds (the modern dev"
                    " half in every training fold):"
                )
            else:
                print(f"{args.folds}-fold grouped cross-validation on {source}:")
            print(cv.report.round(3).to_string())
            metrics = {
                "folds": folds if isinstance(folds, int) else "policy_folds.csv",
                "report": json.loads(cv.report.round(4).to_json(orient="index")),
            }
        model = train(data, categories=categories, progress=progress)
    except CategoryTooRareError as error:
        return _fail(error.describe("cli"))
    model.metadata["training_data"]["source"] = source
    if metrics:
        model.metadata["cv_metrics"] = metrics
    path = model.save(args.output, format="joblib" if args.joblib else "skops")
    print(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB)")
    from policyml.persistence import scorer_path

    scorer = scorer_path(path)
    if scorer.is_file() and not args.joblib:
        print(f"saved {scorer} ({scorer.stat().st_size / 1e6:.1f} MB, the compiled scorer)")
    return 0


def _train_on_base(args: argparse.Namespace, categories: list[str] | None, progress: bool) -> int:
    """``train CSV --base opp115``: :func:`policyml.train` with ``base``; prints how the CSV's
    weight was chosen."""
    from policyml.adapt import train

    model = train(
        args.csv,
        base=args.base,
        opp115=args.opp115,
        modern=args.modern,
        user_weight=args.user_weight,
        categories=categories,
        progress=progress,
    )
    info = model.metadata["base"]
    print(f"base {info['name']}: " + ", ".join(f"{n:,} {d} rows" for d, n in info["rows"].items()))
    print(f"modern corpus: {info['modern_note']}")
    choice = info["weight_choice"]
    if choice["method"] == "given":
        print(f"your rows' weight: {info['user_weight']:g} (--user-weight)")
    else:
        print(
            f"your rows' weight, by {choice['folds']}-fold CV on them (grouped by"
            f" {choice['groups']}; {choice['base_rows']:,} base rows; macro-F1 of"
            f" {', '.join(choice['categories_scored']) or '-'} at threshold"
            f" {choice['threshold']:g}):"
        )
        print(f"  base alone: {choice['base_alone_macro_f1']:.3f}")
        for weight, score in choice["macro_f1"].items():
            mark = "  <- chosen" if float(weight) == info["user_weight"] else ""
            print(f"  weight {weight}: {score:.3f}{mark}")
        if choice["note"]:
            print(f"  note: {choice['note']}")
    path = model.save(args.output, format="joblib" if args.joblib else "skops")
    print(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    import time
    import warnings

    from policyml.adapt import suggest
    from policyml.batch import SkippedPoliciesWarning
    from policyml.writers import check_output_path

    if Path(args.output).suffix.lower() != ".csv":
        return _fail(f"{args.output}: the labeling sheet is a CSV file: name it *.csv")
    check_output_path(args.output)
    if args.n < 1:
        return _fail(f"-n must be at least 1, got {args.n}")
    model = _load(args) if args.model else None
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedPoliciesWarning)  # reported line by line
        sheet = suggest(
            args.path,
            n=args.n,
            model=model,
            progress=False if args.no_progress else None,
            random_state=args.seed,
            pool_size=args.pool_size,
            n_jobs=args.jobs,
            fmt=args.input_format,
            kind="path",
            errors="skip",
        )
    seconds = time.perf_counter() - start
    for failure in sheet.attrs["errors"]:
        print(f"policyml: error: {failure}", file=sys.stderr)
    sheet.to_csv(args.output, index=False, lineterminator="\n")
    failed = len(sheet.attrs["errors"])
    print(
        f"policyml: picked {len(sheet)} of {sheet.attrs['n_paragraphs']:,} paragraphs of"
        f" {sheet.attrs['n_policies']:,} policies in {seconds:.1f} s"
        + (f"; {failed} failed" if failed else "")
        + f"; wrote {args.output}. Fill its category columns with 0 or 1, then: policyml train"
        f" {args.output} --base opp115 -o MODEL.skops",
        file=sys.stderr,
    )
    return EXIT_ERROR if failed else 0


def _evaluate(args: argparse.Namespace) -> int:
    import warnings

    from policyml.metrics import TrainingDataWarning, evaluate
    from policyml.writers import check_output_path

    if args.plot:
        check_output_path(args.plot)
        try:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib.backend_bases import FigureCanvasBase

            from policyml.plot import evaluation
        except ImportError:
            return _fail("--plot needs matplotlib: pip install 'policyml[plot]'")
        kinds = FigureCanvasBase.get_supported_filetypes()
        if Path(args.plot).suffix.lower().lstrip(".") not in kinds:
            return _fail(f"{args.plot}: use a figure file name ending in .png, .svg or .pdf")
    model = _load(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrainingDataWarning)
        report = evaluate(model, args.csv)
    for warning in caught:  # one line each, not Python's file:line form
        if issubclass(warning.category, TrainingDataWarning):
            print(f"policyml: warning: {warning.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    print(report.round(3).to_string())
    if args.plot:
        figure = evaluation(model, args.csv)
        figure.savefig(args.plot, dpi=150)
        print(f"wrote {args.plot}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from policyml.report import write_report
    from policyml.writers import check_output_path

    check_output_path(args.output)  # before the work
    result, model = _classify_one(args, args.path)
    path = write_report(result, args.output, model=model, title=args.title)
    print(f"wrote {path}")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from policyml.datasets import load_opp115
    from policyml.writers import check_output_path

    check_output_path(args.output)
    frame = load_opp115(args.root, taxonomy=args.taxonomy, min_agreement=args.min_agreement)
    frame.to_csv(args.output, index=False)
    print(f"wrote {len(frame)} rows to {args.output}")
    return 0


_COMMANDS = {
    "classify": _classify,
    "summary": _summary,
    "train": _train,
    "suggest": _suggest,
    "evaluate": _evaluate,
    "report": _report,
    "datasets": _datasets,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
