"""Reports hide a contribution by the trust in their authors, per consultation; moderators see who reported."""

from datetime import timedelta

from consulta.extensions import db
from consulta.models import Article, Consultation, Contribution, User, Visibility
from consulta.participation import services


def _contribution(app, consultation, author) -> int:
    with app.app_context():
        article_id = db.session.scalars(db.select(Article.id).where(Article.consultation_id == consultation.id)).first()
        contribution = Contribution(consultation_id=consultation.id, article_id=article_id, author_id=author.id,
                                    body="Uma contribuição incômoda.")
        db.session.add(contribution)
        db.session.commit()
        return contribution.id


def _report_all(app, contribution_id, reporters) -> Visibility:
    with app.app_context():
        for reporter in reporters:
            services.report(db.session.get(User, reporter.id), db.session.get(Contribution, contribution_id),
                            services.ReportReason.OFFENSIVE)
            db.session.commit()
        return db.session.get(Contribution, contribution_id).visibility


def test_three_fresh_accounts_cannot_hide_a_contribution(app, create_user, create_consultation):
    consultation = create_consultation("open")
    cid = _contribution(app, consultation, create_user())
    fresh = [create_user(age=timedelta(minutes=5)) for _ in range(5)]
    assert _report_all(app, cid, fresh) is Visibility.VISIBLE


def test_week_old_accounts_count_half_and_established_ones_fully(app, create_user, create_consultation):
    consultation = create_consultation("open")
    cid = _contribution(app, consultation, create_user())
    recent = [create_user(age=timedelta(days=3)) for _ in range(5)]
    assert _report_all(app, cid, recent) is Visibility.VISIBLE  # 2.5 < 3
    assert _report_all(app, cid, [create_user(age=timedelta(days=3))]) is Visibility.PENDING  # 3.0
    other = _contribution(app, consultation, create_user())
    assert _report_all(app, other, [create_user() for _ in range(3)]) is Visibility.PENDING


def test_the_threshold_is_set_per_consultation(app, client, auth, create_user, create_consultation):
    strict, relaxed = create_consultation("open"), create_consultation("open")
    auth.login(create_user("admin"))
    response = client.post(f"/admin/consultas/{relaxed.slug}", data={
        "title": relaxed.title, "slug": relaxed.slug, "reports_to_hide": "6"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Consultation, relaxed.id).reports_to_hide == 6
    a, b = _contribution(app, strict, create_user()), _contribution(app, relaxed, create_user())
    reporters = [create_user() for _ in range(3)]
    assert _report_all(app, a, reporters) is Visibility.PENDING
    assert _report_all(app, b, reporters) is Visibility.VISIBLE


def test_moderators_see_who_reported_and_how_much_it_weighed(app, client, auth, create_user, create_consultation):
    consultation = create_consultation("open")
    cid = _contribution(app, consultation, create_user())
    _report_all(app, cid, [create_user(name="Denunciante Antiga"), create_user(name="Conta Novinha",
                                                                                age=timedelta(hours=1))])
    auth.login(create_user("moderator"))
    page = client.get("/moderacao/?aba=denunciadas").get_data(as_text=True)
    assert "Denunciante Antiga" in page and "Conta Novinha" in page
    assert "peso 1" in page and "peso 0" in page


def test_new_govbr_accounts_count_fully_and_new_email_accounts_do_not(app, create_user, create_consultation):
    from consulta.models import GovbrLevel, utcnow

    consultation = create_consultation("open")
    cid = _contribution(app, consultation, create_user())
    fresh = [create_user(age=timedelta(minutes=5)) for _ in range(5)]
    with app.app_context():
        for n, user in enumerate(fresh):
            row = db.session.get(User, user.id)
            row.email_verified_at = utcnow()  # a confirmed e-mail alone is cheap to multiply
            if n < 3:
                row.govbr_level = GovbrLevel.BRONZE  # a gov.br identity is one person
        db.session.commit()
    assert _report_all(app, cid, fresh[3:]) is Visibility.VISIBLE
    assert _report_all(app, cid, fresh[:2]) is Visibility.VISIBLE  # 2 of 3
    assert _report_all(app, cid, fresh[2:3]) is Visibility.PENDING
