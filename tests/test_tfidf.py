"""The TF-IDF views: cosines by the textbook definition, however they are computed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.tfidf import View, char_ngrams, ranges

DOCS = ["hydro pool session", "hydro therapy pool pool", "school taxi", "taxi to school late", "late again"]
OWNER = np.array([0, 0, 1, 1, 2])


def textbook(docs: list[str], query: str) -> np.ndarray:
    """Sublinear tf, smoothed idf, L2 rows: written out longhand, per document."""
    vocab = sorted({w for d in docs for w in d.split()})
    df = {w: sum(w in d.split() for d in docs) for w in vocab}
    idf = {w: math.log((1 + len(docs)) / (1 + df[w])) + 1 for w in vocab}

    def vec(text: str) -> dict[str, float]:
        counts: dict[str, int] = {}
        for w in text.split():
            if w in idf:
                counts[w] = counts.get(w, 0) + 1
        v = {w: (1 + math.log(c)) * idf[w] for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    q = vec(query)
    return np.array([sum(q.get(w, 0.0) * x for w, x in vec(d).items()) for d in docs])


@pytest.mark.parametrize("query", ["pool", "hydro pool pool", "school taxi late", "nothing known", "late late late"])
def test_similarities_are_textbook_cosines(query: str) -> None:
    view = View(str.split, DOCS, OWNER, 3)
    assert np.allclose(view.similarities(query), textbook(DOCS, query))


@pytest.mark.parametrize("rows", [[0, 1, 2, 3, 4], [1, 3], [4], []])
def test_similarities_of_some_rows_match_the_full_pass(rows: list[int]) -> None:
    view = View(str.split, DOCS, OWNER, 3, features=char_ngrams)
    view.by_row()
    full = view.similarities("hydro pool taxi")
    some = view.similarities_of("hydro pool taxi", np.array(rows, dtype=np.int64))
    assert np.allclose(some[rows], full[rows])
    assert not np.any(np.delete(some, rows))


def test_character_features_are_those_of_each_word() -> None:
    view = View(str.split, ["ab hydro"], np.array([0]), 1, features=char_ngrams)
    assert sorted(view.analyse("ab hydro")) == sorted(char_ngrams("ab hydro"))


def test_leaving_one_example_out_of_a_centroid_is_exact() -> None:
    view = View(str.split, DOCS, OWNER, 3)
    sims = view.similarities("hydro pool")
    left_out = view.centroid(sims, OWNER, 3, skip=0)
    rest = View(str.split, DOCS, OWNER, 3)  # same idf; centroid of intent 0 from example 1 alone
    alone = rest.similarities("hydro pool")[1]
    assert math.isclose(left_out[0], alone, rel_tol=1e-9)


def test_examples_must_come_grouped_by_intent() -> None:
    with pytest.raises(ValueError):
        View(str.split, DOCS, np.array([0, 1, 0, 1, 2]), 3)


def test_ranges() -> None:
    assert ranges(np.array([2, 7, 9]), np.array([4, 7, 11])).tolist() == [2, 3, 9, 10]


@pytest.mark.parametrize("query", ["pool", "hydro pool pool", "school taxi late", "nothing known"])
def test_a_view_kept_by_rows_only_gives_the_same_cosines(query: str) -> None:
    view = View(str.split, DOCS, OWNER, 3)
    view.by_row(keep_columns=False)
    assert view.rows is None
    assert np.allclose(view.similarities(query), textbook(DOCS, query))


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1000])
def test_term_counts_do_not_depend_on_the_chunk_size(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples are counted a few at a time and the sorted chunks merged; the result must not show it."""
    import bot.tfidf

    docs = DOCS + ["pool pool pool hydro", "taxi", "school school late"]
    owner = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    whole = [View(str.split, docs, owner, 4, features=f) for f in (char_ngrams, bot.tfidf.itself)]
    monkeypatch.setattr(bot.tfidf, "CHUNK", chunk)
    chunked = [View(str.split, docs, owner, 4, features=f) for f in (char_ngrams, bot.tfidf.itself)]
    for a, b in zip(chunked, whole):
        for name in ("rows", "values", "indptr", "idf", "sum_norm", "self_dot", "self_norm"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.allclose(chunked[1].similarities("hydro pool pool"), textbook(docs, "hydro pool pool"))


def test_the_row_wise_copy_is_the_column_wise_one_transposed() -> None:
    docs = DOCS + ["pool pool pool hydro", "", "school school late"]
    view = View(str.split, docs, np.array([0, 0, 1, 1, 2, 2, 3, 3]), 4, features=char_ngrams)
    view.by_row()
    columns = {(int(r), c): v for c in range(len(view.indptr) - 1)
               for r, v in zip(view.rows[view.indptr[c]:view.indptr[c + 1]], view.values[view.indptr[c]:view.indptr[c + 1]])}
    rows = {(r, int(c)): v for r in range(len(docs))
            for c, v in zip(view.row_cols[view.row_ptr[r]:view.row_ptr[r + 1]], view.row_values[view.row_ptr[r]:view.row_ptr[r + 1]])}
    assert rows == columns
    for r in range(len(docs)):  # features in order within each example
        assert list(view.row_cols[view.row_ptr[r]:view.row_ptr[r + 1]]) == sorted(view.row_cols[view.row_ptr[r]:view.row_ptr[r + 1]])
