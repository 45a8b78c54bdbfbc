"""Retrieval quality: run a file of requests through a recommender and score the answers.

Each line of the query file pairs a request, typed the way people type in Discord, with a
predicate over catalog columns that says which songs a person would accept as an answer::

    {"query": "mellow songs for a rainy sunday", "where": "energy <= 60 and valence < 65",
     "group": "feature", "held_out": false}

Groups are ``feature`` (moods and sound), ``entity`` (artist, year, genre, popularity) and
``mixed``. Held-out lines are reported on their own so that a ranker tuned on the others
can be checked on requests it was not tuned on.

The predicate language is a safe subset of Python expressions, checked with ``ast``:
``and``, ``or``, ``not``, comparisons (``< <= > >= == !=``, chained), ``in`` / ``not in``
with a list or tuple of literals, number and string literals, column names and
``contains(column, "text")`` (a case-insensitive substring test). String equality is
case-insensitive. Columns: title, artist, genre, year and the features bpm (BPM),
loudness (dB), length (seconds), and energy, danceability, liveness, valence,
acousticness, speechiness, popularity (0-100).

- ``genre``: a test holds when any of the song's genres passes it; ``!=`` and ``not in``
  hold when none is equal / in, so ``genre != "latin"`` excludes every latin song.
- ``year``: the whole predicate is evaluated once per chart year and holds when any holds.
- A song without a value for a column (no measurements, no genre, no year) fails every
  comparison on that column. ``not`` flips that failure, so the file states exclusions as
  positive comparisons (``valence > 35``, not ``not valence <= 35``).

Thresholds the shipped file uses for words, the same in every group:

- chill, calm, mellow, relaxing: energy <= 60; energetic, high energy, hype, bangers: energy >= 80.
- upbeat: energy >= 70 and valence > 35 (lively and not sad).
- sad, dark, moody: valence <= 35; happy, feel good: valence >= 65. Ruling a mood out is
  its complement: "not sad" is valence > 35, a rainy-day mood (not happy) valence < 65.
- danceable, "to dance to": danceability >= 70. "Not danceable" describes a song that is
  hard to dance to, not merely one short of danceable: danceability <= 55.
- acoustic: acousticness >= 50; live: liveness >= 40.
- rap heavy: speechiness >= 20; "no rap": speechiness < 10 and no hip hop or rap genre.
- loud: loudness >= -4 dB; quiet, soft: loudness <= -7 dB.
- fast: bpm >= 120; slow: bpm <= 95; "around N bpm": N - 5 <= bpm <= N + 5.
- "shorter than 3:30": length < 210; "longer than four minutes": length > 240.
- popular: popularity >= 75; "the biggest hits": popularity >= 80; underground, lesser
  known: popularity <= 50.
- early 2010s: up to 2013; late 2010s: 2017 on; "before" and "after" a year exclude it.
- Genres are judged by the catalog's genre labels: hip hop is a label containing "hip hop"
  or "chicago rap"; EDM is edm, big room, complextro, brostep, electro, electro house,
  house, tropical house, belgian edm, electronic trap or electropop (The Chainsmokers);
  latin is latin, colombian pop or canadian latin; pop is a label containing "pop" or boy
  band; soul and r&b are labels containing those words.

Scoring, per request, for k = 10:

- k_used = min(k, number of distinct songs (title and artist, casefolded) that satisfy the predicate).
- precision = distinct satisfying songs among the first k_used results / k_used; a song
  repeated in one answer counts once, so repeats cannot raise precision.
- duplicates: results whose song already appeared earlier in the same answer.
- artist repeats: results beyond the third by one artist, counted only when the predicate
  does not name ``artist`` (asking for one artist's songs wants them all).
"""

from __future__ import annotations

import ast
import json
import operator
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .request import Answer, Request
from .songs import FEATURE_NAMES, Recommendation, Song, song_key

STRING_COLUMNS = ("title", "artist", "genre")
NUMBER_COLUMNS = ("year", *FEATURE_NAMES)
COLUMNS = STRING_COLUMNS + NUMBER_COLUMNS
# The first file's groups were written with the vocabulary at hand; the playlist file's (activity words and
# playlist titles, chat phrasing, several constraints at once) by someone who never saw it.
GROUPS = ("feature", "entity", "mixed", "activity", "chat", "multi")
HELD_OUT = "held-out"
PLAYLIST_GROUPS = ("activity", "chat", "multi")
PLAYLIST_HELD_OUT = "playlist held-out"
ALL = "all"
SUMMARY_GROUPS = (*GROUPS[:3], HELD_OUT, *PLAYLIST_GROUPS, PLAYLIST_HELD_OUT, ALL)
QUERY_FIELDS: dict[str, type] = {"query": str, "where": str, "group": str, "held_out": bool}
# Optional: the request asks for something the catalog lacks, so the answer must say so in a note.
OPTIONAL_FIELDS: dict[str, type] = {"expect_note": bool}
LANGUAGE = 'and, or, not, comparisons, in [literals] and contains(column, "text")'


class PredicateError(ValueError):
    """A predicate outside the language; the message quotes the offending part."""


class QueryFileError(ValueError):
    """A query file that cannot be used, with the line at fault."""


# --- the predicate language -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """A song seen in one of its chart years: predicates on ``year`` see one year at a time."""

    song: Song
    year: int | None


# An operand yields every value it has for a row: several for genre, none when unknown.
Values = Callable[[_Row], tuple[object, ...]]
Test = Callable[[_Row], bool]


@dataclass(frozen=True, slots=True)
class _Operand:
    kind: str  # "str", "num" or "list"
    values: Values
    is_column: bool
    item_kind: str = ""  # for a list: the kind of its items


@dataclass(frozen=True, slots=True)
class Predicate:
    """A compiled predicate: call it with a song."""

    text: str
    columns: frozenset[str]
    test: Test = field(repr=False, compare=False)

    def __call__(self, song: Song) -> bool:
        return any(self.test(_Row(song, year)) for year in (song.years or (None,)))


def _is_in(value: object, members: Container[object]) -> bool:
    return value in members


# Any: _pair checks that both sides are of one kind (numbers or strings) before a comparison runs.
_ORDERING: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_POSITIVE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {**_ORDERING, ast.Eq: operator.eq, ast.In: _is_in}
# The negated forms hold when no value passes the positive form (see the module docstring on genre).
_NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {ast.NotEq: ast.Eq, ast.NotIn: ast.In}


def compile_predicate(text: str) -> Predicate:
    """Parse and check ``text`` once; raises PredicateError naming what is not allowed."""
    if not text.strip():
        raise PredicateError("the predicate is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise PredicateError(f"not a valid expression: {error.msg}") from None
    compiler = _Compiler()
    test = compiler.test(tree.body)
    return Predicate(text=text, columns=frozenset(compiler.columns), test=test)


class _Compiler:
    def __init__(self) -> None:
        self.columns: set[str] = set()

    def test(self, node: ast.expr) -> Test:
        if isinstance(node, ast.BoolOp):
            parts = [self.test(value) for value in node.values]
            if isinstance(node.op, ast.And):
                return lambda row: all(part(row) for part in parts)
            return lambda row: any(part(row) for part in parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.test(node.operand)
            return lambda row: not inner(row)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.contains(node)
        if isinstance(node, ast.Name) and node.id in COLUMNS:
            raise PredicateError(f"'{node.id}' is a value, not a test: compare it, e.g. {node.id} >= 50")
        raise _not_allowed(node)

    def compare(self, node: ast.Compare) -> Test:
        operands = [self.operand(node.left), *(self.operand(c) for c in node.comparators)]
        pairs = [
            _pair(op, left, right, ast.unparse(node))
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True)
        ]
        return lambda row: all(pair(row) for pair in pairs)

    def contains(self, node: ast.Call) -> Test:
        if not (isinstance(node.func, ast.Name) and node.func.id == "contains"):
            raise PredicateError(f"'{ast.unparse(node)}' is not allowed: the only call is contains(column, \"text\")")
        args = node.args
        if node.keywords or len(args) != 2:
            raise PredicateError(f"'{ast.unparse(node)}': contains takes exactly two arguments, a column and a string")
        column, needle = args
        if not (isinstance(column, ast.Name) and column.id in STRING_COLUMNS):
            raise PredicateError(
                f"'{ast.unparse(node)}': the first argument must be one of {', '.join(STRING_COLUMNS)}"
            )
        if not (isinstance(needle, ast.Constant) and isinstance(needle.value, str) and needle.value.strip()):
            raise PredicateError(f"'{ast.unparse(node)}': the second argument must be a non-empty string")
        values = self.operand(column).values
        wanted = needle.value.casefold()
        return lambda row: any(wanted in value for value in values(row))  # type: ignore[operator]

    def operand(self, node: ast.expr) -> _Operand:
        if isinstance(node, ast.Name):
            if node.id not in COLUMNS:
                raise PredicateError(f"unknown column '{node.id}'; the columns are {', '.join(COLUMNS)}")
            self.columns.add(node.id)
            return _Operand("str" if node.id in STRING_COLUMNS else "num", _column_values(node.id), True)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [_literal(item) for item in node.elts]
            kinds = {_kind(item) for item in items}
            if len(kinds) > 1:
                raise PredicateError(f"'{ast.unparse(node)}' mixes strings and numbers")
            members = frozenset(items)
            return _Operand("list", lambda row: (members,), False, item_kind=kinds.pop() if kinds else "")
        value = _literal(node)
        return _Operand(_kind(value), lambda row: (value,), False)


def _literal(node: ast.expr) -> str | float:
    """A number or string literal (strings casefolded, since string tests ignore case)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        number = _literal(node.operand)
        if isinstance(number, str):
            raise PredicateError(f"'{ast.unparse(node)}': a sign goes before a number")
        return -number if isinstance(node.op, ast.USub) else number
    if not isinstance(node, ast.Constant):
        raise _not_allowed(node)
    if isinstance(node.value, str):
        return node.value.casefold()
    if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    raise PredicateError(f"'{ast.unparse(node)}' is not a number or a string")


def _kind(value: str | float) -> str:
    return "str" if isinstance(value, str) else "num"


def _column_values(name: str) -> Values:
    if name == "genre":
        return lambda row: tuple(genre.casefold() for genre in row.song.genres)
    if name in ("title", "artist"):
        return lambda row: (getattr(row.song, name).casefold(),)
    if name == "year":
        return lambda row: () if row.year is None else (row.year,)
    return lambda row: () if row.song.features is None else (getattr(row.song.features, name),)


def _pair(op: ast.cmpop, left: _Operand, right: _Operand, source: str) -> Test:
    """One comparison of a chain, type-checked now so that a bad file fails at load time."""
    if not (left.is_column or right.is_column):
        raise PredicateError(f"'{source}' compares two literals; compare a column")
    if left.kind == "list":
        raise PredicateError(f"'{source}': a list can only follow 'in' or 'not in'")
    negated = type(op) in _NEGATED
    positive = _NEGATED.get(type(op), type(op))
    if positive not in _POSITIVE:
        raise PredicateError(f"'{source}': the comparisons are < <= > >= == != in and not in")
    if positive is ast.In:
        if right.kind != "list":
            raise PredicateError(
                f"'{source}': 'in' needs a list of literals, e.g. year in [2015, 2016]; "
                'for a substring use contains(column, "text")'
            )
        if not right.item_kind:
            raise PredicateError(f"'{source}': the list is empty")
        if right.item_kind != left.kind:
            raise PredicateError(
                f"'{source}' looks for a {_KIND_WORDS[left.kind]} in a list of {_KIND_WORDS[right.item_kind]}s"
            )
    elif right.kind != left.kind:
        raise PredicateError(f"'{source}' compares a {_KIND_WORDS[left.kind]} with a {_KIND_WORDS[right.kind]}")
    if positive in _ORDERING and left.kind == "str":
        raise PredicateError(f"'{source}': strings only support ==, !=, in, not in and contains()")
    compare = _POSITIVE[positive]

    def test(row: _Row) -> bool:
        lefts, rights = left.values(row), right.values(row)
        if not lefts or not rights:
            return False
        hit = any(compare(a, b) for a in lefts for b in rights)
        return not hit if negated else hit

    return test


_KIND_WORDS = {"str": "string", "num": "number", "list": "list"}
_NODE_WORDS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.BinOp: "arithmetic",
    ast.NamedExpr: "assignment",
    ast.IfExp: "conditional expressions",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
}


def _not_allowed(node: ast.expr) -> PredicateError:
    what = _NODE_WORDS.get(type(node), type(node).__name__)
    return PredicateError(f"'{ast.unparse(node)}' is not allowed ({what}); the language has {LANGUAGE}")


# --- the query file ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvalQuery:
    """One request of the query file; its predicate is compiled once, here."""

    query: str
    where: str
    group: str
    held_out: bool
    line: int
    expect_note: bool = False
    predicate: Predicate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise QueryFileError(f"line {self.line}: unknown group {self.group!r}; use one of {', '.join(GROUPS)}")
        try:
            predicate = compile_predicate(self.where)
        except PredicateError as error:
            raise QueryFileError(f"line {self.line}: bad predicate {self.where!r}: {error}") from None
        object.__setattr__(self, "predicate", predicate)


def load_queries(path: str | Path) -> list[EvalQuery]:
    """Read a JSON-lines query file; any fault raises QueryFileError with the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise QueryFileError(f"{path}: cannot read the query file: {error.strerror}") from None
    queries: list[EvalQuery] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            query = _parse_line(raw, number)
            key = " ".join(query.query.casefold().split())
            if key in seen:
                raise QueryFileError(f"line {number}: the same request as line {seen[key]}")
        except QueryFileError as error:
            raise QueryFileError(f"{path}, {error}") from None
        seen[key] = number
        queries.append(query)
    if not queries:
        raise QueryFileError(f"{path}: the query file has no queries")
    return queries


def _parse_line(raw: str, number: int) -> EvalQuery:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise QueryFileError(f"line {number}: not valid JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise QueryFileError(f"line {number}: expected a JSON object with {', '.join(QUERY_FIELDS)}")
    missing = [name for name in QUERY_FIELDS if name not in data]
    unknown = [name for name in data if name not in QUERY_FIELDS and name not in OPTIONAL_FIELDS]
    if missing:
        raise QueryFileError(f"line {number}: missing {', '.join(missing)}")
    if unknown:
        raise QueryFileError(f"line {number}: unknown {', '.join(unknown)}")
    for name, kind in {**QUERY_FIELDS, **OPTIONAL_FIELDS}.items():
        # An exact type: isinstance would let 0 or 1 pass as held_out, since bool is an int.
        if name in data and type(data[name]) is not kind:
            raise QueryFileError(f"line {number}: '{name}' must be a {kind.__name__}, not {data[name]!r}")
    if not data["query"].strip():
        raise QueryFileError(f"line {number}: the query is empty")
    return EvalQuery(
        query=data["query"],
        where=data["where"],
        group=data["group"],
        held_out=data["held_out"],
        line=number,
        expect_note=data.get("expect_note", False),
    )


# --- scoring ----------------------------------------------------------------------------


class Answering(Protocol):
    """What the harness needs of a recommender."""

    @property
    def songs(self) -> Sequence[Song]: ...

    def answer_many(self, requests: Sequence[Request]) -> list[Answer]: ...


@dataclass(frozen=True, slots=True)
class QueryResult:
    query: EvalQuery
    matching: int
    k_used: int
    hits: int
    duplicates: int
    artist_repeats: int
    returned: tuple[tuple[str, bool], ...]  # (label, satisfies the predicate) for each result
    noted: bool = False  # the answer carried a note for the person

    @property
    def precision(self) -> float:
        return self.hits / self.k_used


@dataclass(frozen=True, slots=True)
class GroupSummary:
    queries: int
    precision: float
    duplicates: int
    artist_repeats: int
    notes_expected: int = 0
    notes_given: int = 0


@dataclass(frozen=True, slots=True)
class ProfileReport:
    k: int
    results: tuple[QueryResult, ...]

    @property
    def groups(self) -> dict[str, GroupSummary]:
        """Summaries for the groups that have queries, in SUMMARY_GROUPS order."""
        summaries = {}
        for name in SUMMARY_GROUPS:
            members = [r for r in self.results if _in_group(r.query, name)]
            if members:
                summaries[name] = GroupSummary(
                    queries=len(members),
                    precision=sum(r.precision for r in members) / len(members),
                    duplicates=sum(r.duplicates for r in members),
                    artist_repeats=sum(r.artist_repeats for r in members),
                    notes_expected=sum(r.query.expect_note for r in members),
                    notes_given=sum(r.query.expect_note and r.noted for r in members),
                )
        return summaries


def _in_group(query: EvalQuery, name: str) -> bool:
    playlist = query.group in PLAYLIST_GROUPS
    if name == HELD_OUT:
        return query.held_out and not playlist
    if name == PLAYLIST_HELD_OUT:
        return query.held_out and playlist
    return name == ALL or query.group == name


def matching_songs(songs: Iterable[Song], predicate: Predicate) -> int:
    """Distinct songs that satisfy ``predicate``: repeated rows of one song count once."""
    return len({song_key(song) for song in songs if predicate(song)})


def evaluate(recommender: Answering, queries: Sequence[EvalQuery], k: int = 10) -> ProfileReport:
    """Score every query with one ``answer_many`` call; a query no song satisfies is an error."""
    counts = []
    for query in queries:
        count = matching_songs(recommender.songs, query.predicate)
        if count == 0:
            raise QueryFileError(f"line {query.line}: no song of the catalog satisfies {query.where!r}")
        counts.append(count)
    answers = recommender.answer_many([Request(text=q.query, k=k) for q in queries])
    if len(answers) != len(queries):
        raise ValueError(f"the recommender gave {len(answers)} answers for {len(queries)} queries")
    results = tuple(
        replace(score(query, answer.results, min(k, count), count), noted=bool(answer.notes))
        for query, answer, count in zip(queries, answers, counts, strict=True)
    )
    return ProfileReport(k=k, results=results)


def score(query: EvalQuery, answer: Sequence[Recommendation], k_used: int, matching: int) -> QueryResult:
    """Precision over the first ``k_used`` results, and duplicates and artist repeats over the whole answer."""
    seen: set[tuple[str, str]] = set()
    hits = duplicates = 0
    returned = []
    for position, recommendation in enumerate(answer):
        song = recommendation.song
        repeated = song_key(song) in seen
        seen.add(song_key(song))
        satisfies = query.predicate(song)
        duplicates += repeated
        hits += position < k_used and satisfies and not repeated
        returned.append((song.label, satisfies))
    return QueryResult(
        query=query,
        matching=matching,
        k_used=k_used,
        hits=hits,
        duplicates=duplicates,
        artist_repeats=0 if "artist" in query.predicate.columns else artist_repeats(answer),
        returned=tuple(returned),
    )


def artist_repeats(answer: Sequence[Recommendation]) -> int:
    """Results beyond the third by the same artist."""
    counts = Counter(recommendation.song.artist.casefold() for recommendation in answer)
    return sum(max(0, count - 3) for count in counts.values())


# --- reports ----------------------------------------------------------------------------


def compare(reports: dict[str, ProfileReport]) -> str:
    """Profiles side by side as plain text: group summaries, then one line per query."""
    names, k, queries = _check_comparable(reports)
    head = ["group", "queries"]
    for name in names:
        head += [f"{name} P@{k}", "dup", "rep", "notes"]
    rows = [head]
    groups = [report.groups for report in reports.values()]
    for group, first in groups[0].items():
        row = [group, str(first.queries)]
        for summaries in groups:
            summary = summaries[group]
            notes = f"{summary.notes_given}/{summary.notes_expected}" if summary.notes_expected else ""
            row += [f"{summary.precision:.3f}", str(summary.duplicates), str(summary.artist_repeats), notes]
        rows.append(row)
    per_query = [["line", "group", "held", "query"] + [cell for name in names for cell in (f"{name} P", "dup", "rep")]]
    for position, query in enumerate(queries):
        row = [str(query.line), query.group, "yes" if query.held_out else "", _shorten(query.query, 50)]
        for name in names:
            result = reports[name].results[position]
            row += [_precision_cell(result), str(result.duplicates), str(result.artist_repeats)]
        per_query.append(row)
    legend = (
        f"precision@{k} with k = min({k}, songs satisfying the predicate); "
        "dup = repeated songs in an answer; rep = results beyond 3 by one artist"
    )
    return "\n".join([legend, "", _text_table(rows, left=1), "", _text_table(per_query, left=4)])


def write_reports(reports: dict[str, ProfileReport], out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``eval.json`` and ``eval.md`` into ``out_dir``; returns their paths."""
    names, k, queries = _check_comparable(reports)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "eval.json", out / "eval.md"
    json_path.write_text(json.dumps(_json_report(reports, k), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(_markdown_report(reports, names, k, queries), encoding="utf-8")
    return json_path, md_path


def _check_comparable(reports: dict[str, ProfileReport]) -> tuple[list[str], int, list[EvalQuery]]:
    """Side by side only makes sense for the same queries at the same k."""
    if not reports:
        raise ValueError("no reports to compare")
    names = list(reports)
    first = reports[names[0]]
    queries = [r.query for r in first.results]
    for name in names[1:]:
        other = reports[name]
        if other.k != first.k or [r.query for r in other.results] != queries:
            raise ValueError(f"the {name!r} report is not for the same queries and k as {names[0]!r}")
    return names, first.k, queries


def _summary_cell(summary: GroupSummary) -> str:
    return f"{summary.precision:.3f} (dup {summary.duplicates}, rep {summary.artist_repeats}{_notes(summary)})"


def _notes(summary: GroupSummary) -> str:
    """ ", notes 3/4": of the requests for what the catalog lacks, how many answers said so."""
    return f", notes {summary.notes_given}/{summary.notes_expected}" if summary.notes_expected else ""


def _precision_cell(result: QueryResult) -> str:
    return f"{result.precision:.2f} ({result.hits}/{result.k_used})"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _text_table(rows: list[list[str]], left: int) -> str:
    """Align columns; the first ``left`` columns are left-aligned (words), the rest right-aligned (numbers)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def _json_report(reports: dict[str, ProfileReport], k: int) -> dict[str, object]:
    return {
        "k": k,
        "profiles": {
            name: {
                "groups": {
                    group: {
                        "queries": s.queries,
                        "precision": round(s.precision, 4),
                        "duplicates": s.duplicates,
                        "artist_repeats": s.artist_repeats,
                    }
                    for group, s in report.groups.items()
                },
                "queries": [_json_result(result) for result in report.results],
            }
            for name, report in reports.items()
        },
    }


def _json_result(result: QueryResult) -> dict[str, object]:
    query = result.query
    return {
        "line": query.line,
        "query": query.query,
        "where": query.where,
        "group": query.group,
        "held_out": query.held_out,
        "matching": result.matching,
        "k_used": result.k_used,
        "hits": result.hits,
        "precision": round(result.precision, 4),
        "duplicates": result.duplicates,
        "artist_repeats": result.artist_repeats,
        "results": [{"song": label, "satisfies": satisfies} for label, satisfies in result.returned],
    }


def _markdown_report(reports: dict[str, ProfileReport], names: list[str], k: int, queries: list[EvalQuery]) -> str:
    lines = [
        f"# Retrieval evaluation, precision@{k}",
        "",
        f"k = min({k}, songs satisfying the predicate); dup = repeated songs in an answer; "
        "rep = results beyond 3 by one artist (not counted when the request names an artist).",
        "",
        _md_row(["group", "queries", *names]),
        _md_row(["---", "---:", *["---:"] * len(names)]),
    ]
    groups = [report.groups for report in reports.values()]
    for group, first in groups[0].items():
        cells = [_summary_cell(summaries[group]) for summaries in groups]
        lines.append(_md_row([group, str(first.queries), *cells]))
    lines += ["", "## Per query", "", _md_row(["line", "group", "held out", "query", "where", *names])]
    lines.append(_md_row(["---:", "---", "---", "---", "---", *["---:"] * len(names)]))
    for position, query in enumerate(queries):
        cells = []
        for name in names:
            result = reports[name].results[position]
            cells.append(f"{_precision_cell(result)}, dup {result.duplicates}, rep {result.artist_repeats}")
        where = f"`{query.where}`"
        held = "yes" if query.held_out else ""
        lines.append(_md_row([str(query.line), query.group, held, query.query, where, *cells]))
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"
