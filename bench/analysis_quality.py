"""Quality benchmark of the analysis engine on real Portuguese text (not run by the test suite).

Run from the repository root: ``python -m bench.analysis_quality``. The data lives outside the repository
in ``../shared/data/fakebr/`` (see its README; never copy it here).

0. Themes with no k (issue #14): on the shared Fake.br 3k set (1,000 items each of politica,
   tv_celebridades, sociedade_cotidiano from ``fakebr_short.jsonl``, drawn with ``random.seed(7)`` exactly
   as ``../shared/checks/issue-11-analysis-quality`` draws them) and on a second kind of text, single
   sentences (the same three categories, 1,000 each, from ``fakebr_sentences.jsonl.gz``). The baseline
   is the check's: TF-IDF (accents stripped, 1–2-grams, min_df 2, sublinear tf) + LSA(100) + KMeans(k=3),
   measured in the same run. Targets on the 3k set: theme NMI ≥ 0.16 and ≥ baseline + 0.02, theme count
   2–8, and no sub-theme above 25% of the texts unless its coherence is at least the median sub-theme's.
   The sentences are reported, not judged: news sentences out of context carry little of their topic.
   Then the seed spread: the same on three samples (drawn with ``random.seed`` 7, 11 and 13) × analysis
   seeds 0-4, each sample with its own baseline; min/median/max theme NMI, the theme counts, the largest
   theme, and how many of the five runs meet every target.
1. Clustering: NMI and ARI against the news category on ``fakebr_short.jsonl``, on all six categories and
   on a balanced subset of three (1,000 items each of politica, tv_celebridades, sociedade_cotidiano,
   drawn with a fixed seed), averaged over three seeds. The baseline is plain TF-IDF (scikit-learn
   defaults) + KMeans with k = number of categories, computed in the same run; the pipeline is given the
   same k. The verdict requires the pipeline's mean NMI and ARI to be at least the baseline's. The
   pipeline with its own k (sub-themes and themes) is printed for information: more clusters than
   categories lowers both scores by construction.
2. Near-duplicate campaigns: campaigns (templates copied with one-word edits: a substituted, inserted or
   deleted word, plus some exact copies) are injected among 20,000 real sentences from
   ``fakebr_sentences.jsonl.gz``. Half of the templates are written for the purpose, half are real
   sentences taken out of the background; records are spread over 20 articles, each campaign on one.
   Pairwise precision (of the pairs the pipeline puts in one
   duplicate group with at least one injected member, the share that belong to one campaign) and recall
   (of the pairs of one campaign, the share put in one duplicate group) must both reach 0.95, and exactly
   the campaigns large enough for their article must be flagged as campaigns.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.preprocessing import Normalizer

from analysis import Record, analyze_contributions

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fakebr"
SEEDS = (0, 1, 2)
BALANCED = ("politica", "tv_celebridades", "sociedade_cotidiano")
BALANCED_PER_CATEGORY = 1_000
BACKGROUND = 20_000
ARTICLES = 20
TARGET = 0.95

WRITTEN_TEMPLATES = [
    "Sou contra o artigo 5 porque ele obriga todo cidadão a ter conta no gov.br para acessar serviços de "
    "saúde.",
    "Peço que os dados abertos de saúde sejam publicados todo mês, por município, em formato aberto e com "
    "dicionário de dados.",
    "A estratégia precisa garantir acessibilidade digital para pessoas com deficiência visual e auditiva em "
    "todos os serviços públicos.",
    "Defendemos que a identidade digital seja gratuita, não obrigatória e que o atendimento presencial "
    "continue disponível para quem não usa internet.",
    "O decreto deve proibir o compartilhamento de dados pessoais de saúde com empresas privadas sem o "
    "consentimento expresso do paciente.",
]


def _read_jsonl(path: Path) -> list[dict]:
    """Read a JSON-lines file, gzip-compressed or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _scores(truth: list[str], predicted: list[int]) -> tuple[float, float]:
    """Return NMI and ARI of a clustering against the truth."""
    return normalized_mutual_info_score(truth, predicted), adjusted_rand_score(truth, predicted)


def _clustering(items: list[dict]) -> dict[str, tuple[float, float]]:
    """Score baseline and pipeline on one dataset, averaged over the seeds."""
    truth = [item["category"] for item in items]
    texts = [item["text"] for item in items]
    k = len(set(truth))
    records = [Record(id=item["id"], text=item["text"]) for item in items]
    matrix = TfidfVectorizer().fit_transform(texts)
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "pipeline": [], "auto": [], "themes": []}
    for seed in SEEDS:
        baseline = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(matrix)
        runs["baseline"].append(_scores(truth, list(baseline)))
        fixed = analyze_contributions(records, k=k, seed=seed)
        runs["pipeline"].append(_scores(truth, [a.cluster_id for a in fixed.assignments]))
        auto = analyze_contributions(records, seed=seed)
        runs["auto"].append(_scores(truth, [a.cluster_id for a in auto.assignments]))
        runs["themes"].append(_scores(truth, [a.theme_id or 0 for a in auto.assignments]))
        runs.setdefault(f"auto_k_seed{seed}", []).append((auto.groups[0].k, 0.0))
    return {name: tuple(np.mean(values, axis=0)) for name, values in runs.items()}


def clustering_table() -> bool:
    """Print the clustering table and return whether the pipeline is not worse than the baseline."""
    items = _read_jsonl(DATA / "fakebr_short.jsonl")
    rng = random.Random(0)
    balanced = []
    for category in BALANCED:
        pool = [item for item in items if item["category"] == category]
        balanced += rng.sample(pool, BALANCED_PER_CATEGORY)
    print("Clustering quality vs. news category (mean of seeds 0, 1, 2)")
    print(f"{'dataset':<26}{'method':<40}{'NMI':>8}{'ARI':>8}")
    ok = True
    for name, dataset in (("all 6 categories (7,200)", items), ("balanced 3 (3 × 1,000)", balanced)):
        began = time.perf_counter()
        scores = _clustering(dataset)
        k = len({item["category"] for item in dataset})
        auto_k = "/".join(str(int(scores[f"auto_k_seed{s}"][0])) for s in SEEDS)
        rows = [
            (f"baseline TF-IDF + KMeans (k={k})", scores["baseline"]),
            (f"pipeline (k={k})", scores["pipeline"]),
            (f"pipeline auto k={auto_k}: sub-themes", scores["auto"]),
            ("pipeline auto k: themes", scores["themes"]),
        ]
        for method, (nmi, ari) in rows:
            print(f"{name:<26}{method:<40}{nmi:>8.3f}{ari:>8.3f}")
        better = (
            scores["pipeline"][0] >= scores["baseline"][0] and scores["pipeline"][1] >= scores["baseline"][1]
        )
        ok &= better
        verdict = "PASS: pipeline not worse than baseline" if better else "FAIL: pipeline worse than baseline"
        print(f"{name:<26}{verdict}  ({time.perf_counter() - began:.0f} s)")
    return ok


def _balanced_pick(rows: list[dict], seed: int) -> list[dict]:
    """Draw 1,000 items of each balanced category the way the acceptance check does."""
    random.seed(seed)
    pick = []
    for category in BALANCED:
        pool = [r for r in rows if r["category"] == category]
        random.shuffle(pool)
        pick += pool[:BALANCED_PER_CATEGORY]
    return pick


def _check_baseline(texts: list[str], truth: list[str]) -> tuple[float, float]:
    """Return NMI and ARI of the check's TF-IDF + LSA(100) + KMeans(k=3) baseline."""
    matrix = TfidfVectorizer(strip_accents="unicode", ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(
        texts
    )
    reduced = Normalizer().fit_transform(TruncatedSVD(100, random_state=0).fit_transform(matrix))
    return _scores(truth, list(KMeans(3, n_init=10, random_state=0).fit_predict(reduced)))


def _largest_share(labels: list[object]) -> float:
    """Return the share of the most common label."""
    return max(Counter(labels).values()) / len(labels)


def _themes_rows(name: str, items: list[dict], judged: bool) -> bool:
    """Print the rows of one dataset of the themes table; return whether its targets are met."""
    truth = [item["category"] for item in items]
    records = [Record(id=str(i), text=item["text"]) for i, item in enumerate(items)]
    base = _check_baseline([item["text"] for item in items], truth)
    print(f"{name:<22}{'baseline TF-IDF+LSA(100)+KMeans k=3':<44}{3:>7}{'':>9}{base[0]:>8.3f}{base[1]:>8.3f}")
    ok = True
    for seed in SEEDS:
        began = time.perf_counter()
        result = analyze_contributions(records, seed=seed)
        elapsed = time.perf_counter() - began
        group = result.groups[0]
        themes = [a.theme_id or 0 for a in result.assignments]
        clusters = [a.cluster_id for a in result.assignments]
        theme_nmi, theme_ari = _scores(truth, themes)
        cluster_nmi, cluster_ari = _scores(truth, clusters)
        kept = [c for c in group.clusters if not c.is_other]
        median = float(np.median([c.coherence for c in kept]))
        catch_alls = [c for c in kept if c.share > 0.25 and c.coherence < median]
        low = sum(c.low_coherence for c in kept)
        label = f"themes, no k (seed {seed}, {elapsed:.1f} s)"
        print(f"{'':<22}{label:<44}{len(group.themes):>7}{_largest_share(themes):>9.0%}"
              f"{theme_nmi:>8.3f}{theme_ari:>8.3f}")
        print(f"{'':<22}{'  sub-themes (' + str(low) + ' flagged low coherence)':<44}{len(kept):>7}"
              f"{max(c.share for c in kept):>9.0%}{cluster_nmi:>8.3f}{cluster_ari:>8.3f}")
        if judged:
            targets = {
                f"theme NMI {theme_nmi:.3f} >= max(0.16, baseline + 0.02)": theme_nmi >= max(0.16, base[0] + 0.02),
                f"theme count {len(group.themes)} in 2..8": 2 <= len(group.themes) <= 8,
                f"no sub-theme > 25% below median coherence ({len(catch_alls)} found)": not catch_alls,
            }
            for target, passed in targets.items():
                ok &= passed
                print(f"{'':<22}  {'PASS' if passed else 'FAIL'}: {target}")
    fixed = analyze_contributions(records, k=3, seed=0)
    nmi, ari = _scores(truth, [a.cluster_id for a in fixed.assignments])
    print(f"{'':<22}{'pipeline with k=3 given (seed 0)':<44}{3:>7}"
          f"{_largest_share([a.cluster_id for a in fixed.assignments]):>9.0%}{nmi:>8.3f}{ari:>8.3f}")
    return ok


SPREAD_SAMPLES = (7, 11, 13)
SPREAD_SEEDS = (0, 1, 2, 3, 4)


def _spread_rows(name: str, rows: list[dict], judged: bool) -> bool:
    """Print the seed spread of one data set: per sample, the themes over analysis seeds 0-4; return the verdict.

    Each sample is drawn as the check draws it, with ``random.seed(sample)``; the baseline is measured on it.
    """
    ok = True
    for sample in SPREAD_SAMPLES:
        items = _balanced_pick(rows, sample)
        truth = [item["category"] for item in items]
        records = [Record(id=str(i), text=item["text"]) for i, item in enumerate(items)]
        base = _check_baseline([item["text"] for item in items], truth)[0]
        counts, nmis, largest, met = [], [], [], 0
        for seed in SPREAD_SEEDS:
            result = analyze_contributions(records, seed=seed)
            themes = [a.theme_id or 0 for a in result.assignments]
            kept = [c for c in result.groups[0].clusters if not c.is_other]
            median = float(np.median([c.coherence for c in kept]))
            nmi = _scores(truth, themes)[0]
            counts.append(len(result.groups[0].themes))
            nmis.append(nmi)
            largest.append(_largest_share(themes))
            met += (
                nmi >= max(0.16, base + 0.02)
                and 2 <= counts[-1] <= 8
                and largest[-1] <= 0.45
                and not [c for c in kept if c.share > 0.25 and c.coherence < median]
            )
        print(
            f"{name:<22}{sample:>7}{base:>9.3f}  {'/'.join(map(str, counts)):<12}"
            f"{min(nmis):>7.3f}{float(np.median(nmis)):>8.3f}{max(nmis):>7.3f}{max(largest):>9.0%}"
            f"{f'{met}/{len(SPREAD_SEEDS)}':>8}"
        )
        ok &= met == len(SPREAD_SEEDS) or not judged
    return ok


def spread_table() -> bool:
    """Print the seed spread (samples 7, 11, 13 × seeds 0-4) on both kinds of text; return the 3k verdict."""
    print("Seed spread of the no-k themes: per sample (random.seed as the check), analysis seeds 0-4")
    print(f"{'dataset':<22}{'sample':>7}{'baseline':>9}  {'themes':<12}{'NMI min':>7}{'median':>8}{'max':>7}"
          f"{'largest':>9}{'targets':>8}")
    ok = _spread_rows("Fake.br 3k (short)", _read_jsonl(DATA / "fakebr_short.jsonl"), judged=True)
    _spread_rows("sentences 3k", _read_jsonl(DATA / "fakebr_sentences.jsonl.gz"), judged=False)
    print("targets: NMI >= max(0.16, baseline + 0.02), 2-8 themes, largest theme <= 45%, no incoherent"
          " sub-theme over 25% (judged on the short texts only)")
    print()
    return ok


def themes_table() -> bool:
    """Print the no-k themes table on short texts and on sentences; return whether the 3k targets pass."""
    print("Themes with no k vs. news category (issue #14); same-run baseline of the acceptance check")
    print(f"{'dataset':<22}{'method':<44}{'groups':>7}{'largest':>9}{'NMI':>8}{'ARI':>8}")
    short = _balanced_pick(_read_jsonl(DATA / "fakebr_short.jsonl"), 7)
    ok = _themes_rows("Fake.br 3k (short)", short, judged=True)
    sentences = _balanced_pick(_read_jsonl(DATA / "fakebr_sentences.jsonl.gz"), 7)
    _themes_rows("sentences 3k", sentences, judged=False)
    print()
    return ok


def _edit(words: list[str], vocabulary: list[str], rng: random.Random) -> list[str]:
    """Apply one random one-word edit: substitute, insert or delete a word."""
    words = list(words)
    position = rng.randrange(len(words))
    kind = rng.choice(("substitute", "insert", "delete"))
    if kind == "substitute":
        words[position] = rng.choice(vocabulary)
    elif kind == "insert":
        words.insert(position, rng.choice(vocabulary))
    else:
        del words[position]
    return words


def campaigns_table() -> bool:
    """Print near-duplicate precision and recall on injected campaigns; return whether both pass."""
    rng = random.Random(0)
    sentences = [row["text"] for row in _read_jsonl(DATA / "fakebr_sentences.jsonl.gz")]
    rng.shuffle(sentences)
    real_templates = [s for s in sentences[BACKGROUND:] if 120 <= len(s) <= 250][:5]
    background = sentences[:BACKGROUND]
    vocabulary = [w for s in background[:2_000] for w in s.split() if w.isalpha()]
    records = [
        Record(id=f"bg-{i}", text=text, article=f"Art. {i % ARTICLES + 1}")
        for i, text in enumerate(background)
    ]
    truth: dict[str, int] = {}
    for campaign, template in enumerate(WRITTEN_TEMPLATES + real_templates):
        words = template.split()
        for copy in range(rng.randint(8, 40)):
            text = template if copy % 5 == 0 else " ".join(_edit(words, vocabulary, rng))
            record_id = f"camp{campaign}-{copy}"
            records.append(Record(id=record_id, text=text, article=f"Art. {campaign % ARTICLES + 1}"))
            truth[record_id] = campaign
    rng.shuffle(records)
    began = time.perf_counter()
    result = analyze_contributions(records, seed=0)
    elapsed = time.perf_counter() - began
    predicted = {a.record_id: a.duplicate_group for a in result.assignments}
    members: dict[int, list[str]] = {}
    for record_id, group in predicted.items():
        if group is not None:
            members.setdefault(group, []).append(record_id)
    predicted_pairs = true_predicted = 0
    for group in members.values():
        for a, b in combinations(group, 2):
            if a in truth or b in truth:
                predicted_pairs += 1
                true_predicted += a in truth and b in truth and truth[a] == truth[b]
    by_campaign: dict[int, list[str]] = {}
    for record_id, campaign in truth.items():
        by_campaign.setdefault(campaign, []).append(record_id)
    true_pairs = found_pairs = 0
    for ids in by_campaign.values():
        for a, b in combinations(ids, 2):
            true_pairs += 1
            found_pairs += predicted[a] is not None and predicted[a] == predicted[b]
    precision = true_predicted / predicted_pairs if predicted_pairs else 0.0
    recall = found_pairs / true_pairs if true_pairs else 0.0
    campaign_of = {a.record_id: a.campaign_id for a in result.assignments}
    flagged = sum(1 for ids in by_campaign.values() if all(campaign_of[i] is not None for i in ids))
    article_sizes = Counter(r.article for r in records)
    params = result.run.parameters
    expected = sum(
        1
        for campaign, ids in by_campaign.items()
        if len(ids)
        >= max(
            params["campaign_min_copies"],
            math.ceil(params["campaign_min_share"] * article_sizes[f"Art. {campaign % ARTICLES + 1}"]),
        )
    )
    print()
    print(
        f"Near-duplicate campaigns: {len(by_campaign)} campaigns, {len(truth)} copies injected among "
        f"{BACKGROUND:,} real sentences ({elapsed:.1f} s, threshold "
        f"{result.run.parameters['duplicate_threshold']})"
    )
    print(f"{'measure':<34}{'value':>8}{'target':>8}  verdict")
    ok = True
    for name, value in (("pairwise precision", precision), ("pairwise recall", recall)):
        passed = value >= TARGET
        ok &= passed
        print(f"{name:<34}{value:>8.3f}{TARGET:>8.2f}  {'PASS' if passed else 'FAIL'}")
    print(
        f"{'flagged as campaigns':<34}{flagged:>8}{expected:>8}  {'PASS' if flagged == expected else 'FAIL'}"
        f" (target: those above max({params['campaign_min_copies']}, "
        f"{params['campaign_min_share']:.0%} of their article))"
    )
    ok &= flagged == expected
    print(f"{'duplicate groups in whole input':<34}{result.duplicate_groups:>8}")
    return ok


def main() -> int:
    """Run every part (``--themes-only``: the themes tables alone, ``--no-spread``: without the seed spread).

    Exit non-zero when a target is missed or the data is missing.
    """
    if not DATA.is_dir():
        print(f"data not found: {DATA} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    ok = themes_table()
    if "--no-spread" not in sys.argv[1:]:
        ok &= spread_table()
    if "--themes-only" not in sys.argv[1:]:
        ok &= clustering_table()
        ok &= campaigns_table()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
