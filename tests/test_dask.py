"""policyml.dask on a local two-process cluster (loopback only): results equal one process."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import policyml
from policyml.exceptions import InvalidInputError

dask = pytest.importorskip("dask")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from _sample_policies import POLICIES as ALL_POLICIES  # noqa: E402

import policyml.dask as pdask  # noqa: E402

POLICIES = {k: v for k, v in ALL_POLICIES.items() if k != "news"}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    addresses = [client.scheduler.address, *client.scheduler_info()["workers"]]
    assert len(addresses) == 3 and all(a.startswith("tcp://127.0.0.1:") for a in addresses)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def policy_files(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = []
    for name, text in POLICIES.items():
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def computed(ddf) -> pd.DataFrame:
    return ddf.compute().reset_index(drop=True)


def test_bag_of_paths_equals_single_process(client, policy_files):
    bag = db.from_sequence(policy_files, npartitions=3)
    result = computed(pdask.classify_bag(bag))
    expected = policyml.classify_many(policy_files)
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    # and each policy's rows are those of classify() on that file
    shop = result[result["policy"] == policy_files[0]].drop(columns="policy")
    one = policyml.classify(Path(policy_files[0]).read_bytes())
    pd.testing.assert_frame_equal(
        shop.reset_index(drop=True), one, check_exact=True, check_frame_type=False
    )


def test_to_parquet_with_the_arrow_schema(client, policy_files, tmp_path):
    pytest.importorskip("pyarrow")
    result = pdask.classify_bag(db.from_sequence(policy_files, npartitions=2), errors="skip")
    result.to_parquet(tmp_path / "out", schema=policyml.batch.arrow_schema(result.columns))
    written = pd.read_parquet(tmp_path / "out")
    expected = policyml.classify_many(policy_files)
    assert written["policy"].tolist() == expected["policy"].tolist()
    assert written["labels"].map(tuple).tolist() == expected["labels"].tolist()
    assert written["p_sharing"].tolist() == expected["p_sharing"].tolist()
    assert written["error"].isna().all()


def test_model_is_scattered_once_to_every_worker(client):
    model = policyml.model.default_model()
    shipped = pdask._ship(model)
    assert isinstance(shipped, distributed.Future)
    holders = client.who_has([shipped])[shipped.key]
    assert len(holders) == 2
    bag = db.from_sequence(list(POLICIES.items()), npartitions=4)
    result = computed(pdask.classify_bag(bag, model=model))
    pd.testing.assert_frame_equal(result, policyml.classify_many(POLICIES), check_exact=True)


def test_dataframe_column_equals_single_process(client):
    frame = pd.DataFrame({"id": list(POLICIES), "body": list(POLICIES.values())})
    ddf = dd.from_pandas(frame, npartitions=3)
    result = computed(pdask.classify_dataframe(ddf, "body", id_column="id"))
    pd.testing.assert_frame_equal(result, policyml.classify_many(POLICIES), check_exact=True)
    # a Series: the index gives the ids
    series = dd.from_pandas(pd.Series(POLICIES, name="whatever"), npartitions=2, sort=False)
    result = computed(pdask.classify_dataframe(series))
    pd.testing.assert_frame_equal(result, policyml.classify_many(POLICIES), check_exact=True)


def test_skip_gives_error_rows_in_place(client, policy_files, tmp_path):
    missing = str(tmp_path / "missing.txt")
    paths = [policy_files[0], missing, policy_files[1]]
    result = computed(pdask.classify_bag(db.from_sequence(paths, npartitions=1), errors="skip"))
    assert result["policy"].drop_duplicates().tolist() == paths
    bad = result[result["error"].notna()]
    assert bad["policy"].tolist() == [missing]
    assert "No such file" in bad["error"].iloc[0]
    assert bad["paragraph"].iloc[0] == -1 and bad["labels"].iloc[0] == ()
    good = result[result["error"].isna()].drop(columns="error").reset_index(drop=True)
    expected = policyml.classify_many([policy_files[0], policy_files[1]])
    pd.testing.assert_frame_equal(good, expected, check_exact=True)


def test_raise_names_the_file(client, tmp_path):
    missing = str(tmp_path / "missing.txt")
    result = pdask.classify_bag(db.from_sequence([missing], npartitions=1))
    with pytest.raises(InvalidInputError, match=r"missing\.txt"):
        result.compute()
    frame = dd.from_pandas(pd.DataFrame({"text": ["We use cookies.", None]}), npartitions=1)
    with pytest.raises(InvalidInputError, match="policy 1: missing text"):
        pdask.classify_dataframe(frame).compute()


def test_bare_texts_in_a_bag_get_partition_ids(client):
    bag = db.from_sequence(["We use cookies to count visits.", "We encrypt data."], npartitions=2)
    result = computed(pdask.classify_bag(bag, kind="text"))
    assert result["policy"].tolist() == ["0:0", "1:0"]


def test_bad_arguments():
    with pytest.raises(InvalidInputError, match=r"dask\.bag\.Bag"):
        pdask.classify_bag(["a.txt"])
    ddf = dd.from_pandas(pd.DataFrame({"text": ["x"]}), npartitions=1)
    with pytest.raises(InvalidInputError, match="no column 'body'"):
        pdask.classify_dataframe(ddf, "body")
    with pytest.raises(InvalidInputError, match="errors"):
        pdask.classify_dataframe(ddf, errors="ignore")


def test_content_all_equals_single_process(client, tmp_path):
    from test_boilerplate import FURNITURE, furniture_page

    pages = {kind: furniture_page(kind)[0] for kind in FURNITURE}
    expected = policyml.classify_many(pages, content="all")
    assert expected["boilerplate"].any()
    bag = db.from_sequence(list(pages.items()), npartitions=3)
    result = computed(pdask.classify_bag(bag, content="all"))
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    frame = pd.DataFrame({"id": list(pages), "body": list(pages.values())})
    ddf = dd.from_pandas(frame, npartitions=2)
    result = computed(pdask.classify_dataframe(ddf, "body", id_column="id", content="all"))
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    # failed policies keep the column (False) in skip mode
    missing = str(tmp_path / "missing.html")
    skipped = computed(
        pdask.classify_bag(db.from_sequence([missing]), kind="path", errors="skip", content="all")
    )
    assert skipped["boilerplate"].tolist() == [False]
    with pytest.raises(InvalidInputError, match="content must be one of"):
        pdask.classify_bag(bag, content="page")
