"""Matching a re-imported text to the previous one: kept, changed, renumbered, moved, split, merged, new, removed."""

from consulta.versions.matching import Fate, Unit, match, similarity

OLD = [
    Unit("Art. 1º", "Fica instituída a Estratégia Nacional de Governo Digital para o período de 2024 a 2027."),
    Unit("Art. 2º", "São princípios da Estratégia a transparência, a participação social e a proteção de dados."),
    Unit("Art. 3º", "O Comitê Central será composto por representantes dos ministérios e coordenará a execução "
                    "das metas. Os Estados e os Municípios poderão indicar observadores ao Comitê Central."),
    Unit("Art. 4º", "A Rede Nacional de Governo Digital é aberta aos Estados."),
    Unit("Art. 5º", "A Rede Nacional oferecerá soluções tecnológicas de uso comum aos seus integrantes."),
    Unit("Art. 6º", "As despesas correrão à conta das dotações orçamentárias consignadas anualmente."),
    Unit("Art. 7º", "Este Decreto entra em vigor na data de sua publicação."),
]


def fates(matches):
    return [(m.fate, m.old, m.new) for m in matches]


def test_an_identical_text_is_kept_article_by_article():
    assert fates(match(OLD, OLD)) == [(Fate.KEPT, [i], [i]) for i in range(len(OLD))]


def test_same_label_with_changed_text_is_a_change():
    new = list(OLD)
    new[1] = Unit("Art. 2º", "São princípios da Estratégia a transparência, a participação social, a inclusão "
                             "digital e a proteção de dados pessoais.")
    assert fates(match(OLD, new))[1] == (Fate.CHANGED, [1], [1])


def test_renumbered_and_moved_articles_are_found_by_their_text():
    new = [OLD[0], Unit("Art. 2º", OLD[5].body), Unit("Art. 3º", OLD[1].body), Unit("Art. 4º", OLD[2].body),
           Unit("Art. 5º", OLD[3].body), Unit("Art. 6º", OLD[4].body), Unit("Art. 7º", OLD[6].body)]
    result = fates(match(OLD, new))
    assert (Fate.RENUMBERED, [5], [1]) in result  # the budget article moved up
    assert (Fate.RENUMBERED, [1], [2]) in result and (Fate.RENUMBERED, [4], [5]) in result
    assert (Fate.KEPT, [0], [0]) in result and (Fate.KEPT, [6], [6]) in result


def test_an_article_split_in_two_and_two_merged_into_one():
    split = [Unit("Art. 3º", "O Comitê Central será composto por representantes dos ministérios e coordenará a "
                             "execução das metas."),
             Unit("Art. 3º-A", "Os Estados e os Municípios poderão indicar observadores ao Comitê Central.")]
    merged = Unit("Art. 4º", "A Rede Nacional de Governo Digital é aberta aos Estados.\nA Rede Nacional oferecerá "
                             "soluções tecnológicas de uso comum aos seus integrantes.")
    new = [OLD[0], OLD[1], *split, merged, Unit("Art. 5º", OLD[5].body), Unit("Art. 6º", OLD[6].body)]
    result = fates(match(OLD, new))
    assert (Fate.SPLIT, [2], [2, 3]) in result
    assert (Fate.MERGED, [3, 4], [4]) in result
    assert (Fate.RENUMBERED, [5], [5]) in result and (Fate.RENUMBERED, [6], [6]) in result


def test_new_and_removed_articles_stand_where_they_belong():
    new = [OLD[0], OLD[1], Unit("Art. 2º-A", "Fica criado o Observatório de Governo Digital, com dados abertos."),
           *OLD[2:5], OLD[6]]
    result = match(OLD, new)
    assert [(m.fate, m.old, m.new) for m in result if m.fate in (Fate.NEW, Fate.REMOVED)] == [
        (Fate.NEW, [], [2]), (Fate.REMOVED, [5], [])]
    order = [m.fate for m in result]
    assert order.index(Fate.REMOVED) == len(order) - 2  # between Art. 5º and Art. 7º, where it stood


def test_every_article_is_in_exactly_one_match():
    new = [OLD[6], OLD[0], Unit("Art. 9º", "Texto inteiramente novo sobre outro tema.")]
    result = match(OLD, new)
    assert sorted(i for m in result for i in m.old) == list(range(len(OLD)))
    assert sorted(j for m in result for j in m.new) == list(range(len(new)))


def test_similarity_is_by_words():
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("Fica instituída a Rede.", "Fica instituída a Rede Nacional.") > 0.8
    assert similarity("Fica instituída a Rede.", "As despesas correrão à conta do orçamento.") < 0.3
