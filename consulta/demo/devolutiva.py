"""The demo's devolutiva: official answers to part of the demo participation and a published version 2.

So that a newcomer's `make run` shows a quadro comparativo and a relatório de devolutiva: eight changes to the
ENGD draft (modified, suppressed and included articles), each citing the contributions that motivated it,
and answers — acolhida, parcialmente acolhida, não acolhida, em análise — with reasons. Written for this
project; deterministic; development data only.
"""

import random

from sqlalchemy import select

from consulta.extensions import db
from consulta.insights.responses import respond
from consulta.models import (
    Article,
    Channel,
    Consultation,
    Contribution,
    ResponseStatus,
    Stance,
    TextVersion,
    User,
    Visibility,
)
from consulta.versions import services as versions

# (label, old fragment, new fragment, justification); new fragment None suppresses the article. The change
# cites contributions on its own article, or on the articles SOURCES names for it.
CHANGES = [
    ("Art. 8º", "que não implicará transferência de recursos financeiros.",
     "que poderá prever apoio técnico e financeiro da União aos Municípios com até cinquenta mil habitantes.",
     "Acolhidas as contribuições que apontaram a falta de recursos dos municípios pequenos para aderir à Rede. "
     "O apoio financeiro fica restrito aos de menor porte, por limite orçamentário."),
    ("Art. 12", "na data de sua publicação.", "cento e oitenta dias após a data de sua publicação.",
     "Órgãos e entes federados pediram prazo de adaptação; cento e oitenta dias permitem ajustar os planos."),
    ("Recomendação 1.4", "por meios digitais.",
     "por meios digitais, inclusive em agências dos Correios e em unidades de atendimento municipais.",
     "Contribuições online e a oficina de Manaus pediram alternativa presencial no interior."),
    ("Recomendação 3.5", " e de seus critérios de supervisão humana.",
     ", de seus critérios de supervisão humana e de relatório de impacto algorítmico.",
     "Acolhida a proposta de publicar relatórios de impacto dos sistemas de inteligência artificial."),
    ("Recomendação 5.1", "com registro de cada acesso e respeito às salvaguardas da LGPD.",
     "com finalidade específica, registro de cada acesso, informação ao titular e respeito às salvaguardas da LGPD.",
     "A campanha sobre privacidade e outras contribuições pediram finalidade específica e informação ao titular; "
     "o compartilhamento continua, com essas garantias."),
    ("Recomendação 6.5", "possibilidade de contato com atendente humano",
     "garantia de contato com atendente humano em qualquer etapa",
     "Várias contribuições pediram que o atendimento humano seja garantido, e não apenas possível."),
    ("Recomendação 2.6", None, None,
     "Incorporada à Recomendação 2.1: o relatório anual de execução passa a trazer o portfólio de projetos."),
]
SOURCES = {"Art. 12": ["Art. 12", "Art. 7º", "Art. 11"]}
NEW_ARTICLE = (
    "Recomendação 4.6", "Recomendação 4.7",
    "Manter pontos de atendimento presencial em todos os municípios para os serviços que forem digitalizados, "
    "com apoio a quem não consegue usar os canais digitais.",
    "Proposta recorrente nas oficinas regionais do Norte e do Nordeste e em contribuições online sobre inclusão.",
    ["Recomendação 4.4", "Recomendação 4.5"],
)
NOT_ACCEPTED = [
    "A proposta foge ao escopo do decreto, que trata de diretrizes gerais; o tema será tratado em norma específica.",
    "A redação atual já contempla o ponto levantado, no artigo 3º.",
    "Não acolhida por limite orçamentário; o tema será reavaliado na revisão anual da Estratégia.",
    "A proposta conflita com a legislação vigente de proteção de dados.",
]
UNDER_REVIEW = "Em análise pela equipe de redação, com previsão de resposta na próxima revisão anual."


def load_demo_devolutiva(consultation: Consultation, analyst: User) -> TextVersion | None:
    """Answer part of the contributions and publish version 2, once; the version, or None if one existed."""
    if versions.versions_of(consultation):
        return None
    rng = random.Random(2027)
    articles = {a.label: a for a in db.session.scalars(
        select(Article).where(Article.consultation_id == consultation.id))}
    version = versions.create_version(analyst, consultation, "Texto final após a consulta pública",
                                      "Versão elaborada pela equipe de redação a partir das contribuições online e "
                                      "das oficinas regionais.")
    entries = {e.label: e for e in version.articles}
    answered: set[int] = set()
    for label, old, new, why in CHANGES:
        entry = entries[label]
        cited = _considered(rng, [articles[source] for source in SOURCES.get(label, [label])])
        if new is None:
            versions.remove_article(analyst, entry, justification=why, cited_ids=[c.id for c in cited])
        else:
            if old not in entry.body:
                raise ValueError(f"the demo text of {label} no longer holds {old!r}")
            versions.edit_article(analyst, entry, body=entry.body.replace(old, new, 1), justification=why,
                                  cited_ids=[c.id for c in cited])
        answered |= _answer_cited(analyst, cited, why)
    after, label, body, why, sources = NEW_ARTICLE
    cited = _considered(rng, [articles[s] for s in sources], workshops_first=True)
    versions.add_article(analyst, version, entries[after], label=label, body=body, justification=why,
                         cited_ids=[c.id for c in cited])
    answered |= _answer_cited(analyst, cited, why)
    _answer_others(rng, analyst, consultation, answered)
    versions.publish(analyst, version)
    return version


def _considered(rng: random.Random, articles: list[Article], workshops_first: bool = False) -> list[Contribution]:
    """Some public top-level contributions on these articles: those that ask for a change, workshops first."""
    public = list(db.session.scalars(select(Contribution).where(
        Contribution.article_id.in_([a.id for a in articles]), Contribution.parent_id.is_(None),
        Contribution.visibility == Visibility.VISIBLE,
    ).order_by(Contribution.id)))
    found = [c for c in public if c.stance is not Stance.AGREE] or public
    workshop = [c for c in found if c.channel is Channel.WORKSHOP]
    online = [c for c in found if c.channel is not Channel.WORKSHOP]
    chosen = rng.sample(online, min(len(online), 10))
    return sorted((workshop if workshops_first else workshop[:1]) + chosen, key=lambda c: c.id)


def _answer_cited(analyst: User, cited: list[Contribution], why: str) -> set[int]:
    for contribution in cited:
        status = (ResponseStatus.PARTLY_ACCEPTED if contribution.stance is Stance.DISAGREE
                  else ResponseStatus.ACCEPTED)
        respond(analyst, contribution, status, why)
    return {c.id for c in cited}


def _answer_others(rng: random.Random, analyst: User, consultation: Consultation, answered: set[int]) -> None:
    """About a third of the remaining contributions get a final answer, a few are still under review."""
    rest = [c for c in db.session.scalars(select(Contribution).where(
        Contribution.consultation_id == consultation.id, Contribution.parent_id.is_(None),
        Contribution.visibility == Visibility.VISIBLE).order_by(Contribution.id)) if c.id not in answered]
    for contribution in rng.sample(rest, len(rest) // 3):
        if rng.random() < 0.2:
            respond(analyst, contribution, ResponseStatus.UNDER_REVIEW, UNDER_REVIEW)
        else:
            respond(analyst, contribution, ResponseStatus.NOT_ACCEPTED, rng.choice(NOT_ACCEPTED))
