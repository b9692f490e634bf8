"""Nationality / issuing-state codes an MRZ may hold: ISO 3166-1 alpha-3 plus the ICAO 9303
Part 3 additions (D, GBD, UNO, XXA, ...). Standard library only.

No check digit covers these fields, so the list is the only thing that tells a real code from an
OCR slip (`CDU` for `COU`) or a document that prints a non-standard one (`<<<`, `SI<`, `132`).
ISO list copied from Debian iso-codes 4.15.0 (iso_3166-1.json); refresh it the same way.
"""

from __future__ import annotations

# ICAO 9303 codes that are not ISO 3166 countries but are legal nationalities/issuers.
ICAO_SPECIAL_CODES: dict[str, str] = {
    "D": "Germany (ICAO single-letter code)",
    "GBD": "British Overseas Territories Citizen",
    "GBN": "British National (Overseas)",
    "GBO": "British Overseas Citizen",
    "GBP": "British Protected Person",
    "GBS": "British Subject",
    "EUE": "European Union",
    "UNO": "United Nations Organization",
    "UNA": "United Nations specialized agency",
    "UNK": "Kosovo (UNMIK)",
    "XBA": "African Development Bank",
    "XIM": "African Export-Import Bank",
    "XCC": "Caribbean Community",
    "XCO": "Common Market for Eastern and Southern Africa",
    "XEC": "Economic Community of West African States",
    "XPO": "Interpol",
    "XOM": "Sovereign Military Order of Malta",
    "XXA": "Stateless person",
    "XXB": "Refugee (1951 Convention)",
    "XXC": "Refugee (other)",
    "XXX": "Unspecified nationality",
}

_ISO_3166_ALPHA3 = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR
BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG
COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH
FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL
MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR
NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU
SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA
TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""

ISO_3166_ALPHA3: frozenset[str] = frozenset(_ISO_3166_ALPHA3.split())
# As printed in the MRZ: three characters, `D<<` for Germany.
KNOWN_CODES: frozenset[str] = frozenset(
    code.ljust(3, "<") for code in ISO_3166_ALPHA3 | set(ICAO_SPECIAL_CODES)
)


def is_known_code(printed: str) -> bool:
    """True when the three MRZ characters are an ISO 3166-1 or ICAO 9303 code (`D<<` too)."""
    return printed in KNOWN_CODES
