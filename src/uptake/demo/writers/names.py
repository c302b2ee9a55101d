"""Names and ids of CRM rows, derived from the row index (so every writer agrees)."""

from __future__ import annotations

from uptake.demo import ids
from uptake.demo.catalog import COMPANY_STEMS, COMPANY_TRADES
from uptake.demo.records import ENTITIES, RecordStore
from uptake.demo.world import World

_WORDS = (
    "Nord",
    "Süd",
    "Holding",
    "International",
    "Group",
    "Services",
    "Solutions",
    "Systems",
    "Partners",
    "Industries",
    "Trading",
    "Digital",
    "Works",
    "Technik",
    "Components",
    "Supply",
    "Labs",
    "Network",
    "Consulting",
    "Distribution",
    "Europe",
    "Global",
    "Direct",
    "Plus",
    "One",
    "Prime",
    "Capital",
    "Design",
    "Products",
    "Handel",
    "Werke",
    "Union",
    "Allied",
    "Central",
    "United",
    "Pacific",
    "Atlantic",
    "Alpine",
    "Metro",
    "Star",
)
_FORM_VARIANT = {
    "GmbH": "G.m.b.H.",
    "AG": "Aktiengesellschaft",
    "Ltd": "Limited",
    "plc": "PLC",
    "Inc.": "Incorporated",
    "LLC": "L.L.C.",
    "S.A.": "SA",
    "S.L.": "SL",
    "SAS": "S.A.S.",
    "Ltda.": "Limitada",
    "K.K.": "Kabushiki Kaisha",
}
_TRANSLIT = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "Ü": "Ue", "Ö": "Oe", "Ä": "Ae"})
_ISSUES = (
    "Cannot save form",
    "Quote PDF empty",
    "Missing price list",
    "Order status unclear",
    "Delivery delayed",
    "Invoice question",
    "Portal login",
    "Warranty claim",
)
_TOPICS = (
    "fleet renewal",
    "service contract",
    "spare parts framework",
    "software licences",
    "maintenance upgrade",
    "pilot project",
    "annual order",
    "expansion",
)


class Namer:
    def __init__(self, world: World, store: RecordStore) -> None:
        self.world = world
        self.store = store

    def record_id(self, idx: int) -> str:
        return ids.guid(ids.RECORD, self.world.seed, idx)

    def company(self, idx: int) -> str:
        """Company name of account ``idx``: unique by construction, unless it is a deliberate
        near-duplicate (``dup_of`` set), which varies its original's spelling."""
        dup = int(self.store.cols["dup_of"][idx])
        if dup >= 0:
            return _variant(self._base(dup), idx)
        return self._base(idx)

    def _base(self, idx: int) -> str:
        a, rest = idx % len(COMPANY_STEMS), idx // len(COMPANY_STEMS)
        b, rest = rest % len(COMPANY_TRADES), rest // len(COMPANY_TRADES)
        c, rest = rest % len(_WORDS), rest // len(_WORDS)
        owner = int(self.store.cols["owner"][idx])
        forms = self.world.countries[int(self.world.users.country[owner])].spec.legal_forms
        number = f" {rest + 1}" if rest else ""
        return f"{COMPANY_STEMS[a]} {COMPANY_TRADES[b]} {_WORDS[c]}{number} {forms[idx % len(forms)]}"

    def person(self, idx: int) -> tuple[str, str]:
        owner = int(self.store.cols["owner"][idx])
        spec = self.world.countries[int(self.world.users.country[owner])].spec
        return spec.locale_first[(idx * 7) % len(spec.locale_first)], spec.locale_last[
            (idx * 11) % len(spec.locale_last)
        ]

    def record_name(self, idx: int) -> str:
        entity = ENTITIES[int(self.store.cols["entity"][idx])]
        parent = int(self.store.cols["parent"][idx])
        company = self.company(parent) if parent >= 0 else self._base(idx)
        if entity == "account":
            return self.company(idx)
        if entity == "contact":
            return " ".join(self.person(idx))
        if entity == "incident":
            return f"{self.ticket(idx)} {_ISSUES[idx % len(_ISSUES)]}"
        return f"{company} - {_TOPICS[idx % len(_TOPICS)]}"

    def ticket(self, idx: int) -> str:
        return f"CAS-{idx:05d}-{ids.token(self.world.seed, idx)[:6].upper()}"


def _variant(name: str, idx: int) -> str:
    """A spelling a person might type for the same company."""
    style = idx % 4
    if style == 0 and name != name.translate(_TRANSLIT):
        return name.translate(_TRANSLIT)
    words = name.split(" ")
    if style <= 1 and words[-1] in _FORM_VARIANT:
        return " ".join([*words[:-1], _FORM_VARIANT[words[-1]]])
    if style == 2:
        return name.upper()
    return " ".join(words[:-1]) if len(words) > 2 else name + " "
