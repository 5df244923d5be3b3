"""Deterministic Portuguese-looking text, names and CNPJs for benchmark data (no external corpus)."""

import random

FIRST_NAMES = (
    "Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João",
    "Karina", "Lucas", "Mariana", "Nicolas", "Otávio", "Patrícia", "Rafael", "Sofia", "Tiago", "Vitória",
    "Wagner", "Yasmin", "Antônio", "Beatriz", "Caio", "Débora", "Érica", "Fábio", "Gustavo", "Helena",
    "Igor", "Juliana", "Leonardo", "Luana", "Marcelo", "Natália", "Paulo", "Renata", "Sérgio", "Tânia",
)
SURNAMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
    "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
    "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
)
ORG_PREFIXES = ("Associação", "Instituto", "Fundação", "Observatório", "Rede", "Coletivo", "Sindicato", "Frente")
ORG_TOPICS = (
    "Brasileira de Empresas de Tecnologia", "de Defesa do Consumidor Digital", "Cidadania Digital",
    "de Dados Abertos", "de Acessibilidade na Web", "dos Municípios Conectados", "de Pesquisa em Governo Aberto",
    "pela Privacidade e Proteção de Dados", "de Inclusão Digital no Campo", "de Software Livre",
)

SUBJECTS = (
    "A identificação pelo CPF", "A conta gov.br", "A interoperabilidade entre bases de dados",
    "A Rede Nacional de Governo Digital", "O modelo de governança proposto", "A oferta de serviços proativos",
    "A política de dados abertos", "A migração para a nuvem", "O plano anual de implementação",
    "A proteção de dados pessoais", "A inclusão digital nas periferias", "A acessibilidade dos portais",
    "O uso de inteligência artificial", "A segurança da informação", "O atendimento presencial",
    "A capacitação dos servidores", "A transparência dos algoritmos", "A participação dos municípios pequenos",
)
VERBS = (
    "precisa garantir", "deveria priorizar", "não pode esquecer", "tem que considerar", "deve assegurar",
    "pode ampliar", "corre o risco de excluir", "vai depender de", "precisa deixar claro", "deve incluir",
)
OBJECTS = (
    "as pessoas sem acesso à internet", "o consentimento do titular dos dados", "metas e indicadores públicos",
    "a participação de estados e municípios", "um canal de atendimento humano", "a auditoria independente",
    "o orçamento para a manutenção dos sistemas", "os povos indígenas e comunidades tradicionais",
    "as pessoas idosas e com deficiência", "a publicação do código-fonte", "a conectividade das escolas",
    "prazos realistas para a adaptação", "a cooperação com as universidades", "a revisão anual da estratégia",
)
COMPLEMENTS = (
    "conforme a LGPD", "em todo o território nacional", "sem custos adicionais para o cidadão",
    "com linguagem simples", "desde a primeira etapa", "com prestação de contas anual",
    "nos termos do art. 5º", "como já acontece em outros países", "antes de 2027",
    "com atenção especial à Região Norte", "por meio de consulta pública", "e isso precisa estar no texto",
)
OPENERS = (
    "Concordo com a proposta, mas", "Sugiro que", "Na minha experiência como servidora,", "Importante destacar que",
    "Minha preocupação é que", "Como representante de organização da sociedade civil, entendemos que",
    "Penso que", "Gostaria de registrar que", "O texto está bom, porém", "Discordo da redação atual:",
)
LINKS = (
    "https://www.gov.br/governodigital", "https://dados.gov.br", "www.planalto.gov.br/ccivil_03/leis/l13709.htm",
    "https://www.gov.br/anpd",
)


def person_name(rng: random.Random) -> str:
    """A plausible Brazilian name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"


def organization_name(rng: random.Random) -> str:
    """A plausible civil-society organization."""
    return f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_TOPICS)}"


def cnpj(number: int) -> str:
    """A CNPJ with valid check digits, unique per `number`."""
    base = f"{number % 10**8:08d}0001"
    digits = [int(c) for c in base]
    for weights in ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)):
        total = sum(d * w for d, w in zip(digits, weights, strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def sentence(rng: random.Random) -> str:
    """One sentence of a contribution."""
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, {rng.choice(COMPLEMENTS)}."
    if rng.random() < 0.35:
        opener = rng.choice(OPENERS)
        text = f"{opener} {text[0].lower()}{text[1:]}"
    return text


def contribution_body(rng: random.Random) -> str:
    """One to four paragraphs, 150 to about 1,500 characters, sometimes with a link."""
    paragraphs = []
    for _ in range(rng.choices((1, 2, 3, 4), weights=(40, 35, 18, 7))[0]):
        paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(1, 4))))
    if rng.random() < 0.08:
        paragraphs.append(f"Veja mais em {rng.choice(LINKS)}")
    return "\n\n".join(paragraphs)


def reply_body(rng: random.Random) -> str:
    """A short answer to a contribution."""
    return rng.choice(("Concordo.", "Boa observação!", "Não acho.", "Exato:", "Complementando:")) + " " + sentence(rng)


def proposed_wording(rng: random.Random, article_body: str) -> str:
    """The article's text with a few words replaced, as a "nova redação" would."""
    words = article_body.split()
    for _ in range(max(1, len(words) // 12)):
        i = rng.randrange(len(words))
        words[i] = rng.choice(("garantir", "assegurar", "priorizar", "todos", "municípios", "cidadãos", "anual"))
    return " ".join(words) + " " + rng.choice(COMPLEMENTS) + "."
