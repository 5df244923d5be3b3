"""Demo workshops for the demo consultation: one in person in each region, a small one in Pará, four remote, reported.

Modelled on the ENGD 2024-2027 consultation (five regional workshops plus remote ones for sectors, close to
900 participants); the input below is written for this project. Development data only.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from consulta.extensions import db
from consulta.models import (
    Article,
    Audience,
    Consultation,
    ContributionKind,
    Sector,
    Stance,
    User,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)
from consulta.workshops import services

# (title, format, uf, municipality, venue, audience, date, attendance by sector, input: [(label, kind, stance, text, people, group)])
WORKSHOPS = [
    ("Oficina regional Sul", WorkshopFormat.IN_PERSON, "RS", "Porto Alegre", "Centro Administrativo do Estado",
     Audience.GENERAL, datetime(2024, 4, 8, 13, tzinfo=UTC),
     {Sector.STATE_MUNICIPAL: 70, Sector.CIVIL_SOCIETY: 40, Sector.ACADEMIA: 30},
     [("Recomendação 1.1", ContributionKind.COMMENT, Stance.AGREE,
       "O CPF como identificador único simplifica o atendimento, mas os municípios pequenos precisam de apoio "
       "técnico para integrar seus cadastros.", 35, "Mesa 1"),
      ("Recomendação 4.4", ContributionKind.COMMENT, Stance.PARTLY,
       "A conectividade nas escolas rurais ainda é precária; a meta precisa de prazo e orçamento definidos.",
       28, "Mesa 2")]),
    ("Oficina regional Nordeste", WorkshopFormat.IN_PERSON, "CE", "Fortaleza", "Centro de Eventos do Ceará",
     Audience.GENERAL, datetime(2024, 4, 15, 13, tzinfo=UTC),
     {Sector.STATE_MUNICIPAL: 90, Sector.CITIZEN: 60, Sector.CIVIL_SOCIETY: 50},
     [("Recomendação 6.3", ContributionKind.COMMENT, Stance.AGREE,
       "Acessibilidade precisa incluir atendimento em Libras e linguagem simples em todos os serviços.", 60,
       "Grupo A"),
      ("Art. 9º", ContributionKind.COMMENT, Stance.PARTLY,
       "A Rede Nacional deve prever apoio financeiro aos municípios que aderirem, não só técnico.", 42,
       "Grupo B")]),
    ("Oficina regional Sudeste", WorkshopFormat.IN_PERSON, "RJ", "Rio de Janeiro", "Arquivo Nacional",
     Audience.GENERAL, datetime(2024, 4, 22, 13, tzinfo=UTC),
     {Sector.PRIVATE: 50, Sector.ACADEMIA: 40, Sector.CIVIL_SOCIETY: 50},
     [("Recomendação 3.5", ContributionKind.COMMENT, Stance.AGREE,
       "A transparência dos algoritmos usados pelo governo deve incluir relatórios de impacto públicos.", 51,
       "Mesa 3"),
      ("Recomendação 5.1", ContributionKind.REMOVAL, Stance.DISAGREE,
       "O compartilhamento amplo de dados entre órgãos sem consentimento preocupa; a proposta deveria ser "
       "revista à luz da LGPD.", 19, "Mesa 4")]),
    ("Oficina regional Norte", WorkshopFormat.IN_PERSON, "AM", "Manaus", "Universidade Federal do Amazonas",
     Audience.GENERAL, datetime(2024, 4, 29, 13, tzinfo=UTC),
     {Sector.STATE_MUNICIPAL: 40, Sector.CITIZEN: 45, Sector.ACADEMIA: 15},
     [("Recomendação 4.4", ContributionKind.COMMENT, Stance.AGREE,
       "Comunidades ribeirinhas dependem de atendimento presencial e de internet via satélite; os serviços "
       "digitais precisam funcionar com conexão intermitente.", 70, "Roda de conversa"),
      ("Recomendação 1.4", ContributionKind.COMMENT, Stance.AGREE,
       "A recuperação da conta gov.br precisa de alternativa presencial nos municípios do interior.", 38,
       "Roda de conversa")]),
    ("Escuta no Pará", WorkshopFormat.IN_PERSON, "PA", "Belém", "Biblioteca Pública Arthur Vianna",
     Audience.GENERAL, datetime(2024, 5, 2, 13, tzinfo=UTC),
     {Sector.STATE_MUNICIPAL: 4, Sector.CITIZEN: 6},
     [("Recomendação 1.1", ContributionKind.COMMENT, Stance.PARTLY,
       "Muita gente nas ilhas de Belém ainda não tem CPF regularizado; o CPF só pode ser o identificador único "
       "se houver mutirões de emissão e regularização nos municípios.", 8, None),
      ("Recomendação 1.4", ContributionKind.COMMENT, Stance.AGREE,
       "Quem perde o acesso à conta gov.br precisa recuperá-la num posto presencial informando só o CPF, sem "
       "depender de celular com internet.", 6, None),
      ("Recomendação 4.4", ContributionKind.COMMENT, Stance.AGREE,
       "A conectividade das escolas ribeirinhas do Marajó deve entrar como meta com prazo.", 10, None)]),
    ("Oficina regional Centro-Oeste", WorkshopFormat.IN_PERSON, "GO", "Goiânia", "Palácio Pedro Ludovico",
     Audience.GENERAL, datetime(2024, 5, 6, 13, tzinfo=UTC),
     {Sector.STATE_MUNICIPAL: 60, Sector.PUBLIC_IT: 20, Sector.CITIZEN: 15},
     [("Recomendação 2.2", ContributionKind.COMMENT, Stance.AGREE,
       "A capacitação de servidores deve chegar às equipes municipais, com trilhas a distância.", 44,
       "Mesa 1")]),
    ("Oficina remota com estados e municípios", WorkshopFormat.REMOTE, None, None, "Videoconferência",
     Audience.STATES_MUNICIPALITIES, datetime(2024, 5, 13, 14, tzinfo=UTC), {Sector.STATE_MUNICIPAL: 120},
     [("Art. 9º", ContributionKind.COMMENT, Stance.AGREE,
       "Os estados querem participar da governança da Rede Nacional com assento no comitê.", 80, None)]),
    ("Oficina remota com a sociedade civil", WorkshopFormat.REMOTE, None, None, "Videoconferência",
     Audience.CIVIL_SOCIETY, datetime(2024, 5, 14, 14, tzinfo=UTC), {Sector.CIVIL_SOCIETY: 60},
     [("Recomendação 3.1", ContributionKind.COMMENT, Stance.AGREE,
       "Dados abertos precisam de formato legível por máquina e de calendário de publicação.", 40, None)]),
    ("Oficina remota com o setor privado", WorkshopFormat.REMOTE, None, None, "Videoconferência",
     Audience.PRIVATE, datetime(2024, 5, 15, 14, tzinfo=UTC), {Sector.PRIVATE: 45},
     [("Recomendação 4.1", ContributionKind.COMMENT, Stance.PARTLY,
       "A prioridade à nuvem deve vir com regras claras de portabilidade para evitar dependência de um "
       "fornecedor.", 25, None)]),
    ("Oficina remota com empresas públicas de TI", WorkshopFormat.REMOTE, None, None, "Videoconferência",
     Audience.PUBLIC_IT, datetime(2024, 5, 16, 14, tzinfo=UTC), {Sector.PUBLIC_IT: 40},
     [("Recomendação 4.3", ContributionKind.COMMENT, Stance.AGREE,
       "As empresas públicas de TI podem oferecer a plataforma de interoperabilidade aos estados.", 30, None)]),
]


def load_demo_workshops(consultation: Consultation, facilitator: User) -> int:
    """Register and report the demo workshops once; returns how many were created."""
    if db.session.scalar(select(Workshop.id).where(Workshop.consultation_id == consultation.id).limit(1)):
        return 0
    articles = {a.label: a for a in db.session.scalars(
        select(Article).where(Article.consultation_id == consultation.id))}
    for title, fmt, uf, city, venue, audience, when, by_sector, inputs in WORKSHOPS:
        workshop = services.create_workshop(
            facilitator, consultation, title=title, format=fmt, starts_at=when, uf=uf, municipality=city,
            venue=venue, audience=audience,
        )
        services.set_status(facilitator, workshop, WorkshopStatus.HELD)
        services.set_attendance(facilitator, workshop, None, by_sector)
        for label, kind, stance, text, people, group in inputs:
            if label in articles:
                services.add_input(facilitator, workshop, article=articles[label], kind=kind, stance=stance,
                                   body=text, head_count=people, group_label=group)
        services.set_status(facilitator, workshop, WorkshopStatus.REPORTED)
    return len(WORKSHOPS)
