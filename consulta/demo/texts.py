"""Sentences the demo participation is composed from: pt-BR, on the themes of the ENGD draft.

Written for this project. Each online contribution is an opener (by stance), an argument and a suggestion of
its article's theme and, sometimes, a remark from the author's region; the combinations give some hundreds of
distinct, plausible texts, with a few campaigns of near-identical ones as real consultations receive.
"""

from consulta.models import Stance

OPENERS = {
    Stance.AGREE: [
        "Apoio a proposta.", "Concordo com o texto.", "Excelente iniciativa.", "Sou favorável a este dispositivo.",
        "A proposta vai na direção certa.", "Concordo plenamente.", "Muito importante este ponto.",
    ],
    Stance.PARTLY: [
        "Concordo em parte.", "A ideia é boa, mas precisa de ajustes.", "Apoio com ressalvas.",
        "O objetivo é correto, porém a redação deixa lacunas.", "Concordo com o princípio, não com a forma.",
    ],
    Stance.DISAGREE: [
        "Discordo da proposta.", "Sou contra este dispositivo como está.", "Não concordo com esta redação.",
        "Este ponto me preocupa muito.", "A proposta traz mais riscos do que benefícios.",
    ],
    Stance.NONE: [
        "Gostaria de fazer uma observação.", "Uma dúvida sobre este ponto.", "Deixo uma contribuição.",
        "Uma sugestão de quem usa os serviços no dia a dia.",
    ],
}

# theme -> (arguments, suggestions). An argument marked "+" supports the text and one marked "-" criticises
# it: an author who agrees never opens with a criticism alone, nor one who disagrees with praise.
THEMES: dict[str, tuple[list[str], list[str]]] = {
    "principios": (
        ["+Os princípios precisam ser concretos para orientar as decisões dos órgãos.",
         "-Falta mencionar a inclusão digital como princípio, e não só como ação.",
         "A transformação digital não pode excluir quem não tem acesso à internet.",
         "+A cooperação entre União, Estados e Municípios é o que dará escala à Estratégia.",
         "-O texto fala em eficiência, mas não em participação social na definição das prioridades.",
         "-A proteção de dados pessoais deveria aparecer entre os princípios, com a mesma força da eficiência.",
         "+Os conceitos do artigo 2º ajudam a evitar interpretações diferentes entre os órgãos."],
        ["Sugiro incluir a inclusão digital e a acessibilidade entre os princípios.",
         "Proponho acrescentar a participação social como princípio expresso.",
         "Seria bom definir também o que é serviço público digital.",
         "Sugiro citar expressamente a Lei Geral de Proteção de Dados.",
         "Recomendo prever metas mensuráveis ligadas a cada objetivo."],
    ),
    "governanca": (
        ["-O Comitê Central concentra as decisões na União e deixa os entes federados de fora.",
         "-Sem a sociedade civil no comitê, a governança perde legitimidade.",
         "Os Planos de Transformação Digital precisam ter metas públicas e acompanhamento.",
         "-Muitos órgãos pequenos não têm equipe para elaborar o plano exigido.",
         "A governança precisa de orçamento próprio para não ficar só no papel.",
         "-A competência deliberativa do comitê pode conflitar com a autonomia dos órgãos."],
        ["Sugiro incluir representantes dos Estados, dos Municípios e da sociedade civil no Comitê.",
         "Proponho que as atas e decisões do Comitê sejam publicadas em até 15 dias.",
         "Os Planos de Transformação Digital deveriam ter um modelo simplificado para órgãos pequenos.",
         "Recomendo prever revisão anual dos planos com participação dos usuários.",
         "Sugiro que o Comitê publique um relatório semestral de execução."],
    ),
    "rede": (
        ["+A Rede Nacional é essencial para que os municípios pequenos não fiquem para trás.",
         "-A adesão voluntária é positiva, mas sem incentivo poucos municípios vão aderir.",
         "Os municípios precisam de apoio técnico e financeiro para integrar seus sistemas.",
         "+A Rede pode evitar que cada prefeitura contrate a mesma solução separadamente.",
         "Consórcios intermunicipais deveriam poder aderir à Rede."],
        ["Sugiro prever apoio financeiro aos municípios que aderirem à Rede.",
         "Proponho a oferta de soluções prontas e gratuitas aos entes da Rede.",
         "Recomendo criar um canal de suporte técnico permanente para os municípios.",
         "Sugiro permitir a adesão de consórcios públicos intermunicipais."],
    ),
    "revisao": (
        ["+Uma revisão anual é adequada para acompanhar a velocidade das mudanças tecnológicas.",
         "A revisão deveria considerar a avaliação dos usuários, e não só dos órgãos.",
         "-Sem indicadores, a revisão anual vira formalidade."],
        ["Sugiro que a revisão seja submetida a consulta pública.",
         "Proponho incluir os resultados das pesquisas de satisfação entre os insumos da revisão.",
         "Recomendo publicar um relatório de avaliação antes de cada revisão."],
    ),
    "empresas": (
        ["+As empresas públicas de TI têm experiência e podem reduzir custos para o governo.",
         "É preciso transparência nos custos cobrados pelas empresas públicas aos órgãos.",
         "-A contratação direta de empresas públicas não pode impedir a concorrência."],
        ["Sugiro exigir tabela pública de preços dos serviços prestados.",
         "Proponho metas de desempenho públicas para as empresas públicas de TI.",
         "Recomendo avaliar periodicamente a qualidade dos serviços prestados."],
    ),
    "orcamento": (
        ["Sem orçamento garantido, a Estratégia não sai do papel.",
         "Os municípios não têm recursos próprios para acompanhar as metas.",
         "Os limites de empenho podem paralisar projetos essenciais."],
        ["Sugiro prever uma fonte de financiamento específica para a Rede Nacional.",
         "Proponho que o relatório anual mostre quanto foi gasto por objetivo.",
         "Recomendo proteger de contingenciamento os projetos de inclusão digital."],
    ),
    "vigencia": (
        ["-A entrada em vigor imediata pode pegar os órgãos despreparados.",
         "+A vigência imediata dá segurança aos órgãos que já começaram a transformação digital.",
         "Os órgãos precisam de orientação sobre como aplicar o decreto desde o primeiro dia."],
        ["Sugiro um prazo de adaptação de 180 dias para os órgãos.",
         "Proponho vigência escalonada conforme o porte do órgão."],
    ),
    "identidade": (
        ["+Usar o CPF como identificador único facilita a vida do cidadão.",
         "+Ter um só número para tudo reduz a burocracia e evita cadastros duplicados.",
         "+A conta gov.br já é usada por milhões de pessoas e deve ser o padrão.",
         "-Muitas pessoas idosas não conseguem validar a conta gov.br pelo reconhecimento facial.",
         "-Concentrar tudo no CPF aumenta o risco em caso de vazamento de dados.",
         "-A recuperação da conta gov.br é difícil para quem perdeu o acesso ao e-mail e ao celular.",
         "-Nem todos os municípios aceitam a assinatura gov.br em seus processos.",
         "-A nova Carteira de Identidade Nacional ainda demora para ser emitida em muitos estados."],
        ["Sugiro manter atendimento presencial para quem não consegue usar a conta gov.br.",
         "Proponho que a recuperação de conta possa ser feita em agências dos Correios e prefeituras.",
         "Recomendo níveis de segurança proporcionais ao risco de cada serviço.",
         "Sugiro campanhas de orientação sobre a conta gov.br para idosos.",
         "Proponho garantir que a assinatura gov.br seja aceita por cartórios e bancos.",
         "Sugiro incluir salvaguardas contra o uso indevido do CPF por terceiros."],
    ),
    "gestao": (
        ["+A capacitação de servidores é a base de qualquer transformação digital.",
         "Sem uma unidade responsável em cada órgão, os projetos ficam sem dono.",
         "+O relatório anual ajuda a sociedade a cobrar resultados.",
         "+Contratações orientadas a resultados evitam projetos que nunca terminam.",
         "+Indicadores de maturidade permitem comparar e aprender com os órgãos mais avançados."],
        ["Sugiro que as trilhas de capacitação sejam abertas também a servidores municipais.",
         "Proponho publicar o portfólio de projetos em formato aberto.",
         "Recomendo que os indicadores sejam construídos com participação dos entes federados.",
         "Sugiro compartilhar modelos de contratação em um repositório público."],
    ),
    "transparencia": (
        ["+Dados abertos permitem o controle social e a pesquisa.",
         "+O painel de acesso aos dados pessoais é um avanço importante para a confiança do cidadão.",
         "Os sistemas de inteligência artificial do governo precisam ser auditáveis.",
         "Consultas públicas digitais só funcionam se o governo responder às contribuições.",
         "Os gastos com tecnologia são pouco conhecidos pela sociedade.",
         "-Muitos conjuntos de dados abertos estão desatualizados ou em formatos fechados."],
        ["Sugiro um calendário público de publicação dos dados abertos.",
         "Proponho que o catálogo de inteligência artificial inclua relatórios de impacto.",
         "Recomendo que o painel de acessos mostre também o fundamento legal de cada acesso.",
         "Sugiro que toda consulta pública tenha relatório de devolutiva com as respostas.",
         "Proponho incluir a avaliação de vieses nos sistemas de inteligência artificial."],
    ),
    "infraestrutura": (
        ["-A nuvem reduz custos, mas a soberania dos dados precisa ser garantida.",
         "+Os incidentes cibernéticos recentes mostram a urgência de um programa nacional.",
         "Sem conectividade, não há serviço digital que chegue ao cidadão.",
         "Escolas e postos de saúde rurais continuam sem internet de qualidade.",
         "Os pontos de apoio presencial são fundamentais para quem tem pouca familiaridade digital.",
         "A sustentabilidade dos centros de dados costuma ser esquecida nas contratações."],
        ["Sugiro exigir que dados sensíveis fiquem armazenados em território nacional.",
         "Proponho metas anuais de conectividade por região.",
         "Recomendo exercícios de resposta a incidentes com participação dos municípios.",
         "Sugiro parcerias com bibliotecas e associações para os pontos de apoio.",
         "Proponho priorizar as regiões Norte e Nordeste na expansão da conectividade."],
    ),
    "dados": (
        ["+Compartilhar dados entre órgãos evita que o cidadão apresente o mesmo documento várias vezes.",
         "-O compartilhamento amplo de dados sem consentimento é um risco à privacidade.",
         "A interoperabilidade precisa de padrões comuns, senão cada órgão cria o seu.",
         "O cidadão deve saber quais órgãos acessam seus dados e com que finalidade.",
         "Estados e municípios precisam acessar as bases federais para simplificar serviços locais.",
         "O relatório de impacto deve ser público e anterior ao compartilhamento."],
        ["Sugiro registrar cada acesso e disponibilizar o registro ao titular dos dados.",
         "Proponho que o compartilhamento de dados sensíveis dependa de autorização da ANPD.",
         "Recomendo publicar os padrões de interoperabilidade com consulta pública prévia.",
         "Sugiro limitar o compartilhamento ao mínimo necessário para cada finalidade.",
         "Proponho prazos para os órgãos deixarem de exigir documentos já disponíveis nas bases."],
    ),
    "usuario": (
        ["+Serviços pensados a partir do usuário são mais simples e mais baratos.",
         "-A linguagem simples ainda é rara nos serviços públicos.",
         "+Serviços proativos evitam que pessoas percam benefícios por desconhecimento.",
         "-A inteligência artificial no atendimento pode ajudar, mas precisa de supervisão humana.",
         "-Pessoas com deficiência ainda encontram barreiras em muitos serviços digitais.",
         "-Medir a satisfação sem publicar os resultados não muda nada."],
        ["Sugiro garantir sempre a opção de falar com um atendente humano.",
         "Proponho que os serviços sejam testados com pessoas com deficiência antes da entrega.",
         "Recomendo publicar a avaliação de cada serviço em painel aberto.",
         "Sugiro que as notificações possam ser recebidas também por SMS.",
         "Proponho incluir o atendimento em Libras nos canais digitais."],
    ),
}

REGION_REMARKS = {
    "Norte": ["Aqui na região Norte, a conexão ainda é instável em muitas comunidades.",
              "No interior da Amazônia, muita gente depende do atendimento presencial."],
    "Nordeste": ["No sertão, muitos municípios ainda não têm equipe de tecnologia.",
                 "No Nordeste, os pontos de apoio presencial fazem muita diferença."],
    "Centro-Oeste": ["No Centro-Oeste, as distâncias tornam os serviços digitais indispensáveis."],
    "Sudeste": ["Nas grandes cidades do Sudeste, a demanda por serviços digitais cresce a cada ano."],
    "Sul": ["No Sul, vários municípios já integraram seus sistemas e podem compartilhar a experiência."],
}

# A campaign: an organization asks its members to send the same text (with small changes).
CAMPAIGN = {
    "label": "Recomendação 5.1",
    "stance": Stance.DISAGREE,
    "body": ("Como integrante da campanha Meus Dados, Minhas Regras, peço que o compartilhamento de dados entre "
             "órgãos só ocorra com finalidade específica, registro de cada acesso e informação ao titular. "
             "A privacidade é um direito fundamental."),
    "variants": ["", " Assino embaixo.", " Conto com a revisão deste ponto.", " Obrigada.",
                 " Por favor, considerem.", " Privacidade já!"],
}

# A second, smaller one in favour of a recommendation.
CAMPAIGN_IN_FAVOUR = {
    "label": "Recomendação 4.4",
    "stance": Stance.AGREE,
    "body": ("Internet nas escolas já! Apoio a ampliação da conectividade em escolas e unidades de saúde, com "
             "prioridade para as regiões rurais e remotas."),
    "variants": ["", " Nossos alunos precisam.", " Educação conectada é direito."],
}

REPLIES = [
    "Concordo com você, e acrescento que o tema precisa de prazos claros.",
    "Boa observação. Na minha cidade a situação é a mesma.",
    "Discordo em parte: acho que o texto já cobre isso no artigo seguinte.",
    "Excelente ponto, espero que a equipe de redação considere.",
    "Isso vale também para os municípios pequenos.",
    "Tenho a mesma preocupação com a proteção dos dados.",
    "Sua sugestão resolve o problema sem aumentar a burocracia.",
    "Na prática, o atendimento presencial continua sendo necessário.",
]

AMENDMENT_TAILS = [
    ", assegurado o atendimento presencial a quem não puder utilizar os meios digitais",
    ", observada a Lei nº 13.709, de 14 de agosto de 2018",
    ", com metas anuais publicadas em formato aberto",
    ", ouvidos os Estados, o Distrito Federal e os Municípios",
    ", com participação da sociedade civil",
]

FIRST_NAMES = [
    "Ana", "Maria", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline",
    "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Gabriel",
    "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Camila", "Letícia",
    "Beatriz", "Larissa", "Vanessa", "Simone", "Tereza", "Raquel", "Sandra", "Iracema", "Jurema",
]
SURNAMES = [
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
    "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
    "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
]
ORGANIZATIONS = [
    "Associação Brasileira de Municípios Digitais", "Instituto Cidadania Conectada", "Coletivo Dados Abertos",
    "Federação das Associações Comunitárias", "Observatório da Privacidade", "Sindicato dos Servidores de TI",
    "Associação de Pessoas com Deficiência Visual", "Instituto de Pesquisa em Governo Aberto",
    "Conselho Regional de Administração", "Frente Nacional de Prefeituras Digitais",
    "Rede de Bibliotecas Comunitárias", "Associação Nacional de Empresas de Software",
    "Centro de Estudos em Inteligência Artificial", "Movimento Internet para Todos",
    "Consórcio Intermunicipal do Vale", "Associação dos Agentes Comunitários de Saúde",
    "Instituto Transparência Brasil Demo", "Laboratório de Inovação Cidadã", "Fórum de Educação Conectada",
    "Associação de Idosos Ativos", "Cooperativa de Tecnologia Social", "Instituto Linguagem Simples",
    "Comitê de Defesa do Consumidor Digital", "Núcleo de Estudos em Políticas Públicas",
]
