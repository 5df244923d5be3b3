"""Brazil's regions and federative units (UF), encoded once."""

from enum import StrEnum


class Region(StrEnum):
    """The five macro-regions defined by IBGE."""

    NORTE = "norte"
    NORDESTE = "nordeste"
    CENTRO_OESTE = "centro-oeste"
    SUDESTE = "sudeste"
    SUL = "sul"

    @property
    def label(self) -> str:
        """The region's name in Portuguese."""
        return REGION_LABELS[self]


REGION_LABELS = {
    Region.NORTE: "Norte",
    Region.NORDESTE: "Nordeste",
    Region.CENTRO_OESTE: "Centro-Oeste",
    Region.SUDESTE: "Sudeste",
    Region.SUL: "Sul",
}

# UF code -> (name, region)
STATES: dict[str, tuple[str, Region]] = {
    "AC": ("Acre", Region.NORTE),
    "AP": ("Amapá", Region.NORTE),
    "AM": ("Amazonas", Region.NORTE),
    "PA": ("Pará", Region.NORTE),
    "RO": ("Rondônia", Region.NORTE),
    "RR": ("Roraima", Region.NORTE),
    "TO": ("Tocantins", Region.NORTE),
    "AL": ("Alagoas", Region.NORDESTE),
    "BA": ("Bahia", Region.NORDESTE),
    "CE": ("Ceará", Region.NORDESTE),
    "MA": ("Maranhão", Region.NORDESTE),
    "PB": ("Paraíba", Region.NORDESTE),
    "PE": ("Pernambuco", Region.NORDESTE),
    "PI": ("Piauí", Region.NORDESTE),
    "RN": ("Rio Grande do Norte", Region.NORDESTE),
    "SE": ("Sergipe", Region.NORDESTE),
    "DF": ("Distrito Federal", Region.CENTRO_OESTE),
    "GO": ("Goiás", Region.CENTRO_OESTE),
    "MT": ("Mato Grosso", Region.CENTRO_OESTE),
    "MS": ("Mato Grosso do Sul", Region.CENTRO_OESTE),
    "ES": ("Espírito Santo", Region.SUDESTE),
    "MG": ("Minas Gerais", Region.SUDESTE),
    "RJ": ("Rio de Janeiro", Region.SUDESTE),
    "SP": ("São Paulo", Region.SUDESTE),
    "PR": ("Paraná", Region.SUL),
    "RS": ("Rio Grande do Sul", Region.SUL),
    "SC": ("Santa Catarina", Region.SUL),
}


def region_of(uf: str) -> Region:
    """The region a UF belongs to; KeyError for an unknown UF."""
    return STATES[uf.upper()][1]


def uf_choices() -> list[tuple[str, str]]:
    """(code, "Name (UF)") pairs sorted by name, for select fields."""
    return sorted(((uf, f"{name} ({uf})") for uf, (name, _) in STATES.items()), key=lambda c: c[1])
