"""Name normalisation for duplicate detection: company legal forms and person names.

Pure functions. A company name is split into its *base* (lower case, transliterated, punctuation
removed, "&"/"und"/"and" as one token) and its *legal form* as a canonical code (``GMBH``,
``GMBH_CO_KG``, ``AG`` …). The legal form is never thrown away: "X GmbH" and "X GmbH & Co. KG" are
different legal entities with the same base (related, never merged automatically).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TRANSLIT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "å": "a",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)
_AND = frozenset({"&", "und", "and", "et"})
_AND_TOKEN = "&"
_TOKEN = re.compile(r"&|[a-z0-9]+")

_FORMS: dict[str, tuple[str, ...]] = {
    "GMBH_CO_KG": ("gmbh & co kg", "gmbh co kg", "gmbh & cie kg"),
    "AG_CO_KG": ("ag & co kg", "ag co kg"),
    "UG_CO_KG": ("ug & co kg", "ug haftungsbeschraenkt & co kg"),
    "SE_CO_KG": ("se & co kg",),
    "GMBH_CO_KGAA": ("gmbh & co kgaa",),
    "GMBH": ("gmbh", "gesellschaft mit beschraenkter haftung", "ges m b h", "g m b h"),
    "UG": ("ug haftungsbeschraenkt", "ug"),
    "AG": ("ag", "aktiengesellschaft", "a g"),
    "KGAA": ("kgaa",),
    "KG": ("kg", "kommanditgesellschaft"),
    "OHG": ("ohg",),
    "GBR": ("gbr",),
    "EG": ("eg",),
    "EV": ("ev",),
    "SE": ("se",),
    "LTD": ("ltd", "limited"),
    "PTY_LTD": ("pty ltd", "pty limited"),
    "PLC": ("plc",),
    "LLC": ("llc",),
    "LLP": ("llp",),
    "LP": ("lp",),
    "INC": ("inc", "incorporated"),
    "CORP": ("corp", "corporation"),
    "CO": ("co", "company"),
    "SA": ("sa", "s a", "societe anonyme"),
    "SAS": ("sas",),
    "SARL": ("sarl", "sa rl", "s a r l"),
    "SPA": ("spa", "s p a"),
    "SRL": ("srl", "s r l"),
    "SL": ("sl", "s l"),
    "BV": ("bv", "b v"),
    "NV": ("nv", "n v"),
    "AB": ("ab",),
    "OY": ("oy",),
    "APS": ("aps",),
    "LTDA": ("ltda",),
}
LEGAL_FORMS: dict[tuple[str, ...], str] = {
    tuple(_TOKEN.findall(variant)): code for code, variants in _FORMS.items() for variant in variants
}
"""Token sequence at the end of a name → canonical legal-form code."""
_LONGEST = max(len(k) for k in LEGAL_FORMS)


def fold(text: str) -> str:
    """Lower case, German umlauts and ß spelled out (ä → ae), other accents removed (é → e)."""
    s = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLIT)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Words of ``text`` after :func:`fold`: dots dropped (S.A. → sa), other punctuation splits
    words (IT-Service → it service), every form of "and" becomes ``&``."""
    words = _TOKEN.findall(fold(text).replace(".", ""))
    return [_AND_TOKEN if w in _AND else w for w in words]


@dataclass(frozen=True)
class CompanyName:
    base: str
    """The name without its legal form, normalised ("schmidt & soehne")."""
    legal_form: str | None
    """Canonical code of the legal form at the end of the name, None when there is none."""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.base.split())


def company(name: str) -> CompanyName:
    """Split a company name into its normalised base and its legal form.

    The longest legal form at the end of the name wins ("GmbH & Co. KG" is ``GMBH_CO_KG``, not
    ``KG``); a name that is nothing but a legal form keeps it as its base.
    """
    words = tokens(name)
    for n in range(min(_LONGEST, len(words) - 1), 0, -1):
        code = LEGAL_FORMS.get(tuple(words[-n:]))
        if code is not None:
            base = words[:-n]
            while base and base[-1] == _AND_TOKEN:
                base = base[:-1]
            return CompanyName(" ".join(base), code)
    return CompanyName(" ".join(words), None)


def person(name: str) -> str:
    """A person's name folded for comparison: case, whitespace, umlauts and accents, and the order
    of "Last, First" (words sorted, so "Müller, Jörg" = "jörg MUELLER")."""
    return " ".join(sorted(w for w in tokens(name) if w != _AND_TOKEN))


def email(address: str | None) -> str | None:
    """An e-mail address for comparison (trimmed, lower case); None when it has no ``@``."""
    if address is None:
        return None
    a = address.strip().casefold()
    return a if "@" in a[1:-1] else None


def phone(number: str | None, digits: int = 9) -> str | None:
    """The last ``digits`` digits of a phone number (so +49 30 1234567 = 030/1234567); None when the
    number has fewer."""
    if number is None:
        return None
    d = re.sub(r"\D", "", number)
    return d[-digits:] if len(d) >= digits else None
