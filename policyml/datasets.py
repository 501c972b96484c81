"""Datasets: the OPP-115 corpus, the modern labeled corpus, labeled CSV files, the examples.

Every loader returns a :class:`pandas.DataFrame` with a ``text`` column and one 0/1 column per
category, the format :func:`policyml.train` and :func:`policyml.evaluate` take.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from policyml._resources import shipped_file
from policyml.categories import CATEGORIES
from policyml.exceptions import DataValidationError, InvalidInputError
from policyml.frames import PROBA_PREFIX

__all__ = [
    "KNOWN_COLUMNS",
    "MODERN_LABEL_COLUMNS",
    "OPP115_CATEGORIES",
    "OPP115_TAXONOMIES",
    "PRIVACYGLUE_CATEGORIES",
    "csv_header",
    "labeled_frame",
    "load_base_corpus",
    "load_example_csv",
    "load_example_policy",
    "load_labeled_csv",
    "load_modern",
    "load_opp115",
    "load_privacyglue",
    "paragraph_sha",
    "validate_labeled_frame",
]

#: Columns of labeled data that are never categories: context, provenance and the hints of a
#: labeling sheet (:func:`policyml.suggest`: ``predicted``, ``source``, ``start``, ``end``).
KNOWN_COLUMNS = frozenset(
    {
        "policy_id",
        "policy_name",
        "segment_id",
        "heading",
        "lead_in",
        "fold",
        "labels",
        "id",
        "domain",
        "weight",
        "row",
        "half",
        "predicted",
        "source",
        "start",
        "end",
    }
)

# OPP-115 category names as written in the annotation files, with the column name we give them.
_OPP115_NAMES: dict[str, str] = {
    "First Party Collection/Use": "first_party_collection",
    "Third Party Sharing/Collection": "third_party_sharing",
    "User Choice/Control": "user_choice_control",
    "User Access, Edit and Deletion": "user_access_edit_deletion",
    "Data Retention": "data_retention",
    "Data Security": "data_security",
    "Policy Change": "policy_change",
    "Do Not Track": "do_not_track",
    "International and Specific Audiences": "specific_audiences",
    "Other": "other",
}
#: The ten original OPP-115 categories, as column names (``taxonomy="opp115"``).
OPP115_CATEGORIES: tuple[str, ...] = tuple(_OPP115_NAMES.values())

_OTHER_TYPES = {
    "Introductory/Generic": "introductory_generic",
    "Practice not covered": "practice_not_covered",
    "Privacy contact information": "privacy_contact_information",
}
#: The twelve classes of the PrivacyGLUE OPP-115 task ("Other" split by its Other Type).
PRIVACYGLUE_CATEGORIES: tuple[str, ...] = tuple(
    [c for c in OPP115_CATEGORIES if c != "other"] + list(_OTHER_TYPES.values())
)


def _policyml_labels(category: str, attributes: dict) -> set[str]:
    """Map one OPP-115 annotation to policyml's five categories (see ``shared/README.md``)."""
    labels = set()
    if category == "First Party Collection/Use":
        labels.add("collection")
    elif category == "Third Party Sharing/Collection":
        labels.add("sharing")
    elif category == "Data Security":
        labels.add("security")
    elif category == "Do Not Track":
        labels.add("cookies")
    if (
        category == "International and Specific Audiences"
        and _value(attributes, "Audience Type") == "Children"
    ):
        labels.add("children")
    if _value(attributes, "Personal Information Type") == "Cookies and tracking elements":
        labels.add("cookies")
    return labels


def _opp115_labels(category: str, attributes: dict) -> set[str]:
    name = _OPP115_NAMES.get(category)
    return {name} if name else set()


def _privacyglue_labels(category: str, attributes: dict) -> set[str]:
    if category == "Other":
        other = _OTHER_TYPES.get(_value(attributes, "Other Type") or "")
        return {other} if other else set()
    return _opp115_labels(category, attributes)


def _value(attributes: dict, name: str) -> str | None:
    entry = attributes.get(name)
    return entry.get("value") if isinstance(entry, dict) else None


#: taxonomy name -> (category columns, annotation -> labels)
OPP115_TAXONOMIES: dict[str, tuple[tuple[str, ...], Callable[[str, dict], set[str]]]] = {
    "policyml": (CATEGORIES, _policyml_labels),
    "opp115": (OPP115_CATEGORIES, _opp115_labels),
    "privacyglue": (PRIVACYGLUE_CATEGORIES, _privacyglue_labels),
}

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _segment_text(segment_html: str) -> str:
    """Segment HTML -> text: tags removed, entities unescaped, whitespace collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", segment_html))).strip()


def _segment_heading(segment_html: str) -> str | None:
    """The segment's first ``<br>``-separated line when it reads as a title, else None."""
    first = re.split(r"<br\s*/?>", segment_html, maxsplit=1)
    if len(first) < 2:
        return None
    line = _segment_text(first[0])
    rest = _segment_text(first[1])
    if line and rest and len(line) <= 80 and not line.endswith((".", ";", ",", ":")):
        return line
    return None


def load_opp115(
    root: str | Path,
    *,
    min_agreement: int = 2,
    taxonomy: str = "policyml",
    progress: bool = False,
) -> pd.DataFrame:
    """Load the OPP-115 corpus as one row per segment with 0/1 category columns.

    A segment gets a category when at least ``min_agreement`` of its annotators produced an
    annotation that maps to it.

    Parameters
    ----------
    root : str or Path
        The corpus folder, holding ``sanitized_policies/``, ``annotations/`` and optionally
        ``policy_folds.csv``.
    min_agreement : int, default 2
        Number of distinct annotators (of three) that must agree on a category.
    taxonomy : {"policyml", "opp115", "privacyglue"}, default "policyml"
        ``"policyml"``: the five categories collection, sharing, cookies, children, security.
        ``"opp115"``: the ten original OPP-115 categories. ``"privacyglue"``: the twelve classes
        of the PrivacyGLUE task (the ten with "Other" split into its three types).
    progress : bool, default False
        Show a progress bar over policies.

    Returns
    -------
    pandas.DataFrame
        Columns ``policy_id`` (str), ``policy_name``, ``segment_id``, ``text``, ``heading``
        (the title line of the segment or of the nearest earlier segment that has one, else
        None), ``fold`` (from ``policy_folds.csv``, -1 when the
        file is absent) and one int8 column per category.

    Examples
    --------
    >>> from policyml.datasets import load_opp115
    >>> df = load_opp115("../shared/opp115")  # doctest: +SKIP
    >>> len(df), int(df["collection"].sum())  # doctest: +SKIP
    (3792, 1209)
    """
    root = Path(root)
    if taxonomy not in OPP115_TAXONOMIES:
        raise InvalidInputError(
            f"unknown taxonomy {taxonomy!r}; choose one of {sorted(OPP115_TAXONOMIES)}"
        )
    if not isinstance(min_agreement, int) or not 1 <= min_agreement <= 3:
        raise InvalidInputError(f"min_agreement must be 1, 2 or 3, got {min_agreement!r}")
    categories, mapper = OPP115_TAXONOMIES[taxonomy]
    policies_dir, annotations_dir = root / "sanitized_policies", root / "annotations"
    if not policies_dir.is_dir() or not annotations_dir.is_dir():
        raise DataValidationError(
            f"{root}: not an OPP-115 folder (expected sanitized_policies/ and annotations/)"
        )
    folds = _read_folds(root / "policy_folds.csv")
    files = sorted(policies_dir.glob("*.html"))
    if not files:
        raise DataValidationError(f"{policies_dir}: no policy files (*.html)")
    if progress:
        from tqdm.auto import tqdm

        files = tqdm(files, desc="OPP-115 policies", unit="policy")

    rows = []
    for path in files:
        name = path.stem
        policy_id = name.split("_", 1)[0]
        segments = path.read_text(encoding="utf-8").split("|||")
        votes = _read_votes(annotations_dir / f"{name}.csv", mapper, len(segments))
        heading = None  # a section's title line heads the segments that follow it, too
        for segment_id, segment in enumerate(segments):
            heading = _segment_heading(segment) or heading
            row = {
                "policy_id": policy_id,
                "policy_name": name,
                "segment_id": segment_id,
                "text": _segment_text(segment),
                "heading": heading,
                "fold": folds.get(policy_id, -1),
            }
            for category in categories:
                row[category] = int(len(votes[segment_id, category]) >= min_agreement)
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame[list(categories)] = frame[list(categories)].astype("int8")
    frame["heading"] = frame["heading"].astype(object)
    return frame


def _read_votes(
    path: Path, mapper: Callable[[str, dict], set[str]], n_segments: int
) -> defaultdict[tuple[int, str], set[str]]:
    """(segment, category) -> the annotator IDs that produced a matching annotation."""
    if not path.is_file():
        raise DataValidationError(f"{path}: annotation file missing")
    votes: defaultdict[tuple[int, str], set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        for row in reader:
            try:
                annotator, segment_id, category = row[2], int(row[4]), row[5]
                attributes = json.loads(row[6])
            except (IndexError, ValueError) as error:
                raise DataValidationError(
                    f"{path}, line {reader.line_num}: malformed annotation row ({error})"
                ) from None
            if not 0 <= segment_id < n_segments:
                raise DataValidationError(
                    f"{path}, line {reader.line_num}, column 5 (segment ID): segment {segment_id}"
                    f" does not exist (the policy has {n_segments} segments)"
                )
            for label in mapper(category, attributes):
                votes[segment_id, label].add(annotator)
    return votes


def _read_folds(path: Path) -> dict[str, int]:
    if not path.is_file():
        return {}
    folds = pd.read_csv(path, dtype={"policy_uid": str})
    return dict(zip(folds["policy_uid"], folds["fold"].astype(int), strict=True))


# --------------------------------------------------------------------------- modern corpus

#: The label file of the modern corpus, in policyml's data folder.
MODERN_LABELS = "modern/labels.csv"
#: The labels of the modern corpus, in column order.
MODERN_LABEL_COLUMNS: tuple[str, ...] = (*CATEGORIES, "chrome")
MODERN_HALVES = ("dev", "test")


def paragraph_sha(text: str) -> str:
    """The hash keying a labeled paragraph: the first 16 hex digits of the SHA-256 of its text.

    Examples
    --------
    >>> paragraph_sha("We use cookies.")
    '78a2e13863e81a3a'
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def load_modern(
    root: str | Path,
    *,
    half: str | None = None,
    chrome: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """The modern labeled corpus: paragraphs of 132 CCPA-era policy pages, labeled by policyml.

    The pages are those of the C3PA DB dataset (Musa et al., EMNLP 2024; research use only, not
    shipped with policyml): ``root`` is its folder, with ``html/N.html``. policyml ships only its
    own labels (``data/modern/labels.csv``), keyed by page, character offsets and a hash of each
    paragraph's text; this joins them with the pages, split by policyml's own splitter. Every
    paragraph of each page is labeled with the five categories and ``chrome`` (page furniture:
    menus, footers, cookie banners, unrelated content), from two independent annotation passes
    with disagreements adjudicated (``data/modern/README.md``).

    Parameters
    ----------
    root : str or Path
        The ``c3pa-db`` folder (e.g. ``../shared/c3pa-db``).
    half : {"dev", "test"}, optional
        The fixed split by page: ``"dev"`` (88 pages) to choose and train on, ``"test"`` (44
        pages) only to measure. Default: both.
    chrome : bool, default False
        Keep page-furniture rows (with a ``chrome`` column). By default only the policy's own
        text is returned, as :func:`policyml.classify` returns it.
    progress : bool, default False
        Show a progress bar over the pages.

    Returns
    -------
    pandas.DataFrame
        One row per paragraph in page order: ``text``, the five category columns (0/1),
        ``policy_id`` (the page, e.g. ``"6.html"``), ``heading``, ``lead_in``, ``half``,
        ``row`` (position in the splitter's output when the labels were made), ``start`` and
        ``end`` (offsets in the decoded page), and ``chrome`` when asked for.

    Raises
    ------
    DataValidationError
        ``root`` has no ``html`` folder or a page is missing, or a paragraph's text no longer
        matches its hash (the page was changed, or policyml's splitter now cuts it otherwise).
    """
    from policyml.preprocess import split_paragraphs

    root = Path(root)
    if half is not None and half not in MODERN_HALVES:
        raise InvalidInputError(f"half must be 'dev', 'test' or None; got {half!r}")
    if not (root / "html").is_dir():
        raise DataValidationError(
            f"{root}: not the C3PA DB folder (no html/ in it); pass the folder of the C3PA"
            " dataset's pages, e.g. ../shared/c3pa-db"
        )
    labels = pd.read_csv(
        shipped_file("data", MODERN_LABELS), dtype={"sha": str, "a": str, "b": str, "rule": str}
    )
    if half is not None:
        labels = labels[labels["half"] == half]
    pages = sorted(labels["page"].unique(), key=lambda name: int(Path(name).stem))
    if progress:
        from tqdm.auto import tqdm

        pages = tqdm(pages, desc="modern corpus", unit="page")
    parts = []
    for page in pages:
        path = root / "html" / page
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise DataValidationError(f"{path}: cannot read ({error.strerror or error})") from None
        paragraphs = {(p.start, p.end): p for p in split_paragraphs(raw, content="all")}
        mine = labels[labels["page"] == page]
        texts, headings, leads = [], [], []
        for row, start, end, sha in zip(
            mine["row"], mine["start"], mine["end"], mine["sha"], strict=True
        ):
            paragraph = paragraphs.get((int(start), int(end)))
            if paragraph is None or paragraph_sha(paragraph.text) != sha:
                raise DataValidationError(
                    f"{path}, row {row} (characters {start}-{end}): the paragraph there does not"
                    " match its label (text hash); the page differs from the labeled one, or"
                    " this version of policyml splits it differently"
                )
            texts.append(paragraph.text)
            headings.append(paragraph.heading)
            leads.append(paragraph.lead_in)
        parts.append(
            pd.DataFrame(
                {
                    "text": texts,
                    **{c: mine[c].to_numpy(dtype="int8") for c in MODERN_LABEL_COLUMNS},
                    "policy_id": page,
                    "heading": pd.Series(headings, dtype=object),
                    "lead_in": pd.Series(leads, dtype=object),
                    "half": mine["half"].to_numpy(),
                    "row": mine["row"].to_numpy(),
                    "start": mine["start"].to_numpy(),
                    "end": mine["end"].to_numpy(),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    if not chrome:
        frame = frame[frame["chrome"] == 0].drop(columns="chrome").reset_index(drop=True)
    return frame


#: Weight of a modern-corpus paragraph in the default recipe's loss (an OPP-115 segment: 1).
MODERN_WEIGHT = 1.0


def load_base_corpus(
    opp115: str | Path,
    modern: str | Path | None = None,
    *,
    modern_weight: float = MODERN_WEIGHT,
    progress: bool = False,
) -> pd.DataFrame:
    """The data policyml's default recipe learns from: OPP-115, and the dev half of the modern
    corpus when its pages are given.

    Parameters
    ----------
    opp115 : str or Path
        The OPP-115 folder (research licence; not shipped).
    modern : str or Path, optional
        The C3PA DB folder whose pages the modern corpus labels (:func:`load_modern`); its
        **dev half** is used, never the test half.
    modern_weight : float, default :data:`MODERN_WEIGHT`
        Each modern paragraph's weight in the loss (an OPP-115 segment weighs 1).
    progress : bool, default False

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`load_opp115` and :func:`load_modern` that training reads, plus
        ``domain`` (``"opp115"`` or ``"modern"``: thresholds are chosen for the mean F1 of the
        two), ``weight`` and ``fold`` (the OPP-115 fold; -1 for modern rows, which
        cross-validation on the OPP-115 folds keeps in training).
    """
    frame = load_opp115(opp115, progress=progress).assign(domain="opp115", weight=1.0)
    if modern is None:
        return frame
    rows = load_modern(modern, half="dev", progress=progress)
    rows = rows.assign(domain="modern", weight=float(modern_weight), fold=-1)
    keep = ["text", *CATEGORIES, "policy_id", "heading", "lead_in", "domain", "weight", "fold"]
    both = pd.concat([frame, rows[[*keep, "row"]]], ignore_index=True)
    both["heading"] = both["heading"].astype(object)
    return both


def load_privacyglue(root: str | Path, split: str = "train") -> pd.DataFrame:
    """Load one split of the PrivacyGLUE OPP-115 task as one row per unique text.

    The files (``{train,validation,test}_dataset.csv``) hold one ``text,label`` row per label;
    rows are grouped by text exactly as PrivacyGLUE does, giving a multi-label frame.

    Parameters
    ----------
    root : str or Path
        Folder holding the three CSV files.
    split : {"train", "validation", "test"}

    Returns
    -------
    pandas.DataFrame
        ``text`` and one int8 column per class of :data:`PRIVACYGLUE_CATEGORIES`, in order of
        first appearance of each text.

    Examples
    --------
    >>> from policyml.datasets import load_privacyglue
    >>> train = load_privacyglue("../shared/privacyglue-opp115", "train")  # doctest: +SKIP
    >>> len(train)  # doctest: +SKIP
    2185
    """
    if split not in {"train", "validation", "test"}:
        raise InvalidInputError(f"split must be train, validation or test, got {split!r}")
    path = Path(root) / f"{split}_dataset.csv"
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found")
    names = {**{v: k for k, v in _OPP115_NAMES.items()}, **{v: k for k, v in _OTHER_TYPES.items()}}
    column_of = {names[c]: c for c in PRIVACYGLUE_CATEGORIES}
    rows = pd.read_csv(path, header=None, names=["text", "label"], dtype=str, keep_default_na=False)
    unknown = sorted(set(rows["label"]) - set(column_of))
    if unknown:
        raise DataValidationError(f"{path}, column 'label': unknown label(s) {unknown}")
    texts = list(dict.fromkeys(rows["text"]))
    position = {t: i for i, t in enumerate(texts)}
    frame = pd.DataFrame({"text": texts})
    for category in PRIVACYGLUE_CATEGORIES:
        frame[category] = pd.Series(0, index=frame.index, dtype="int8")
    for text, label in zip(rows["text"], rows["label"], strict=True):
        frame.iat[position[text], frame.columns.get_loc(column_of[label])] = 1
    return frame


# --------------------------------------------------------------------------- labeled CSV files


def load_labeled_csv(
    path: str | Path,
    *,
    categories: Sequence[str] | None = None,
    label_separator: str = ";",
) -> pd.DataFrame:
    """Read and validate a labeled CSV file.

    The file has a header row, a ``text`` column, and either one 0/1 column per category or a
    ``labels`` column listing each row's categories separated by ``label_separator``
    (``"collection;cookies"``; empty for none). Optional ``policy_id`` and ``heading`` columns
    are kept; other columns are kept as they are and ignored by training.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, a byte-order mark is fine; Windows-1252 is accepted too).
    categories : sequence of str, optional
        The label set. Default: :data:`policyml.CATEGORIES`, or, for a file with 0/1 columns
        and none of those, every column other than ``text`` and the known context columns.
    label_separator : str, default ";"
        Separator inside a ``labels`` column.

    Returns
    -------
    pandas.DataFrame
        ``text``, the int8 category columns, and any other columns of the file. Exact
        duplicate rows are dropped with a warning that says how many. ``attrs["source"]`` is
        the file's name, which later errors about the data (e.g. from :func:`policyml.train`)
        name.

    Raises
    ------
    DataValidationError
        Naming the file, the line and the column: missing ``text`` column, empty text, values
        other than 0/1, unknown label names, an empty or binary file, a wrong delimiter.

    Examples
    --------
    >>> from policyml.datasets import load_labeled_csv
    >>> df = load_labeled_csv("data/example_labeled.csv")  # doctest: +SKIP
    >>> list(df.columns)[:2]  # doctest: +SKIP
    ['text', 'collection']
    """
    path = Path(path)
    source = str(path)
    text = _read_csv_text(path, source)
    header, records, lines = _parse_csv(text, source)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame = validate_labeled_frame(
        frame,
        categories=categories,
        source=source,
        lines=lines,
        label_separator=label_separator,
    )
    frame.attrs["source"] = source
    return frame


def csv_header(path: str | Path) -> list[str]:
    """The column names of a CSV file's header row, read as :func:`load_labeled_csv` reads
    the file (e.g. to see which categories it has before loading it).

    Raises
    ------
    DataValidationError
        As :func:`load_labeled_csv`: a missing, unreadable, empty or binary file, or no
        ``text`` column.

    Examples
    --------
    >>> from policyml._resources import shipped_file
    >>> csv_header(shipped_file("data", "example_labeled.csv"))[:3]
    ['text', 'collection', 'sharing']
    """
    source = str(path)
    reader = csv.reader(io.StringIO(_read_csv_text(Path(path), source), newline=""))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise DataValidationError(f"{source}, line 1: malformed CSV header ({error})") from None
    return [name.strip() for name in header]


def _read_csv_text(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError(f"{source}: file not found") from None
    except OSError as error:
        raise DataValidationError(f"{source}: cannot read ({error.strerror})") from None
    return _decode_csv(raw, source)


def _decode_csv(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise DataValidationError(f"{source}: the file is empty")
    if b"\x00" in raw[:8192]:
        raise DataValidationError(f"{source}: binary file (NUL bytes), expected a CSV text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise DataValidationError(
            f"{source}: not a text file (neither UTF-8 nor Windows-1252)"
        ) from None
    warnings.warn(f"{source}: not UTF-8, read as Windows-1252", UserWarning, stacklevel=4)
    return text


def _parse_csv(text: str, source: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Parse CSV text: header, data rows, and the line each row starts on (1-based)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataValidationError(f"{source}: the file is empty") from None
    except csv.Error as error:
        raise DataValidationError(f"{source}, line 1: malformed CSV header ({error})") from None
    header = [name.strip() for name in header]
    if "text" not in header:
        joined = ",".join(header)
        hint = ""
        for delimiter, name in (("\t", "tab"), (";", "semicolon"), ("|", "pipe")):
            if delimiter in joined and "text" in joined.split(delimiter):
                hint = f" (the header looks {name}-separated: write a comma-separated file)"
                break
        raise DataValidationError(
            f"{source}, line 1: no 'text' column{hint}; columns found: {header}"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataValidationError(f"{source}, line 1: duplicate column names {duplicated}")
    records, lines = [], []
    line = reader.line_num + 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                line = reader.line_num + 1
                continue  # blank line
            if len(row) != len(header):
                raise DataValidationError(
                    f"{source}, line {line}: {len(row)} fields, the header has {len(header)}"
                    " (unquoted comma in the text, or a wrong delimiter?)"
                )
            records.append(row)
            lines.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        raise DataValidationError(f"{source}, line {line}: malformed CSV ({error})") from None
    if not records:
        raise DataValidationError(f"{source}: no data rows after the header")
    return header, records, lines


def labeled_frame(
    data: pd.DataFrame | str | Path, categories: Sequence[str] | None = None
) -> tuple[pd.DataFrame, str]:
    """Labeled data, validated: ``(frame, source)`` from a DataFrame or a CSV path.

    ``source`` names the data in messages: the file, the ``attrs["source"]`` of a frame read
    by :func:`load_labeled_csv` (or set by the caller), else ``"<DataFrame>"``. Without
    ``categories``, the data must have policyml's five category columns (or a ``labels``
    column).
    """
    if isinstance(data, str | Path):
        return load_labeled_csv(data, categories=categories), str(data)
    if not isinstance(data, pd.DataFrame):
        raise InvalidInputError(
            f"labeled data must be a DataFrame or a CSV path, got {type(data).__name__}"
        )
    if categories is None:
        missing = [c for c in CATEGORIES if c not in data.columns]
        if missing and "labels" not in data.columns:
            raise DataValidationError(
                f"labeled data lacks category column(s) {missing}; pass categories=[...] to use"
                f" another label set (columns found: {list(map(str, data.columns))})"
            )
        categories = CATEGORIES
    source = data.attrs.get("source")
    source = source if isinstance(source, str) and source else "<DataFrame>"
    return validate_labeled_frame(data, categories=categories, source=source), source


def validate_labeled_frame(
    frame: pd.DataFrame,
    *,
    categories: Sequence[str] | None = None,
    source: str = "<DataFrame>",
    lines: Sequence[int] | None = None,
    label_separator: str = ";",
) -> pd.DataFrame:
    """Validate labeled data and return it in canonical form (see :func:`load_labeled_csv`).

    ``lines`` gives the file line of each row for error messages; without it, errors name the
    row index.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(
            f"labeled data must be a pandas DataFrame or a CSV path, got {type(frame).__name__}"
        )
    frame = frame.reset_index(drop=True)
    where = (lambda i: f"line {lines[i]}") if lines is not None else (lambda i: f"row {i}")
    if "text" not in frame.columns:
        raise DataValidationError(
            f"{source}: no 'text' column; columns found: {list(map(str, frame.columns))}"
        )
    if frame.empty:
        raise DataValidationError(f"{source}: no rows")

    texts = frame["text"]
    for i, value in enumerate(texts):
        if not isinstance(value, str) or not value.strip():
            what = "missing (NaN)" if not isinstance(value, str) else "empty"
            raise DataValidationError(f"{source}, {where(i)}, column 'text': text is {what}")

    if "labels" in frame.columns and categories is None:
        categories = CATEGORIES
    categories = _resolve_categories(frame, categories, source)
    out = frame.copy()
    if "labels" in frame.columns and not set(categories) <= set(frame.columns):
        matrix = _parse_label_lists(frame["labels"], categories, source, where, label_separator)
        out = out.drop(columns="labels")
        for j, category in enumerate(categories):
            out[category] = matrix[j]
    for category in categories:
        out[category] = _binary_column(out[category], category, source, where)

    ordered = ["text", *categories]
    out = out[ordered + [c for c in out.columns if c not in ordered]]
    duplicated = out.astype(str).duplicated()
    if duplicated.any():
        count = int(duplicated.sum())
        warnings.warn(
            f"{source}: dropped {count} exact duplicate row(s)", UserWarning, stacklevel=2
        )
        out = out.loc[~duplicated].reset_index(drop=True)
    return out


def _resolve_categories(
    frame: pd.DataFrame, categories: Sequence[str] | None, source: str
) -> list[str]:
    if categories is None:
        if set(CATEGORIES) & set(frame.columns):
            categories = CATEGORIES
        else:
            # p_<name> beside a <name> column is a probability hint (a labeling sheet's)
            hints = {PROBA_PREFIX + str(c) for c in frame.columns}
            categories = [
                c for c in frame.columns if c not in {"text", *KNOWN_COLUMNS} and c not in hints
            ]
    if isinstance(categories, str):
        raise InvalidInputError("categories must be a list of names, not a single string")
    categories = list(categories)
    if not categories:
        raise DataValidationError(f"{source}: no category columns found")
    if len(set(categories)) != len(categories):
        raise InvalidInputError(f"categories contain duplicates: {categories}")
    if "labels" not in frame.columns:
        missing = [c for c in categories if c not in frame.columns]
        if missing:
            raise DataValidationError(
                f"{source}: missing category column(s) {missing}; columns found:"
                f" {list(map(str, frame.columns))} (or give a 'labels' column)"
            )
    return categories


def _parse_label_lists(
    labels: pd.Series,
    categories: Sequence[str],
    source: str,
    where: Callable[[int], str],
    separator: str,
) -> list[list[int]]:
    index = {name: j for j, name in enumerate(categories)}
    matrix = [[0] * len(labels) for _ in categories]
    for i, value in enumerate(labels):
        if value is None or (isinstance(value, float) and value != value):
            continue  # no labels
        for name in str(value).split(separator):
            name = name.strip()
            if not name:
                continue
            if name not in index:
                raise DataValidationError(
                    f"{source}, {where(i)}, column 'labels': unknown label {name!r};"
                    f" known labels: {list(categories)}"
                )
            matrix[index[name]][i] = 1
    return matrix


_TRUE = {"1", "1.0", "true", "True", "TRUE"}
_FALSE = {"0", "0.0", "false", "False", "FALSE"}


def _binary_column(
    column: pd.Series, name: str, source: str, where: Callable[[int], str]
) -> pd.Series:
    values = []
    for i, value in enumerate(column):
        text = str(value).strip() if value is not None else ""
        if isinstance(value, bool) or text in _TRUE or text in _FALSE:
            values.append(1 if (value is True or text in _TRUE) else 0)
            continue
        if not text or (not isinstance(value, str) and text in {"nan", "<NA>"}):
            # e.g. a row of a labeling sheet (policyml.suggest) left unlabeled
            raise DataValidationError(
                f"{source}, {where(i)}, column {name!r}: empty; label it 0 or 1, or delete the row"
            )
        raise DataValidationError(
            f"{source}, {where(i)}, column {name!r}: expected 0 or 1, got {value!r}"
        )
    return pd.Series(values, index=column.index, dtype="int8")


# --------------------------------------------------------------------------- bundled examples


def load_example_policy() -> str:
    """Return the example privacy policy bundled with policyml (Markdown, written for it).

    Examples
    --------
    >>> from policyml.datasets import load_example_policy
    >>> load_example_policy().startswith("# ")
    True
    """
    return shipped_file("data", "example_policy.md").read_text(encoding="utf-8")


def load_example_csv() -> pd.DataFrame:
    """Return the small labeled example dataset bundled with policyml.

    Examples
    --------
    >>> from policyml.datasets import load_example_csv
    >>> df = load_example_csv()
    >>> "text" in df.columns
    True
    """
    return load_labeled_csv(shipped_file("data", "example_labeled.csv"))
