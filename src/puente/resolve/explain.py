"""Why two person records were judged one person, in English and Spanish."""

from __future__ import annotations

from collections.abc import Sequence

from puente.resolve.compare import COMPARISONS

# (comparison, level) -> (en, es); level 0 ("missing") says nothing and is left out.
PHRASES: dict[tuple[str, str], tuple[str, str]] = {
    ("given", "exact"): ("same given names", "mismos nombres de pila"),
    ("given", "same_first"): ("same first given name, the other name shortened or missing",
                              "mismo primer nombre; el otro abreviado u omitido"),
    ("given", "equivalent"): ("given names agree as a short or English form (Pepe: José)",
                              "los nombres coinciden como hipocorístico o forma inglesa (Pepe: José)"),
    ("given", "similar"): ("given names differ by a slip", "los nombres difieren por un error de escritura"),
    ("given", "second_differs"): ("same first name, different second name",
                                  "mismo primer nombre, distinto segundo nombre"),
    ("given", "swapped"): ("given name and surname exchanged", "nombre y apellido intercambiados"),
    ("given", "different"): ("given names differ", "los nombres de pila difieren"),
    ("paternal", "exact"): ("same paternal surname", "mismo apellido paterno"),
    ("paternal", "similar"): ("paternal surnames sound alike or differ by a slip",
                              "apellidos paternos que suenan igual o difieren por un error"),
    ("paternal", "swapped"): ("surnames in the other order", "apellidos en el orden inverso"),
    ("paternal", "different"): ("paternal surnames differ",
                                "los apellidos paternos difieren"),
    ("maternal", "exact"): ("same maternal surname", "mismo apellido materno"),
    ("maternal", "similar"): ("maternal surnames differ by a slip",
                              "apellidos maternos con un error de escritura"),
    ("maternal", "different"): ("maternal surnames differ", "los apellidos maternos difieren"),
    ("birth", "exact"): ("same date of birth", "misma fecha de nacimiento"),
    ("birth", "day_month_swapped"): ("birth day and month swapped", "día y mes de nacimiento intercambiados"),
    ("birth", "one_part_differs"): ("dates of birth differ in one part",
                                    "las fechas de nacimiento difieren en una parte"),
    ("birth", "age_consistent"): ("the age given fits the date of birth",
                                  "la edad declarada corresponde a la fecha de nacimiento"),
    ("birth", "different"): ("dates of birth differ", "las fechas de nacimiento difieren"),
    ("curp", "same"): ("same CURP", "misma CURP"),
    ("curp", "one_slip"): ("CURPs one character apart (a slip)",
                           "CURP con un carácter distinto (error de captura)"),
    ("curp", "different"): ("different CURP", "CURP distinta"),
    ("ssn", "same"): ("same SSN", "mismo SSN"),
    ("ssn", "one_slip"): ("SSNs one digit apart (a slip)", "SSN con un dígito distinto (error de captura)"),
    ("ssn", "different"): ("different SSN", "SSN distinto"),
    ("phone", "shared"): ("a phone number in common", "un teléfono en común"),
    ("phone", "different"): ("no phone number in common", "ningún teléfono en común"),
    ("sex", "same"): ("same sex", "mismo sexo"),
    ("sex", "different"): ("different sex", "sexo distinto"),
    ("nickname", "shared"): ("an alias in common", "un alias en común"),
    ("nickname", "different"): ("different aliases", "alias distintos"),
    ("address", "same_street"): ("same street address", "mismo domicilio"),
    ("address", "similar_street"): ("street addresses differ by a slip",
                                    "domicilios con un error de escritura"),
    ("address", "same_area"): ("same postal code or city, another street",
                               "mismo código postal o ciudad, otra calle"),
    ("address", "different"): ("addresses differ", "los domicilios difieren"),
}  # fmt: skip
MISSING_MATERNAL = ("maternal surname missing in one", "falta el apellido materno en uno")


def explain(levels: Sequence[int], weight: float | None = None) -> tuple[str, str]:
    """The evidence of one pair, strongest agreement first as written in the comparison order."""
    en, es = [], []
    for comparison, level in zip(COMPARISONS, levels, strict=True):
        name = comparison.levels[level]
        if name == "missing":
            if comparison.name == "maternal" and levels[1] in (1, 2):
                en.append(MISSING_MATERNAL[0])
                es.append(MISSING_MATERNAL[1])
            continue
        phrase = PHRASES[(comparison.name, name)]
        en.append(phrase[0])
        es.append(phrase[1])
    if weight is not None:
        probability = 1.0 / (1.0 + 2.0 ** (-weight))
        en.append(f"match weight {weight:.1f} (probability {probability:.4f})")
        es.append(f"peso de coincidencia {weight:.1f} (probabilidad {probability:.4f})")
    return "; ".join(en), "; ".join(es)
