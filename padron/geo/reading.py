"""Reading rules: how shops, browsers and spreadsheets write place names.

A client seldom writes a place the way the reference data does: it writes
``TOKYO-TO`` for 東京都 (Tôkyô), ``Co. Cork`` for Cork, ``Netherlands, The``,
``Trinidad & Tobago``, ``Araba/Álava``, ``Tehran (تهران)`` or ``28001 Madrid``.
Each rule below is one such habit, written as a function from a name to the
other readings of it (``Reading``). The same rules run on both sides:

* on what a client sends, by the resolver, after the name as written found
  nothing (``readings``);
* on every name of the place data, by the index build, whose extra forms are
  stored as second-tier names (``index_forms``): a word present in the data
  and absent in what is sent (广东省, sent 广东) meets in the middle.

A reading may carry ``confirm``: another name or code written beside the name
(``United Kingdom (UK)``, ``Beijing / 北京``). The resolver accepts such a
reading only when the other part names the same place, or names nothing at
all; two parts naming two different places answer nothing.

Which rules exist was decided by data (``bench/geo_names.py``): each was kept
only when, on the public corpora, it added right answers and no wrong one.
Nothing here knows a place: the rules are about words, never about answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from padron.geo.fold import fold, words

#: Bump when a rule changes what ``index_forms`` gives: index keys depend on it.
READING_VERSION = 9

Kind = Literal["country", "state", "city"]


@dataclass(frozen=True, slots=True)
class Reading:
    """Another way to read a sent name.

    ``text``: the name to look up instead; ``rule``: the rule that proposed it;
    ``confirm``: the other part of the sent text, which must name the same place
    when it names any (empty when there is none)."""

    text: str
    rule: str
    confirm: str = ""


Rule = Callable[[str], list[Reading]]

# ---- & = and ---------------------------------------------------------------------

_AMPERSAND = re.compile(r"\s*&\s*")


def and_sign(text: str) -> list[Reading]:
    """``&`` read as "and": ``Trinidad & Tobago``, ``Jammu & Kashmir``."""
    if "&" not in text:
        return []
    return [Reading(_AMPERSAND.sub(" and ", text).strip(), "and_sign")]


# ---- articles and inverted names -----------------------------------------------

#: Articles a place name may begin with (English, Romance languages, Arabic "al").
_ARTICLES = frozenset(
    {"the", "la", "le", "les", "el", "los", "las", "il", "lo", "gli", "l", "al", "o", "a", "os"}
)
_INVERTED = re.compile(r"^(?P<head>[^,()]+?)\s*,\s*(?P<tail>[^,()]+?)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(?P<head>.+?)\s*\(\s*(?P<article>[^()]+?)\s*\)\s*$")
_LEADING_ARTICLE = re.compile(r"^(?P<article>[^\W\d_]+)(?:\s+|['’](?=\w))(?P<rest>.+)$")


def _is_article(word: str) -> bool:
    return fold(word) in _ARTICLES


def inverted(text: str) -> list[Reading]:
    """A name written "tail first" with a comma, read in order:
    ``Netherlands, The`` → ``The Netherlands``, ``Korea, South`` → ``South Korea``,
    ``Rinconada, La`` → ``La Rinconada``; and as ISO writes it, in parentheses
    from its article on (``Netherlands (the)``, ``Korea (the Republic of)``)."""
    out: list[Reading] = []
    m = _INVERTED.match(text)
    if m and len(m["tail"].split()) <= 3:
        out.append(Reading(f"{m['tail']} {m['head']}", "inverted"))
    m = _TRAILING_ARTICLE.match(text)
    if m and _is_article(m["article"].split()[0]):  # "Congo (the)", "Korea (the Republic of)"
        out.append(Reading(f"{m['article']} {m['head']}", "inverted"))
    return out


def article(text: str) -> list[Reading]:
    """A leading article dropped: ``The Gambia`` → ``Gambia``, ``L'Aquila`` →
    ``Aquila``, ``Al Sharqia`` → ``Sharqia``; and after ``inverted``, the article
    that ended up in front."""
    out: list[Reading] = []
    for candidate in [text, *(r.text for r in inverted(text))]:
        m = _LEADING_ARTICLE.match(candidate)
        if m and _is_article(m["article"]) and fold(m["rest"]):
            out.append(Reading(m["rest"].strip(), "article"))
    return out


# ---- a qualifier beside the name -------------------------------------------------

_PARENTHESES = re.compile(r"^(?P<head>.+?)\s*[(（\[](?P<inner>[^()（）\[\]]+)[)）\]]\s*$")
_INNER_PARENTHESES = re.compile(
    r"^(?P<before>[^()]+?)\s*\((?P<inner>[^()]+)\)\s+(?P<after>[^()]+)$"
)
_SPACED_DASH = re.compile(r"^(?P<head>.+?)\s+[-–—]\s+(?P<tail>.+)$")
_SLASH = re.compile(r"^(?P<head>[^/]+?)\s*/\s*(?P<tail>[^/]+?)\s*$")


def qualifier(text: str) -> list[Reading]:
    """A name with another name or code of it in parentheses or after a spaced
    dash: ``United Kingdom (UK)``, ``Congo (Kinshasa)``, ``Congo - Kinshasa``,
    ``Tehran (تهران)``, ``Delhi (NCT)``; or inside the name, the name then read
    without it (``United States (US) Minor Outlying Islands``). Either part may
    be the one the data knows; each is read with the other as its confirmation."""
    out: list[Reading] = []
    m = _INNER_PARENTHESES.match(text)
    if m and not _is_article(m["inner"]):  # "United States (US) Minor Outlying Islands"
        out.append(Reading(f"{m['before']} {m['after']}", "qualifier"))
    for pattern, second in ((_PARENTHESES, "inner"), (_SPACED_DASH, "tail")):
        m = pattern.match(text)
        if m:
            head, other = m["head"].strip(), m[second].strip()
            if head and other and not _is_article(other.split()[0]):
                out.append(Reading(head, "qualifier", other))
                out.append(Reading(other, "qualifier", head))
    return out


def halves(text: str) -> list[Reading]:
    """Both halves of ``A/B`` and ``A / B``, an official bilingual name or a
    name beside its translation: ``Araba/Álava``, ``Beijing / 北京``."""
    m = _SLASH.match(text)
    if not m or not m["head"] or not m["tail"]:
        return []
    head, tail = m["head"].strip(), m["tail"].strip()
    return [Reading(head, "halves", tail), Reading(tail, "halves", head)]


# A comma, then a qualifier written as an abbreviation: "Venezuela, RB".
_COMMA_TAIL = re.compile(r"^(?P<head>[^,()]+?)\s*,\s*(?P<tail>[^,()]+?)\s*$")


def trailing_abbreviation(text: str) -> list[Reading]:
    """A name followed by a comma and an abbreviation of its form of state or
    another of its names, as the World Bank writes them: ``Venezuela, RB``
    (República Bolivariana), ``Bahamas, The`` aside (an article is
    ``inverted``'s). The abbreviation confirms the name: it must name the same
    place or nothing at all (``read`` checks it)."""
    m = _COMMA_TAIL.match(text)
    if not m or not _abbreviation(m["tail"]) or _is_article(m["tail"]):
        return []
    return [Reading(m["head"], "trailing_abbreviation", m["tail"])]


#: Terms that names write in full or as their usual abbreviation (CLDR writes
#: "Hong Kong SAR China", the UN "China, Hong Kong Special Administrative Region").
_TERMS = {"special administrative region": "SAR"}
_TERM = re.compile(r"\b(" + "|".join(_TERMS) + r")\b", re.IGNORECASE)


def terms(text: str) -> list[Reading]:
    """A term written in full read as its abbreviation: ``China, Hong Kong
    Special Administrative Region`` → ``China, Hong Kong SAR`` (which
    ``inverted`` reads as CLDR's ``Hong Kong SAR China``)."""
    if not _TERM.search(text):
        return []
    return [Reading(_TERM.sub(lambda m: _TERMS[m[1].lower()], text), "terms")]


def form_after(text: str) -> list[Reading]:
    """A form of state written after the name, read before it with "of":
    ``Congo Republic`` → ``Republic of Congo``, ``Congo Democratic Republic``
    → ``Democratic Republic of Congo``."""
    parts = text.split()
    if len(parts) < 2 or parts[-1].lower() not in STATE_FORMS:
        return []
    out = []
    for n in (1, 2):
        if len(parts) > n:
            out.append(Reading(f"{' '.join(parts[-n:])} of {' '.join(parts[:-n])}", "form_after"))
    return out


# ---- Saint in other languages -----------------------------------------------------

_SAINT = re.compile(r"\b(sint|sankt|sainte?|san|são|sao|santa|santo)\b", re.IGNORECASE)


def saint(text: str) -> list[Reading]:
    """Saint as Dutch and German write it ("Sint", "Sankt"), and the reverse:
    ``Bonaire, Saint Eustatius and Saba`` is ISO's ``Bonaire, Sint Eustatius and
    Saba``."""
    m = _SAINT.search(text)
    if not m or m[1].lower() not in ("sint", "sankt", "saint"):
        return []
    other = "Sint" if m[1].lower() == "saint" else "Saint"
    return [Reading(_SAINT.sub(other, text, count=1), "saint")]


# ---- compass words ---------------------------------------------------------------

_COMPASS = {"northern": "north", "southern": "south", "eastern": "east", "western": "west"}
_COMPASS_WORD = re.compile(r"\b(" + "|".join(_COMPASS) + r")\b", re.IGNORECASE)


def compass(text: str) -> list[Reading]:
    """Compass adjectives read as compass points ("Northern" as "North"...): ``North
    Aegean`` and ``Northern Aegean`` are one name, ``Western Cape`` and ``West
    Cape`` too."""
    if not _COMPASS_WORD.search(text):
        return []
    return [Reading(_COMPASS_WORD.sub(lambda m: _COMPASS[m[1].lower()], text), "compass")]


# ---- the kind of division ------------------------------------------------------

#: Words naming a kind of division, written before the name (lower case; a
#: trailing "of"/"di"/"de"... is taken with them).
_DIVISION_BEFORE = (
    "national capital territory",
    "federal capital territory",
    "capital territory",
    "islas",
    "illes",
    "îles",
    "ilhas",
    "isole",
    "county",
    "co",
    "province",
    "provincia",
    "provincie",
    "prov",
    "region",
    "región",
    "région",
    "regione",
    "state",
    "estado",
    "departamento",
    "département",
    "department",
    "daerah istimewa",
    "dki",
    "territory",
    "governorate",
    "prefecture",
    "canton",
    "kanton",
    "oblast",
    "district",
    "distrito",
    "comunidad",
    "communauté",
    "land",
    "emirate",
    "república",
    "republic",
    "республика",
    "респ",
    "область",
    "обл",
    "край",
    "кр",
    "г",
    "город",
    "м",
    "місто",
    "περιφέρεια",
    "νομός",
    "محافظة",
    "ولاية",
    "منطقة",
    "استان",
    "إمارة",
)
#: The same words written after the name (and the romanised Japanese ones).
_DIVISION_AFTER = (
    "federal capital territory",
    "capital territory",
    "capital district",
    "islands",
    "county",
    "co",
    "province",
    "prov",
    "region",
    "state",
    "territory",
    "governorate",
    "prefecture",
    "canton",
    "oblast",
    "krai",
    "kray",
    "district",
    "department",
    "voivodeship",
    "municipality",
    "emirate",
    "republic",
    "область",
    "обл",
    "край",
    "кр",
    "республика",
    "респ",
    "автономный округ",
    "ао",
    "вобласць",
    "περιφέρεια",
    "ken",
    "to",
    "fu",
    "do",
    "dō",
    "dou",
)
_LINKS = ("of", "di", "de", "del", "della", "du", "des", "da", "do", "dos")
#: Division words written joined to the name, longest first (CJK, Hangul).
_DIVISION_SUFFIXES = (
    "特别行政区",
    "特別行政區",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治區",
    "특별자치도",
    "특별자치시",
    "특별시",
    "광역시",
    "省",
    "市",
    "都",
    "道",
    "府",
    "県",
    "縣",
    "도",
    "시",
)
#: Romanised Japanese division words written joined to the name ("Saitamaken").
_JOINED_LATIN_SUFFIXES = ("ken",)
_WORD_SPLIT = re.compile(r"[\s\-‐–—]+")


def _by_end(table: Iterable[str], *, before: bool) -> dict[str, list[list[str]]]:
    """Division words keyed by the word a name would begin (or end) with,
    longest first: a name is checked against a few entries, not all."""
    out: dict[str, list[list[str]]] = {}
    for entry in table:
        parts = entry.split()
        out.setdefault(parts[0] if before else parts[-1], []).append(parts)
    for entries in out.values():
        entries.sort(key=len, reverse=True)
    return out


def _strip_words(
    words: list[str], table: dict[str, list[list[str]]], *, before: bool
) -> list[str] | None:
    if len(words) < 2:
        return None
    # (only the words at the end in question are lowered: a long nonsense value
    # has dozens of words, and this runs for each of its readings)
    end = (words[0] if before else words[-1]).lower().rstrip(".")
    for parts in table.get(end, ()):
        n = len(parts)
        if len(words) <= n:
            continue
        if [w.lower().rstrip(".") for w in (words[:n] if before else words[-n:])] != parts:
            continue
        if before:
            rest = words[n:]
            if len(rest) > 1 and rest[0].lower() in _LINKS:
                rest = rest[1:]
            return rest
        return words[:-n]
    return None


_BEFORE = _by_end(_DIVISION_BEFORE, before=True)
_AFTER = _by_end(_DIVISION_AFTER, before=False)


def division_word(text: str) -> list[Reading]:
    """The kind of division written with the name, dropped: before it (``Co.
    Cork``, ``County Meath``, ``Provincia di Savona``, ``Daerah Istimewa Aceh``,
    ``Респ. Татарстан``, ``г. Москва``, ``محافظة القاهرة``), after it (``Yukon
    Territory``, ``Московская обл.``, ``Київська обл.``, ``TOKYO-TO``,
    ``Kanagawa-ken``, ``OSAKA FU``), or joined to it (``广东省``, ``東京都``,
    ``서울특별시``, ``Saitamaken``)."""
    out: list[Reading] = []
    stripped = text.strip()
    words = [w for w in _WORD_SPLIT.split(stripped.replace(".", ". ")) if w]
    for before, table in ((True, _BEFORE), (False, _AFTER)):
        rest = _strip_words(words, table, before=before)
        if rest and fold(" ".join(rest)):
            out.append(Reading(" ".join(rest), "division_word"))
    compact = stripped.replace(" ", "")
    for suffix in _DIVISION_SUFFIXES:
        if compact.endswith(suffix) and len(compact) > len(suffix):
            out.append(Reading(compact[: -len(suffix)], "division_word"))
            break
    lowered = stripped.lower()
    for suffix in _JOINED_LATIN_SUFFIXES:
        joined = " " not in stripped and "-" not in stripped
        if (
            joined
            and lowered.isascii()
            and lowered.endswith(suffix)
            and len(lowered) - len(suffix) >= 4
        ):
            out.append(Reading(stripped[: -len(suffix)], "division_word"))
    return out


# ---- cities: postcodes, district numbers, abbreviations ------------------------

_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[-‐ ]?)?\d{3,6}$", re.IGNORECASE)
_DISTRICT = re.compile(
    r"^(?:\d{1,2}(?:e|er|ème|eme|re|th|st|nd|rd|\.)?|[ivxlc]+e?|cedex|arrondissement|arr|bezirk)$",
    re.IGNORECASE,
)


def postcode(text: str) -> list[Reading]:
    """A postcode or district number before or after a city: ``28001 Madrid``,
    ``Wien 1010``, ``Paris Cedex 08`` (rule ``postcode``: the city itself);
    ``Paris 15e``, ``Lyon 03``, ``Paris 11e Arrondissement``, ``Wien 3.
    Bezirk`` (rule ``district``: a part of the city, not the city — the
    resolver does not answer such a reading with the city's id, see
    ``names_a_part``). A number after ``Cedex`` is a postal one."""
    words = text.replace(",", " ").split()
    start, end = 0, len(words)
    while start < end - 1 and _POSTCODE.match(words[start]):
        start += 1
    while end - 1 > start and (_POSTCODE.match(words[end - 1]) or _DISTRICT.match(words[end - 1])):
        end -= 1
    if (start, end) == (0, len(words)):
        return []
    dropped = words[end:]
    part = not any(w.lower() == "cedex" for w in dropped) and any(
        _DISTRICT.match(w) and not _POSTCODE.match(w) for w in dropped
    )
    return [Reading(" ".join(words[start:end]), "district" if part else "postcode")]


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def district_number(text: str) -> int | None:
    """The number of the district that a sent name ends with (``postcode``'s
    district words): ``Paris 11e Arrondissement`` → 11, ``Wien 3. Bezirk`` →
    3, ``Budapest XI`` → 11; ``None`` when none does (``Wien 1010``: a
    postcode)."""
    words = text.replace(",", " ").split()
    for word in reversed(words[1:]):
        if _POSTCODE.match(word):
            continue  # a postcode beside the district's number
        if not _DISTRICT.match(word):
            return None  # the name itself
        digits = re.match(r"\d+", word)
        if digits:
            return int(digits[0])
        letters = word.lower().rstrip("e")
        if letters and all(ch in _ROMAN for ch in letters):
            values = [_ROMAN[ch] for ch in letters]
            return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))
    return None


def names_a_part(r: Reading) -> bool:
    """Whether a reading found a city by dropping the number of one of its
    districts (``district``, alone or after other rules): the sent name is the
    district's, and the city found holds it — another, larger place."""
    return "district" in r.rule.split("+")


#: Dotted abbreviations in city names, read in full.
_CITY_ABBREVIATIONS = {
    "a.m.": "am Main",
    "a.d.": "an der",
    "i.": "im",
    "cd.": "Ciudad",
    "sta.": "Santa",
    "sto.": "Santo",
    "mt.": "Mount",
    "ft.": "Fort",
    "pto.": "Puerto",
    "gral.": "General",
}
_ABBREVIATION = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(a) for a in _CITY_ABBREVIATIONS) + r")(?=\s|$|\w)",
    re.IGNORECASE,
)


def abbreviation(text: str) -> list[Reading]:
    """Dotted abbreviations read in full: ``Frankfurt a.M.`` → ``Frankfurt am
    Main``, ``Cd. Juárez`` → ``Ciudad Juárez``, ``Sta. Cruz`` → ``Santa Cruz``."""
    if "." not in text:
        return []
    full = _ABBREVIATION.sub(lambda m: " " + _CITY_ABBREVIATIONS[m[1].lower()] + " ", text)
    full = " ".join(full.split())
    return [Reading(full, "abbreviation")] if full != " ".join(text.split()) else []


# ---- a run of words inside a longer name ------------------------------------------


def words_inside(sent: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether the folded words ``sent`` are a run of the words of a longer
    ``name``: ``Great Britain`` in ``United Kingdom of Great Britain and Northern
    Ireland``, ``Herzegovina`` in ``Bosnia and Herzegovina``. A single word must
    have at least five letters ("Man" is not the Isle of Man)."""
    n = len(sent)
    if n == 0 or n >= len(name) or (n == 1 and len(sent[0]) < 5):
        return False
    return any(name[i : i + n] == sent for i in range(len(name) - n + 1))


def shortened_last(sent: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether the folded words ``sent`` are those of ``name`` with its last
    word shortened to its first letters (four at least), a possessive or
    plural "s" aside: ``St. Barths`` (St. Barth's) is Saint Barthélemy,
    ``Congo Braz`` Congo-Brazzaville. Every other word is written out, and a
    single word is never read so ("Guia" is neither Guinea nor Guiana)."""
    if sent and sent[-1] == "s":  # "Barth's" folds to "barth", "s"
        sent = sent[:-1]
    if len(sent) < 2 or len(sent) != len(name) or sent[:-1] != name[:-1]:
        return False
    last, full = sent[-1], name[-1]
    shorts = (last, last[:-1]) if last.endswith("s") else (last,)
    return any(4 <= len(x) < len(full) and full.startswith(x) for x in shorts)


def repeats_words(sent: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Whether every word of a qualifier (minor words aside) is a word of
    ``name``, written out or shortened: ``St Martin (French)`` and ``Saint
    Martin (French part)``, ``Congo (Rep.)`` and ``Republic of the Congo``. A
    qualifier that repeats the place's own words names the same place."""
    core = [w for w in sent if w not in _MINOR_WORDS]
    return bool(core) and all(w in name or any(_shortened(w, n) for n in name) for w in core)


def distinguishing_qualifiers(names: Iterable[tuple[tuple[str, ...], int]]) -> frozenset[str]:
    """Words that, written before a form of state, make one country's formal
    name out of another's, read from the data's names: "democratic" (the
    Democratic Republic of the Congo against the Republic of the Congo),
    "democratic" and "people" (the Democratic People's Republic of Korea
    against the Republic of Korea). ``names``: (folded words, country)."""
    countries_by_name: dict[tuple[str, ...], set[int]] = {}
    for name, i in names:
        countries_by_name.setdefault(name, set()).add(i)
    out: set[str] = set()
    for name, i in names:
        for k in range(1, len(name) - 1):
            if name[k] in STATE_FORMS and countries_by_name.get(name[k:], set()) - {i}:
                out.update(w for w in name[:k] if w not in _MINOR_WORDS)
    return frozenset(out)


def drops_qualifier(
    sent: tuple[str, ...], name: tuple[str, ...], qualifiers: frozenset[str]
) -> bool:
    """Whether ``sent``, a formal name that begins with a form of state
    (``Republic of China``), is ``name`` (``People's Republic of China``)
    without a word before that form that tells countries apart
    (``distinguishing_qualifiers``): then it is another state's formal name,
    never this one's. ``Republic of Tanzania`` drops only "United", which
    tells no two countries apart, and stays the United Republic of Tanzania."""
    form = next((w for w, nxt in pairwise(sent) if w in STATE_FORMS and nxt == "of"), None)
    if form is None:
        return False
    for k in range(1, len(name) - 1):
        if name[k] == form and name[k + 1] == "of" and (set(name[:k]) & qualifiers) - set(sent):
            return True
    return False


# ---- words written as their initials ------------------------------------------------

_TOKEN = re.compile(r"([^\W_]+)(\.?)")

#: How a sent word is written (``capitals``): in full, as initials in capitals
#: (``DR``, ``PDR``), or shortened with a dot (``Rep.``, ``Dem.``, ``Sts.``).
Written = Literal["full", "initials", "short"]


def capitals(text: str) -> tuple[tuple[str, Written], ...]:
    """The folded words of a sent name, each with how it is written, for
    ``abbreviated_words``; none when no word is written abbreviated (then
    ``abbreviated_words`` is false for every name, and folding each word of a
    long text one by one would cost a third of a millisecond)."""
    if "." not in text and text.islower():  # no dot, no capital: nothing abbreviated
        return ()
    tokens: list[tuple[str, Written]] = []
    for token, dot in _TOKEN.findall(text):
        how: Written = "short" if dot else "full"
        if len(token) >= 2 and token.isupper() and not dot:
            how = "initials"
        tokens.append((token, how))
    if all(how == "full" for _, how in tokens):
        return ()
    return tuple((word, how) for token, how in tokens for word in words(token))


def _shortened(short: str, word: str) -> bool:
    """Whether ``short`` is ``word`` shortened: its first letter, then letters
    of it in order ("rep" of "republic", "sts" of "states")."""
    if not short or short[0] != word[:1] or len(short) >= len(word):
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in short[1:])


def abbreviated_words(sent: Sequence[tuple[str, Written]], name: tuple[str, ...]) -> bool:
    """Whether a name sent with some of its words abbreviated is ``name``, in
    order, minor words aside: words written as their initials in capitals
    (``DR Congo`` is the Democratic Republic of the Congo, ``Lao PDR`` the Lao
    People's Democratic Republic) or shortened with a dot (``Dem. People's Rep.
    Korea``, what ``Korea, Dem. People's Rep.`` reads as in order). At least
    one word must be written out and one abbreviated (two capitals alone are
    read as a code: "UK" is no country here)."""
    full = [w for w in name if w not in _MINOR_WORDS]
    i, abbreviated, written_out = 0, False, False
    for word, how in sent:
        if word in _MINOR_WORDS:
            continue
        if i < len(full) and full[i] == word:
            i, written_out = i + 1, True
        elif how == "initials" and [w[0] for w in full[i : i + len(word)]] == list(word):
            i, abbreviated = i + len(word), True
        elif how == "short" and i < len(full) and _shortened(word, full[i]):
            i, abbreviated = i + 1, True
        else:
            return False
    return abbreviated and written_out and i == len(full)


def core_words(name: tuple[str, ...]) -> tuple[str, ...]:
    """A name's folded words without minor words ("of", "the", "and"):
    ``Democratic Republic of Congo`` and ``Democratic Republic of the Congo``
    have the same core."""
    return tuple(w for w in name if w not in _MINOR_WORDS)


#: Words naming a form of state, written before "of" and the country's name.
STATE_FORMS = frozenset(
    {
        "republic",
        "country",
        "commonwealth",
        "state",
        "kingdom",
        "territory",
        "principality",
        "federation",
        "union",
        "sultanate",
        "emirate",
        "duchy",
        "collectivity",
        "dominion",
        "confederation",
    }
)


def state_form(name: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A country's name written with its form of state before it, split into
    the words before the name (the form and any adjective: ``Oriental Republic
    of``, ``Commonwealth of``, ``Republic of the Union of``) and the name
    (``Uruguay``, ``Australia``, ``Myanmar``); None when there is no such
    form. The caller must check that a dropped adjective does not tell two
    countries apart (``Democratic`` Republic of Congo is not the Republic of
    the Congo)."""
    for k in range(len(name) - 2, -1, -1):
        if name[k] in STATE_FORMS and name[k + 1] == "of":
            rest = name[k + 2 :]
            if rest and rest[0] == "the":
                rest = rest[1:]
            return (name[: k + 2], rest) if rest else None
    return None


# ---- singular and plural -----------------------------------------------------------

_LAST_WORD = re.compile(r"^(?P<head>.*?\b)(?P<word>[A-Za-z]{4,})(?P<tail>\W*)$")


def plural(text: str) -> list[Reading]:
    """The last English word in the other number: ``Palestinian Territory`` for
    CLDR's "Palestinian Territories", ``Cook Island`` for "Cook Islands", and
    the reverse."""
    m = _LAST_WORD.match(text)
    if not m:
        return []
    word = m["word"]
    lower = word.lower()
    if lower.endswith("ies"):
        other = word[:-3] + "y"
    elif lower.endswith("y") and lower[-2] not in "aeiou":
        other = word[:-1] + "ies"
    elif lower.endswith(("ss", "x", "ch", "sh")):
        other = word + "es"
    elif lower.endswith("s"):
        other = word[:-1]
    else:
        other = word + "s"
    return [Reading(f"{m['head']}{other}{m['tail']}".strip(), "plural")]


# ---- parts of a data name ---------------------------------------------------------


def parenthesised_parts(text: str) -> list[Reading]:
    """Both parts of a data name written "A (B)": ``Holy See (Vatican City
    State)``, ``Falkland Islands (Malvinas)``, ``Sint Maarten (Dutch part)``. Used
    for the data's own names only: there, the part in parentheses is the
    place's own (a client's ``Saint Martin (Dutch part)`` then finds its two
    parts naming two places, and gets no answer rather than a wrong one)."""
    m = _PARENTHESES.match(text)
    if not m or _is_article(m["inner"].split()[0]):
        return []
    return [
        Reading(m["head"].strip(), "parenthesised_parts"),
        Reading(m["inner"].strip(), "parenthesised_parts"),
    ]


def parenthesised_inside(text: str) -> list[Reading]:
    """A data name with a part in parentheses inside it, read without that
    part: ``Cocos (Keeling) Islands`` → ``Cocos Islands`` (index only)."""
    m = _INNER_PARENTHESES.match(text)
    if not m or _is_article(m["inner"]):
        return []
    return [Reading(f"{m['before']} {m['after']}", "parenthesised_inside")]


# ---- initials ---------------------------------------------------------------------

_MINOR_WORDS = frozenset({"of", "the", "and", "s"})


def initials(name: tuple[str, ...]) -> str:
    """The initials of a name's folded words, minor words left out: ``United
    Arab Emirates`` → ``uae``, ``Democratic People's Republic of Korea`` →
    ``dprk``, ``Kingdom of Saudi Arabia`` → ``ksa``; "" for fewer than three
    (two letters are read as ISO codes: "SP" is no State of Palestine)."""
    letters = [word[0] for word in name if word not in _MINOR_WORDS]
    return "".join(letters) if len(letters) >= 3 else ""


# ---- the rule sets ---------------------------------------------------------------

#: The rules for each kind of place, in the order they are tried.
RULES: dict[Kind, tuple[Rule, ...]] = {
    "country": (
        and_sign,
        inverted,
        article,
        saint,
        qualifier,
        halves,
        plural,
        trailing_abbreviation,
        terms,
        form_after,
    ),
    "state": (and_sign, inverted, article, compass, division_word, qualifier, halves, plural),
    "city": (and_sign, inverted, article, division_word, postcode, abbreviation, qualifier, halves),
}
#: The rules whose forms are stored for the data's own names (no confirmations:
#: a data name is one name).
INDEX_RULES: dict[Kind, tuple[Rule, ...]] = {
    "country": (and_sign, inverted, article, saint, parenthesised_parts, parenthesised_inside),
    "state": (and_sign, inverted, article, compass, division_word),
    "city": (),
}
_MAX_READINGS = 24  # bounds the work one sent value can cause
# ... and so does the text the rules read: each rule costs time in proportion to
# its input, and a 255-character value read 24 times costs milliseconds. Real
# names have a few readings: 600 characters is 10 readings of a 55-character name.
_MAX_READ_CHARS = 600


def readings(text: str, kind: Kind) -> list[Reading]:
    """Every other reading of a sent name, each rule once and then the rules
    again on what they gave (``Co. Cork (IE)`` → ``Co. Cork`` → ``Cork``).
    Readings with the same key as the name or an earlier reading are dropped;
    at most ``_MAX_READINGS``, and no more once the rules have read
    ``_MAX_READ_CHARS`` characters."""
    return list(_readings(text, kind))


@lru_cache(maxsize=256)  # a name that matched nothing is read again for suggestions
def _readings(text: str, kind: Kind) -> tuple[Reading, ...]:
    seen = {fold(text)}
    out: list[Reading] = []
    queue = [Reading(text, "")]
    budget = _MAX_READ_CHARS
    while queue and len(out) < _MAX_READINGS and budget > 0:
        current = queue.pop(0)
        budget -= len(current.text)
        for rule in RULES[kind]:
            for r in rule(current.text):
                key = fold(r.text)
                if not key or key in seen:
                    continue
                seen.add(key)
                confirm = r.confirm or current.confirm
                name = f"{current.rule}+{r.rule}" if current.rule else r.rule
                found = Reading(r.text, name, confirm)
                out.append(found)
                queue.append(found)
    return tuple(out[:_MAX_READINGS])


def index_forms(name: str, kind: Kind) -> list[str]:
    """Other forms of a name of the place data to store beside it: the
    ``INDEX_RULES`` of its kind applied (repeatedly, bounded)."""
    seen = {fold(name)}
    out: list[str] = []
    queue = [name]
    while queue and len(out) < _MAX_READINGS:
        current = queue.pop(0)
        for rule in INDEX_RULES[kind]:
            for r in rule(current):
                key = fold(r.text)
                if key and key not in seen:
                    seen.add(key)
                    out.append(r.text)
                    queue.append(r.text)
    return out


_ABBREVIATED = re.compile(r"^[A-Z](?:[A-Z.]{0,5})$")


def _abbreviation(text: str) -> bool:
    """Whether a qualifier is written as an abbreviation (``UK``, ``NCT``, ``D.C.``)."""
    return bool(_ABBREVIATED.match(text.strip()))


def script(text: str) -> str:
    """The script of a name, by its first letter ("LATIN", "CYRILLIC", "ARABIC",
    "CJK", "HANGUL"...); "LATIN" when it has no letter."""
    for ch in text:
        if ch < "\u0250":  # Basic Latin to Latin Extended-B: most names
            if ch.isalpha():
                return "LATIN"
            continue
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            return name.split(" ", 1)[0] if name else "OTHER"
    return "LATIN"


def read(
    text: str,
    kind: Kind,
    lookup: Callable[[str], Sequence[int]],
    agree: Callable[[Sequence[int], str], Sequence[int] | None],
) -> tuple[list[int], Reading | None]:
    """The places the first fruitful reading of ``text`` names, and that reading.

    ``lookup(name)`` gives the places a name (or code) names in scope;
    ``agree(places, other)`` gives those of ``places`` that ``other`` also
    names, or ``None`` when ``other`` names no place at all. A reading with a
    confirmation is taken only when its other part agrees, or names nothing and
    is an abbreviation (``Delhi (NCT)``) or the name in another script
    (``Ilaam (ایلام)``): ``Congo (Kinshasa)`` is the Congo that holds Kinshasa;
    ``Spain / France`` and ``Saint Martin (Dutch part)`` are nothing.
    ``([], None)`` when no reading names anything."""
    for r in readings(text, kind):
        found = list(lookup(r.text))
        if not found:
            continue
        if r.confirm:
            narrowed = agree(found, r.confirm)
            beside = _abbreviation(r.confirm) or script(r.confirm) != script(r.text)
            if narrowed is None and not beside:
                continue
            if narrowed is not None:
                if not narrowed:
                    continue
                found = list(narrowed)
        return found, r
    return [], None
