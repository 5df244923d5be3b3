"""Small handmade Portuguese fixtures for the analysis tests (no app, no external data)."""

from __future__ import annotations

import random

from analysis import Record

SAUDE = [
    "O prontuário eletrônico do SUS precisa ser único e acessível em qualquer posto de saúde.",
    "A telemedicina deve chegar às cidades do interior com consultas por vídeo pelo SUS.",
    "Quero marcar consultas médicas pelo aplicativo do SUS sem enfrentar fila no posto de saúde.",
    "Os hospitais públicos precisam compartilhar o prontuário do paciente entre si.",
    "A receita médica digital deve valer em todas as farmácias do país.",
    "O histórico de vacinação deveria aparecer no aplicativo de saúde do cidadão.",
    "Teleconsulta com especialistas ajudaria pacientes de regiões remotas a evitar viagens longas.",
    "O SUS digital precisa integrar exames laboratoriais, receitas e prontuário do paciente.",
    "Médicos do posto de saúde deveriam ver os exames feitos no hospital sem pedir de novo.",
    "A saúde digital deve garantir atendimento por telemedicina para idosos com apoio da família.",
    "Agendamento de consultas e exames no SUS pelo celular reduziria as filas nos hospitais.",
    "O prontuário eletrônico deve proteger o sigilo médico do paciente.",
    "Farmácias populares deveriam aceitar a receita digital emitida na teleconsulta.",
    "Os agentes comunitários de saúde precisam de tablets para registrar as visitas aos pacientes.",
    "A rede de saúde precisa de internet boa nos postos para usar o prontuário eletrônico.",
    "Resultados de exames de sangue deveriam chegar ao paciente pelo aplicativo do SUS.",
    "A telemedicina em saúde mental pode ampliar o acesso a psicólogos no SUS.",
    "O cartão do SUS deveria reunir vacinas, exames, consultas e receitas médicas.",
    "Hospitais universitários podem oferecer teleconsultas para os postos de saúde do interior.",
    "Pacientes crônicos precisam renovar a receita médica sem ir ao posto de saúde todo mês.",
]
IDENTIDADE = [
    "A conta gov.br precisa de recuperação de senha mais simples para quem perdeu o celular.",
    "O login único gov.br deveria funcionar em todos os serviços estaduais e municipais.",
    "A identidade digital gov.br deve ter nível ouro com validação facial acessível.",
    "Muitos idosos não conseguem criar a conta gov.br sozinhos e precisam de atendimento presencial.",
    "A carteira de identidade nacional digital deveria substituir o RG no celular.",
    "A autenticação em dois fatores da conta gov.br deve aceitar SMS e aplicativo.",
    "A validação biométrica da conta gov.br falha com frequência para pessoas negras.",
    "O gov.br deveria permitir assinatura eletrônica de documentos com validade jurídica.",
    "Quem não tem smartphone precisa de outra forma de entrar na conta gov.br.",
    "A identidade digital precisa proteger contra fraudes e roubo de conta gov.br.",
    "O selo de confiabilidade da conta gov.br é difícil de entender para o cidadão.",
    "A carteira de identidade digital deve funcionar mesmo sem internet no celular.",
    "O reconhecimento facial do gov.br deveria ter alternativa para pessoas com deficiência.",
    "A assinatura gov.br deveria ser aceita por cartórios e bancos.",
    "O cadastro na conta gov.br deveria ser possível nas agências dos Correios.",
    "A senha da conta gov.br é bloqueada muitas vezes e o desbloqueio demora.",
    "A identidade digital deve ser única para acessar benefícios, impostos e serviços.",
    "A conta gov.br nível prata deveria bastar para a maioria dos serviços públicos.",
    "Quero usar a identidade digital gov.br para provar minha idade sem mostrar outros dados.",
    "O aplicativo gov.br precisa avisar quando alguém entra na minha conta.",
]
DADOS = [
    "Os dados abertos do governo devem ser publicados em formato CSV com dicionário de dados.",
    "O portal de dados abertos precisa de API para baixar as bases atualizadas.",
    "As bases de dados abertos de compras públicas deveriam ser atualizadas diariamente.",
    "Os dados abertos sobre orçamento devem permitir cruzar despesas por município.",
    "Publicar dados abertos de transporte público ajuda desenvolvedores a criar aplicativos.",
    "O catálogo de dados abertos precisa de metadados e licença aberta clara.",
    "Dados abertos de contratos e licitações devem estar em planilhas legíveis por máquina.",
    "A transparência exige dados abertos sobre gastos com publicidade do governo.",
    "As séries históricas de dados abertos não podem sumir do portal quando muda a gestão.",
    "Os dados abertos de saneamento por bairro deveriam ser publicados com coordenadas.",
    "Pesquisadores precisam de dados abertos anonimizados sobre educação pública.",
    "O portal brasileiro de dados abertos deve ter busca melhor e formatos padronizados.",
    "Cada órgão deve ter um plano de dados abertos com prazos de publicação das bases.",
    "Dados abertos sobre emendas parlamentares precisam mostrar quem recebeu o dinheiro.",
    "A API de dados abertos deveria ter documentação em português e exemplos.",
    "Os dados abertos de qualidade do ar precisam ser publicados em tempo real.",
    "Jornalistas dependem de dados abertos confiáveis sobre despesas públicas.",
    "As bases de dados abertos devem seguir padrões de interoperabilidade e formato aberto.",
    "O governo deve publicar dados abertos de obras paradas com localização e valor.",
    "Dados abertos em formato PDF não servem: precisamos de CSV ou JSON.",
]
THEMES = {"saude": SAUDE, "identidade": IDENTIDADE, "dados": DADOS}


def themed_records() -> tuple[list[Record], list[str]]:
    """Return the 60 themed contributions (interleaved) and their true theme per record."""
    records, truth = [], []
    for i in range(20):
        for theme, texts in THEMES.items():
            records.append(Record(id=f"{theme}-{i}", text=texts[i], article=f"Art. {i % 3 + 1}"))
            truth.append(theme)
    return records, truth


# Near-duplicate families: each template with one-word edits (substitution, insertion, deletion).
NEAR_DUPLICATE_FAMILIES = [
    [
        "Sou contra o artigo 5 porque ele obriga todo cidadão a ter conta no gov.br para acessar o SUS.",
        "Sou contra o artigo 5 porque ele obriga todo cidadão a ter conta no gov.br para acessar a saúde.",
        "Sou totalmente contra o artigo 5 porque ele obriga todo cidadão a ter conta no gov.br para acessar "
        "o SUS.",
        "Sou contra o artigo 5 porque obriga todo cidadão a ter conta no gov.br para acessar o SUS.",
        "Sou contra o artigo 5 porque ele força todo cidadão a ter conta no gov.br para acessar o SUS.",
    ],
    [
        "Peço que os dados abertos de saúde sejam publicados mensalmente, por município, em formato aberto.",
        "Peço que os dados abertos de saúde sejam publicados semanalmente, por município, em formato aberto.",
        "Peço que os dados abertos da saúde sejam publicados mensalmente, por município, em formato aberto.",
        "Peço que os dados abertos de saúde sejam publicados mensalmente, por estado, em formato aberto.",
    ],
    [
        "A estratégia precisa garantir acessibilidade digital para pessoas com deficiência visual e "
        "auditiva.",
        "A estratégia deve garantir acessibilidade digital para pessoas com deficiência visual e auditiva.",
        "A estratégia precisa garantir acessibilidade digital plena para pessoas com deficiência visual "
        "e auditiva.",
    ],
]
UNRELATED = [
    "A telemedicina deve chegar às cidades do interior com consultas por vídeo pelo SUS.",
    "O portal de dados abertos precisa de API para baixar as bases atualizadas.",
    "A assinatura gov.br deveria ser aceita por cartórios e bancos.",
    "Sou contra o artigo 7 porque ele não prevê orçamento para a inclusão digital nas escolas.",
    "Peço que a consulta pública fique aberta por mais trinta dias para as comunidades rurais.",
]


def planted_votes(seed: int = 0) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """Return votes of two planted opinion groups (plus light voters) and the true group per participant.

    Recommendations r0–r9 split the groups one way, r10–r19 the other way, and r20–r22 please everyone.
    Each participant skips about 15% of recommendations, votes against their group 10% of the time and
    abstains on r22 now and then.
    """
    rng = random.Random(seed)
    votes, truth = [], {}
    for group in (0, 1):
        for p in range(30):
            pid = f"g{group}-p{p}"
            truth[pid] = group
            for r in range(23):
                if rng.random() < 0.15:
                    continue
                agrees = r >= 20 or (r < 10) == (group == 0)
                if rng.random() < 0.1:
                    agrees = not agrees
                value = "abstain" if r == 22 and p % 7 == 0 else "agree" if agrees else "disagree"
                votes.append((pid, f"r{r}", value))
    for p in range(4):
        votes += [(f"light-{p}", "r0", "agree"), (f"light-{p}", "r1", "agree")]
    return votes, truth


def assert_plain(value: object) -> None:
    """Assert that a to_dict() result holds only JSON-ready built-in types (no numpy scalars)."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, key
            assert_plain(item)
    elif isinstance(value, list):
        for item in value:
            assert_plain(item)
    else:
        assert type(value) in (str, int, float, bool, type(None)), (value, type(value))
