"""Personal-data masking and text normalization."""

from __future__ import annotations

import time

import pytest

from analysis import mask_personal_data
from analysis.normalize import duplicate_key, segments, truncate


@pytest.mark.parametrize(
    "secret",
    [
        "maria.silva+consulta@exemplo.gov.br",
        "(61) 99999-9999",
        "(61) 3333-4444",
        "+55 61 3333-4444",
        "+55 (61) 9 8888-7777",
        "+5561999999999",
        "5561999999999",
        "61999999999",
        "6133334444",
        "98888-7777",
        "123.456.789-09",
        "12345678909",
        "11.222.333/0001-81",
        "11222333000181",
        "12.ABC.345/01DE-35",
        "12ABC34501DE35",
    ],
)
def test_mask_personal_data_hides_each_brazilian_format(secret: str) -> None:
    masked = mask_personal_data(f"Meu contato: {secret}, obrigado.")
    assert secret not in masked
    assert masked.startswith("Meu contato: [") and masked.endswith("], obrigado.")


@pytest.mark.parametrize(
    "text",
    [
        "Estratégia 2024-2028 e metas para 2030.",
        "Lei 13.709/2018 (LGPD) e Decreto nº 10.046, de 9 de outubro de 2019.",
        "Orçamento de R$ 1.500.000,00 para o CEP 70040-010.",
        "Art. 5º, inciso III, versão 2.0.1 do documento.",
        "O código ABCDEFGHIJKL12 não é um CNPJ válido.",
    ],
)
def test_mask_personal_data_keeps_years_laws_amounts_and_codes(text: str) -> None:
    assert mask_personal_data(text) == text


def test_mask_personal_data_labels_what_it_hid() -> None:
    masked = mask_personal_data("a@b.com, CPF 123.456.789-09, CNPJ 11.222.333/0001-81, tel (61) 99999-9999")
    assert masked == "[e-mail], CPF [CPF], CNPJ [CNPJ], tel [telefone]"


def test_mask_personal_data_is_linear_on_huge_runs() -> None:
    began = time.perf_counter()
    for text in ("x" * 200_000, "a@" * 100_000, "1." * 100_000, "(61) " * 40_000):
        mask_personal_data(text)
    assert time.perf_counter() - began < 2


def test_duplicate_key_ignores_case_accents_and_punctuation() -> None:
    assert duplicate_key("Saúde DIGITAL, já!") == duplicate_key("saude digital ja")
    assert duplicate_key("😀🎉") == ""


def test_segments_break_at_punctuation_and_drop_numbers_placeholders_and_junk() -> None:
    text = mask_personal_data("Saúde digital, não obrigatória. Ligue (61) 99999-9999 em 2024 " + "x" * 50)
    assert segments(text) == [["saúde", "digital"], ["não", "obrigatória"], ["ligue"], ["em"]]


def test_truncate_cuts_at_a_word_and_marks_the_cut() -> None:
    assert truncate("uma frase curta", 50) == "uma frase curta"
    cut = truncate("palavra " * 100, 60)
    assert len(cut) <= 60 and cut.endswith("palavra…")


def test_segments_keep_one_letter_words_inside_and_break_at_numbers() -> None:
    assert segments("Acesso à saúde já, lei 13.709 de 2018") == [
        ["acesso", "à", "saúde", "já"],
        ["lei"],
        ["de"],
    ]
