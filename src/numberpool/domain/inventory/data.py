"""Static facts the inventory needs that ``phonenumbers`` does not carry."""

from __future__ import annotations

# The countries this server offers, and the types (derived once from phonenumbers' metadata:
# each type listed yields plenty of valid numbers of that type from the country's example).
COUNTRY_TYPES: dict[str, tuple[str, ...]] = {
    "AT": ("Local", "Mobile", "TollFree", "SharedCost", "Voip"),
    "AU": ("Local", "Mobile", "TollFree", "SharedCost", "Voip"),
    "BE": ("Local", "Mobile", "TollFree", "SharedCost", "National"),
    "BR": ("Local", "Mobile", "TollFree", "SharedCost"),
    "CA": ("Local", "Voip"),
    "CH": ("Local", "Mobile", "TollFree", "SharedCost", "National"),
    "DE": ("Local", "Mobile", "TollFree", "SharedCost", "National"),
    "DK": ("Local", "Mobile", "TollFree"),
    "ES": ("Local", "Mobile", "TollFree", "SharedCost", "National"),
    "FI": ("Local", "Mobile", "TollFree", "National"),
    "FR": ("Local", "Mobile", "TollFree", "SharedCost", "Voip", "National"),
    "GB": ("Local", "Mobile", "TollFree", "Voip", "National"),
    "IE": ("Local", "Mobile", "TollFree", "SharedCost", "Voip", "National"),
    "IT": ("Local", "Mobile", "TollFree", "SharedCost", "Voip", "National"),
    "JP": ("Local", "Mobile", "TollFree", "Voip", "National"),
    "MX": ("Local", "TollFree", "SharedCost", "National"),
    "NL": ("Local", "Mobile", "TollFree", "Voip"),
    "NO": ("Local", "Mobile", "TollFree", "SharedCost", "Voip", "National"),
    "NZ": ("Local", "Mobile", "TollFree", "National"),
    "PL": ("Local", "Mobile", "TollFree", "SharedCost", "Voip", "National"),
    "PT": ("Local", "Mobile", "TollFree", "SharedCost", "Voip", "National"),
    "SE": ("Local", "Mobile", "TollFree", "SharedCost", "National"),
    "US": ("Local", "TollFree", "National"),
}

COUNTRY_NAMES: dict[str, str] = {
    "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BR": "Brazil", "CA": "Canada", "CH": "Switzerland",
    "DE": "Germany", "DK": "Denmark", "ES": "Spain", "FI": "Finland", "FR": "France", "GB": "United Kingdom",
    "IE": "Ireland", "IT": "Italy", "JP": "Japan", "MX": "Mexico", "NL": "Netherlands", "NO": "Norway",
    "NZ": "New Zealand", "PL": "Poland", "PT": "Portugal", "SE": "Sweden", "US": "United States",
}

V, S, M, F = "voice", "sms", "mms", "fax"
# Capabilities by (country group, type), after what Twilio offers: North American numbers do
# voice, SMS and MMS; elsewhere geographic numbers are voice-only, mobiles add SMS.
NANP_CAPS: dict[str, frozenset[str]] = {
    "Local": frozenset({V, S, M}), "TollFree": frozenset({V, S, M}), "National": frozenset({V, S}),
    "Voip": frozenset({V, S}),
}
WORLD_CAPS: dict[str, frozenset[str]] = {
    "Local": frozenset({V}), "Mobile": frozenset({V, S}), "TollFree": frozenset({V}), "SharedCost": frozenset({V}),
    "Voip": frozenset({V, S}), "National": frozenset({V}), "MachineToMachine": frozenset({S}),
}

# Address requirements: none in North America; elsewhere local numbers need a local address.
NANP_ADDRESS = "none"
WORLD_ADDRESS: dict[str, str] = {
    "Local": "local", "Mobile": "any", "TollFree": "none", "SharedCost": "any", "Voip": "any", "National": "any",
    "MachineToMachine": "none",
}
GB_ADDRESS: dict[str, str] = {**WORLD_ADDRESS, "Local": "any", "Mobile": "none"}

# Geocoder region names -> the two-letter codes Twilio shows for the US and Canada.
REGION_CODES: dict[str, str] = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC", "Washington D.C.": "DC", "Florida": "FL",
    "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI",
    "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI",
    "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
    "Puerto Rico": "PR", "Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL", "Newfoundland": "NL", "Nova Scotia": "NS", "Ontario": "ON",
    "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK", "Northwest Territories": "NT",
    "Nunavut": "NU", "Yukon": "YT",
}

KEYPAD = {c: d for d, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV",
                                   "9": "WXYZ"}.items() for c in letters}
