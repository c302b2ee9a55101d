"""Static facts of the simulated company: countries, roles, names, legal forms.

Nothing here is random; :mod:`uptake.demo.world` draws from these lists with the seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountrySpec:
    code: str
    name: str
    local_name: str
    """How HR and Dataverse write the country (``address1_country`` is free text)."""
    subdivision: str | None
    holiday_categories: tuple[str, ...]
    region: str
    timezone: str
    language: str
    wave: int
    """Go-live wave, 1 = first."""
    weight: float
    """Share of the company's users."""
    city: str
    state: str
    currency: str
    locale_first: tuple[str, ...]
    locale_last: tuple[str, ...]
    legal_forms: tuple[str, ...]


COUNTRIES: tuple[CountrySpec, ...] = (
    CountrySpec(
        "DE",
        "Germany",
        "Deutschland",
        "DE-BY",
        ("public", "catholic"),
        "EMEA",
        "Europe/Berlin",
        "de",
        1,
        0.22,
        "Munich",
        "Bayern",
        "EUR",
        ("Anna", "Jonas", "Lena", "Lukas", "Marie", "Felix", "Sophie", "Maximilian", "Laura", "Paul"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"),
        ("GmbH", "AG", "GmbH & Co. KG", "SE"),
    ),
    CountrySpec(
        "FR",
        "France",
        "France",
        None,
        ("public",),
        "EMEA",
        "Europe/Paris",
        "fr",
        1,
        0.14,
        "Lyon",
        "Auvergne-Rhône-Alpes",
        "EUR",
        ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Gabriel", "Manon", "Arthur", "Inès", "Jules"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy"),
        ("SAS", "SA", "SARL"),
    ),
    CountrySpec(
        "GB",
        "United Kingdom",
        "UK",
        "GB-ENG",
        ("public",),
        "EMEA",
        "Europe/London",
        "en",
        2,
        0.12,
        "Manchester",
        "England",
        "GBP",
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Noah", "Grace"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Walker"),
        ("Ltd", "plc", "LLP"),
    ),
    CountrySpec(
        "ES",
        "Spain",
        "España",
        "ES-MD",
        ("public",),
        "EMEA",
        "Europe/Madrid",
        "es",
        2,
        0.08,
        "Madrid",
        "Comunidad de Madrid",
        "EUR",
        ("Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Julia", "Daniel", "Paula", "Pablo"),
        ("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez"),
        ("S.L.", "S.A."),
    ),
    CountrySpec(
        "US",
        "United States",
        "United States of America",
        None,
        ("public",),
        "Americas",
        "America/New_York",
        "en",
        2,
        0.16,
        "New York",
        "New York",
        "USD",
        ("James", "Olivia", "Liam", "Emma", "Ethan", "Sophia", "Mason", "Mia", "Logan", "Harper"),
        ("Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Anderson", "Thomas", "Moore"),
        ("Inc.", "LLC", "Corp."),
    ),
    CountrySpec(
        "BR",
        "Brazil",
        "Brasil",
        "BR-SP",
        ("public",),
        "Americas",
        "America/Sao_Paulo",
        "pt",
        3,
        0.08,
        "São Paulo",
        "São Paulo",
        "BRL",
        ("Miguel", "Alice", "Arthur", "Helena", "Heitor", "Laura", "Davi", "Valentina", "Bernardo"),
        ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Almeida", "Costa"),
        ("Ltda.", "S.A."),
    ),
    CountrySpec(
        "MX",
        "Mexico",
        "México",
        None,
        ("public",),
        "Americas",
        "America/Mexico_City",
        "es",
        3,
        0.05,
        "Monterrey",
        "Nuevo León",
        "MXN",
        ("Santiago", "Regina", "Sebastián", "Ximena", "Diego", "Camila", "Emiliano", "Valeria"),
        ("Hernández", "López", "Ramírez", "Flores", "Torres", "Morales", "Reyes", "Cruz"),
        ("S.A. de C.V.", "S. de R.L."),
    ),
    CountrySpec(
        "JP",
        "Japan",
        "日本",
        None,
        ("public",),
        "APAC",
        "Asia/Tokyo",
        "ja",
        3,
        0.10,
        "Osaka",
        "Osaka",
        "JPY",
        ("Haruto", "Yui", "Sota", "Himari", "Yuto", "Hina", "Riku", "Sakura", "Ren", "Mei"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
        ("K.K.", "G.K."),
    ),
    CountrySpec(
        "AU",
        "Australia",
        "Australia",
        "AU-NSW",
        ("public",),
        "APAC",
        "Australia/Sydney",
        "en",
        3,
        0.05,
        "Sydney",
        "New South Wales",
        "AUD",
        ("Charlotte", "William", "Matilda", "Henry", "Ruby", "Thomas", "Chloe", "Lachlan", "Zoe"),
        ("Nguyen", "Kelly", "Ryan", "Murphy", "Campbell", "Clarke", "Mitchell", "Lee"),
        ("Pty Ltd", "Ltd"),
    ),
)

ROLES: tuple[tuple[str, str, float], ...] = (
    # role (systemuser title), function (team suffix), share of users
    ("Account Executive", "Sales", 0.38),
    ("Sales Manager", "Sales", 0.07),
    ("Service Agent", "Service", 0.30),
    ("Service Manager", "Service", 0.05),
    ("Marketing Specialist", "Marketing", 0.12),
    ("Sales Operations Analyst", "Sales", 0.08),
)
SALES_ROLES: frozenset[str] = frozenset({"Account Executive", "Sales Manager"})

LICENCES: dict[str, str] = {
    "Sales": "Dynamics 365 Sales Enterprise",
    "Service": "Dynamics 365 Customer Service Enterprise",
    "Marketing": "Dynamics 365 Team Members",
}

COMPANY_STEMS: tuple[str, ...] = (
    "Nordlicht",
    "Alpina",
    "Fabrikam",
    "Northwind",
    "Tailspin",
    "Litware",
    "Adatum",
    "Proseware",
    "Wingtip",
    "Coho",
    "Lucerne",
    "Margie",
    "Trey",
    "Contoso Partner",
    "Blue Yonder",
    "Woodgrove",
    "Humongous",
    "Relecloud",
    "Fourth Coffee",
    "Wide World",
    "Southridge",
    "Lamna",
    "Alpine Ski",
)
COMPANY_TRADES: tuple[str, ...] = (
    "Maschinenbau",
    "Logistics",
    "Retail",
    "Foods",
    "Energy",
    "Pharma",
    "Textiles",
    "Motors",
    "Insurance",
    "Software",
    "Tools",
    "Medical",
)

DAP_FLOWS: tuple[tuple[str, str, int], ...] = (
    # flow id, name, steps
    ("flow-create-opportunity", "Create an opportunity", 5),
    ("flow-qualify-lead", "Qualify a lead", 4),
    ("flow-log-call", "Log a phone call", 3),
    ("flow-resolve-case", "Resolve a case", 4),
    ("flow-dashboard", "Personalise your dashboard", 3),
)

COURSES: tuple[tuple[str, str, str], ...] = (
    # course id, title, kind
    ("d365-basics", "Dynamics 365 basics", "course"),
    ("d365-sales-pipeline", "Managing your pipeline in Dynamics 365", "course"),
    ("d365-service-cases", "Working cases in Dynamics 365", "course"),
    ("golive-info-session", "Go-live information session", "info_session"),
)

TICKET_CATEGORIES: tuple[str, ...] = (
    "Login / access",
    "Licence",
    "Data migration",
    "Form or view",
    "Performance",
    "How-to question",
    "Outlook integration",
    "Mobile app",
)

RELEASE_NAME = "CRM release 2025.2"
RELEASE_REGRESSION = "VAT number and address validation rejects UK postcodes"
