"""Input limits and patterns shared by the API models, the WTForms forms and the services.

One home for each limit: the API's pydantic models (and so the OpenAPI document) and the forms
import these numbers, so the web and the API refuse the same things.
"""

from __future__ import annotations

from datetime import date

# Integers: every column is a 32-bit INTEGER; ids, counts and pages stay inside its range.
DB_INT_MAX = 2**31 - 1

# Dates people and scripts give: years 1900-2099 ("9999-12-31T23:59:59-01:00" overflows in UTC).
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2099, 12, 31)

# Text that may not reach the database: NUL (PostgreSQL refuses it). Lone surrogates ("\ud800") are
# not Unicode text at all: JSON Schema strings exclude them and pydantic refuses them (422).
NO_NUL = r"^[^\u0000]*$"
# Whitespace as Python's str.strip() sees it, spelled out: `\s` differs between regex engines
# (Rust's, which Schemathesis uses, does not count \x1c-\x1f).
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# At least one character that is not whitespace, and no NUL.
NOT_BLANK = rf"^[^\u0000]*[^{WHITESPACE}\u0000][^\u0000]*$"

# Campaigns (form and API).
CAMPAIGN_TITLE_MAX = 200
CAMPAIGN_GOAL_MAX = 4000
CAMPAIGN_AUDIENCE_MAX = 2000
CAMPAIGN_TONE_MAX = 2000
CAMPAIGN_HASHTAGS_MAX = 30
HASHTAG_MAX = 100
CAMPAIGN_LINKS_MAX = 100  # trends a campaign answers, partner organisations
KNOWLEDGE_TEXT_MAX = 2000
URL_MAX = 2000

# Trends (form, API and importer).
TREND_TITLE_MAX = 200
TREND_TEXT_MAX = {"summary": 5000, "trigger_event": 2000, "source": 100, "external_id": 200}
TREND_LIST_ITEMS_MAX = 100
TREND_ITEM_MAX = 100
RABAT_NOTE_MAX = 1000
FACT_CHECKS_MAX = 50
FACT_CLAIM_MAX = 1000
OBSERVATIONS_MAX = 366
OBSERVATION_COUNT_MAX = 10_000_000  # detected posts in one day, from one source
SEVERITY_MIN, SEVERITY_MAX = 1, 4
SEARCH_MAX = 200

# Messages and checks.
MESSAGE_TEXT_MAX = 5000
DRAFT_COUNT_MAX = 10  # drafts asked for at once
ORG_SLUG_MAX = 64

# Patterns the API accepts (the services normalise case, "_" in language tags and a missing "#").
LANGUAGE_TAG_INPUT = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"  # BCP 47: en, fr, fr-BE, fr_be
REGION_CODE_INPUT = r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$"  # ISO 3166-1 alpha-2, or a 3166-2 subdivision
TARGET_GROUP_INPUT = r"^[A-Za-z0-9][A-Za-z0-9+_ -]{0,39}$"
PLATFORM_KEY_INPUT = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
HASHTAG_INPUT = rf"^#?[^{WHITESPACE}#\u0000]+$"
HTTP_URL_INPUT = rf"^([Hh][Tt][Tt][Pp][Ss]?://[^{WHITESPACE}/$.?#\u0000][^{WHITESPACE}\u0000]*)?$"
ORG_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_INPUT = r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
DATETIME_INPUT = (
    r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
