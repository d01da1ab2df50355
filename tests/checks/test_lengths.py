"""Platform length counting: twitter-text v3, Mastodon, Bluesky, Threads, Telegram and the rest."""

from __future__ import annotations

import dataclasses

import pytest

from app.checks.lengths import PLATFORMS, count, limit_for, measure

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # ZWJ family, 4 people
FLAG_FR = "\U0001f1eb\U0001f1f7"
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
E_COMBINING = "e\u0301"  # e + combining acute accent

# twitter-text conformance, validate.yml "WeightedTweetsWithDiscountedEmojiCounterTest" (v3 config),
# plus urls_without_protocol cases; the values were also cross-checked against twitter-text 3.1.0.
X_CONFORMANCE = [
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("https://www.twitter.com/aloha " * 10, 240),
    ("H\U0001f431\u263a" + FAMILY, 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    ("1\u20e3", 2),
    (
        "Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; "
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        34,
    ),
    ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),
    ("example.com", 23),
    ("www.example.com", 23),
    ("foo.co.jp", 23),
    ("t.co", 23),
    ("example.com/path/to/resource?search=foo&lang=en", 23),
    ("Test https://test.com test https://test.com test.com test", 86),
    ("\U00010000\U0010ffff", 4),
    ("저찀쯿쿿", 8),
    ("A\u0301B", 2),
    ("ZWJ: क्ष -> क्\u200dष; ZWNJ: क्ष -> क्\u200cष", 35),
    ("http://otters and http://192.168.0.1/x", 38),  # dotless host and bare IP are not links
    ("example.com?x=1", 27),  # without a scheme, only a /path belongs to the link
    ("[https://example.com/y]", 25),
]


@pytest.mark.parametrize(("text", "expected"), X_CONFORMANCE)
def test_x_weighted_count_matches_twitter_text(text: str, expected: int) -> None:
    assert count(text, "x").count == expected


@pytest.mark.parametrize(
    ("text", "platform", "expected"),
    [
        (E_COMBINING, "x", 1),  # NFC composes it to U+00E9
        ("q\u0301", "x", 2),  # no precomposed form: two light code points
        (E_COMBINING, "mastodon", 1),
        (E_COMBINING, "bluesky", 1),
        (E_COMBINING, "telegram", 2),
        (FAMILY, "x", 2),
        (FAMILY, "mastodon", 1),
        (FAMILY, "bluesky", 1),
        (FAMILY, "telegram", 11),  # 4 astral emoji (2 units each) + 3 ZWJ
        (FAMILY, "threads", 25),  # its UTF-8 byte length
        (FLAG_FR, "x", 2),
        (FLAG_FR, "mastodon", 1),
        (FLAG_FR, "telegram", 4),
        (FLAG_FR, "threads", 8),
        (THUMB_MEDIUM, "x", 2),
        (THUMB_MEDIUM, "bluesky", 1),
        (THUMB_MEDIUM, "telegram", 4),
        ("\U0001f600", "telegram", 2),
        ("你好世界", "x", 8),
        ("你好世界", "mastodon", 4),
        ("你好世界", "telegram", 4),
        ("Hi \u00e9\u00e8!", "threads", 6),
        ("a\r\nb", "bluesky", 3),  # CR LF is one grapheme
        ("a\r\nb", "x", 4),  # but two code points on X
    ],
)
def test_tricky_characters(text: str, platform: str, expected: int) -> None:
    assert count(text, platform).count == expected


def test_x_counts_every_link_as_23_with_or_without_scheme() -> None:
    long_link = "https://data.example.org/reports/2024/migration/full-report.pdf"
    assert count(f"See {long_link}", "x").count == 4 + 23
    assert count("See example.org/x", "x").count == 4 + 23
    assert count("Mail info@ngo.org", "x").count == len("Mail info@ngo.org")  # not a link


def test_mastodon_counts_links_with_scheme_as_23_and_remote_mentions_as_local() -> None:
    text = "Hi @alice@mastodon.social see https://example.org/a/very/long/path/abc?x=1 or example.org"
    expected = len("Hi @alice see ") + 23 + len(" or example.org")
    assert count(text, "mastodon").count == expected
    assert count("@a@b.c", "mastodon").count == 2


def test_limits_and_units() -> None:
    assert PLATFORMS == (
        "x",
        "mastodon",
        "bluesky",
        "threads",
        "telegram",
        "facebook",
        "linkedin",
        "instagram",
        "webhook",
        "manual",
    )
    expected = {
        "x": 280,
        "mastodon": 500,
        "bluesky": 300,
        "threads": 500,
        "telegram": 4096,
        "facebook": 63206,
        "linkedin": 3000,
        "instagram": 2200,
    }
    for platform, limit in expected.items():
        assert limit_for(platform) == limit
        assert count("hello", platform).limit == limit
    assert limit_for("webhook") >= 100_000
    assert limit_for("manual") >= 100_000
    assert count("x" * 50_000, "webhook").problems == ()


def test_x_limit_is_inclusive() -> None:
    assert count("a" * 280, "x").problems == ()
    result = count("a" * 281, "x")
    assert result.count == 281
    assert [p.message for p in result.problems] == ["Too long for X: 281 of 280 weighted characters. Cut at least 1 to fit."]


def test_over_limit_span_starts_at_the_first_character_past_the_limit() -> None:
    _result, problems = measure("a" * 270 + "你好世界你好世界", "x")
    assert [(p.start, p.end) for p in problems] == [(275, 278)]


def test_mastodon_limit_can_be_overridden_per_instance() -> None:
    text = "x" * 600
    assert count(text, "mastodon").problems
    result = count(text, "mastodon", limit=1000)
    assert (result.count, result.limit, result.problems) == (600, 1000, ())


def test_bluesky_reports_graphemes_and_bytes_separately() -> None:
    graphemes = count("a" * 301, "bluesky")
    assert graphemes.count == 301
    assert len(graphemes.problems) == 1
    heavy = FAMILY * 121  # 121 graphemes, 3025 UTF-8 bytes
    result = count(heavy, "bluesky")
    assert result.count == 121
    assert [p.message for p in result.problems] == [
        "Too long for Bluesky: 3025 of 3000 bytes (UTF-8). Shorten the text, especially "
        "non-Latin characters and emoji, which take several bytes each."
    ]


def test_hashtag_caps() -> None:
    tags = " ".join(f"#Tag{letter}" for letter in "abcdefghi")
    assert count("Picnic " + " ".join(tags.split()[:5]), "instagram").problems == ()
    result, problems = measure("Picnic " + " ".join(tags.split()[:7]), "instagram")
    assert [p.message for p in result.problems] == ["Instagram allows at most 5 hashtags; this text has 7. Remove 2."]
    text = "Picnic " + " ".join(tags.split()[:7])
    assert text[problems[0].start : problems[0].end] == "#Tagf #Tagg"
    assert [p.message for p in count("Hi " + tags, "bluesky").problems] == [
        "Bluesky allows at most 8 hashtags; this text has 9. Remove 1."
    ]
    assert count("Hi #One", "threads").problems == ()
    assert [p.message for p in count("Hi #One #Two", "threads").problems] == [
        "Threads allows only one topic tag per post; this text has 2 hashtags. Keep one."
    ]


def test_hashtags_need_a_letter_and_are_not_read_inside_links() -> None:
    text = "#2024 #1st https://example.org/page#Section #A #B #C #D"
    assert count(text, "instagram").problems == ()  # #1st, #A-#D: five hashtags


def test_threads_allows_five_links() -> None:
    links = " ".join(f"https://example.org/{i}" for i in range(6))
    assert [p.message for p in count(links, "threads").problems] == ["Threads allows at most 5 links; this text has 6. Remove 1."]


def test_unknown_platform_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown platform"):
        count("hello", "myspace")


def test_length_result_is_frozen() -> None:
    result = count("hello", "x")
    assert (result.count, result.limit, result.unit) == (5, 280, "weighted characters")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.count = 1  # type: ignore[misc]
