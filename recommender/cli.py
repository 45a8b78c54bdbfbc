"""`musicrec`: recommendations, catalog checks and index builds from a terminal.

click gives the command groups and argument checking; every error a user can cause ends
as one line on stderr and exit status 2, never a traceback. ``main`` is that boundary: the
library's own errors, click's usage errors and the operating system's (a catalog that cannot be
read, a cache directory that is a file, read-only or full) each become one line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import click

from . import evaluation
from .catalog import CatalogError, load_catalog
from .encoder import CHOICES, ENCODER_ENV
from .engine import MAX_K, Recommender, RequestError, check_query
from .model import ModelError
from .paths import CACHE_ENV, CATALOG_ENV, FETCHED_CATALOG, PROJECT_ROOT, NoCatalogError, cache_dir
from .profiles import PROFILE_NAMES
from .request import Answer, Request

REFERENCE_URL = "https://raw.githubusercontent.com/thiagolealg/System_recommendation/main/top50MusicFrom2010-2019.csv"
REFERENCE_SHA256 = "d30336269a66dbda01b579d7d58843951f9835777e6042c8ed41df5ec0967c03"

QUERY_FILES = (
    PROJECT_ROOT / "data" / "eval" / "queries.jsonl",
    PROJECT_ROOT / "data" / "eval" / "playlist_queries.jsonl",
)
USER_ERRORS = (RequestError, CatalogError, NoCatalogError, ModelError, evaluation.QueryFileError)

catalog_option = click.option(
    "--catalog", type=click.Path(dir_okay=False), help="Catalog CSV (default: $MUSICREC_CATALOG, then the fetched one)."
)
profile_option = click.option(
    "--profile",
    type=click.Choice(PROFILE_NAMES),
    default="default",
    show_default=True,
    help="Description template and index.",
)
k_option = click.option("--k", type=click.IntRange(1, MAX_K), default=10, show_default=True, help="Songs per answer.")
json_option = click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")


def _choose_encoder(_context: click.Context, _parameter: click.Parameter, value: str | None) -> None:
    if value:
        os.environ[ENCODER_ENV] = value  # read by every Recommender this command loads


encoder_option = click.option(
    "--encoder",
    type=click.Choice(CHOICES),
    expose_value=False,
    callback=_choose_encoder,
    help=f"Text encoder backend (default: ${ENCODER_ENV}, then openvino; the seed profile always uses torch).",
)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """Song recommendations for a mood, from a catalog of Spotify audio features."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


def _print_answer(answer: Answer, profile: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({**answer.as_dict(), "profile": profile}, ensure_ascii=False))
        return
    header = {"query": answer.seed_label if not answer.request.words else answer.request.words, "profile": profile}
    if answer.understood or profile == "default":
        header["understood"] = ", ".join(answer.understood) or "nothing beyond the words"
    click.echo(" · ".join(f"{key}: {value}" for key, value in header.items()))
    for note in answer.notes:
        click.echo(f"  {note}")
    for r in answer.results:
        year = r.song.year or ""
        click.echo(f"{r.rank:>3}. {r.song.title} — {r.song.artist} ({year}, {r.song.genre})  score {r.score:.4f}")
        if r.reasons:
            click.echo(f"       why: {', '.join(r.reasons)}")
    click.echo()


@cli.command()
@click.argument("queries", nargs=-1, required=True)
@k_option
@json_option
@profile_option
@catalog_option
@encoder_option
def recommend(queries: tuple[str, ...], k: int, as_json: bool, profile: str, catalog: str | None) -> None:
    """Songs for each QUERY (a mood, an artist, a description, "songs like TITLE"), one model load for all."""
    # What is answered is also what is printed: invalid UTF-8 in argv arrives as surrogates stdout cannot encode.
    queries = tuple(check_query(query) for query in queries)
    recommender = Recommender.load(catalog, profile=profile)
    for answer in recommender.answer_many([Request(text=query, k=k) for query in queries]):
        _print_answer(answer, profile, as_json)


@cli.command()
@click.argument("song")
@k_option
@json_option
@profile_option
@catalog_option
@encoder_option
def similar(song: str, k: int, as_json: bool, profile: str, catalog: str | None) -> None:
    """Songs like SONG (a title, or "title — artist")."""
    recommender = Recommender.load(catalog, profile=profile)
    seed = recommender.resolve_song(song)
    if seed is None:
        closest = "; ".join(s.label for s in recommender.find_songs(song, 5)) or "none"
        shown = song if len(song) <= 80 else f"{song[:80]}..."
        raise RequestError(f"no song called {shown!r} in the catalog; closest titles: {closest}")
    _print_answer(recommender.answer(Request(seed=seed.id, k=k)), profile, as_json)


@cli.group()
def index() -> None:
    """The cached song index."""


@index.command("build")
@profile_option
@catalog_option
@click.option("--lenient", is_flag=True, help="Skip bad rows instead of failing on the first.")
@click.option("--rebuild", is_flag=True, help="Build afresh even when the cached index is valid.")
@click.option("--device", default="cpu", show_default=True, help="Where to embed the songs: cpu, or cuda for a GPU.")
@encoder_option
def index_build(profile: str, catalog: str | None, lenient: bool, rebuild: bool, device: str) -> None:
    """Build (or confirm) the cached index for a catalog and profile, with progress on stderr.

    An interrupted build leaves the previous index in place and resumes from its last finished chunk.
    """
    logging.getLogger("recommender").setLevel(logging.INFO)
    recommender = Recommender.load(
        catalog, profile=profile, lenient=lenient, rebuild=rebuild, progress=True, device=device
    )
    click.echo(f"index ready: {len(recommender.songs)} songs from {recommender.catalog} ({profile} profile)")


@cli.group(name="catalog")
def catalog_group() -> None:
    """Catalog files."""


@catalog_group.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--lenient", is_flag=True, help="Skip bad rows and list them instead of failing on the first.")
def catalog_check(path: str, lenient: bool) -> None:
    """Read PATH as a catalog and print what was read, repaired and rejected."""
    loaded = load_catalog(path, lenient=lenient)
    for line in loaded.report.lines():
        click.echo(line)


@cli.group()
def data() -> None:
    """The public reference catalog."""


@data.command("fetch")
def data_fetch() -> None:
    """Download the reference catalog to data/ and check its sha256 (needs internet)."""
    try:
        with urllib.request.urlopen(REFERENCE_URL, timeout=30) as response:
            payload = response.read()
    except OSError as error:
        raise RequestError(f"cannot download {REFERENCE_URL}: {error}") from None
    actual = hashlib.sha256(payload).hexdigest()
    if actual != REFERENCE_SHA256:
        raise RequestError(f"the download has sha256 {actual}, expected {REFERENCE_SHA256}; nothing was saved")
    FETCHED_CATALOG.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=FETCHED_CATALOG.parent, delete=False) as handle:
        handle.write(payload)
    Path(handle.name).replace(FETCHED_CATALOG)
    click.echo(f"saved {FETCHED_CATALOG} (sha256 {actual})")


@cli.command(name="eval")
@click.option(
    "--queries",
    type=click.Path(dir_okay=False, exists=True),
    multiple=True,
    default=[str(path) for path in QUERY_FILES],
    show_default=True,
    help="Query files (several: read one after the other).",
)
@click.option(
    "--profile",
    "profiles",
    type=click.Choice(PROFILE_NAMES),
    multiple=True,
    help="Profiles to compare (default: all, side by side).",
)
@catalog_option
@click.option("--out", type=click.Path(file_okay=False), default="reports", show_default=True, help="Report folder.")
@encoder_option
def eval_command(queries: tuple[str, ...], profiles: tuple[str, ...], catalog: str | None, out: str) -> None:
    """Precision@10 of each profile on the query files, printed side by side and written as JSON and Markdown."""
    questions = [question for path in queries for question in evaluation.load_queries(path)]
    reports: dict[str, evaluation.ProfileReport] = {}
    for profile in profiles or ("seed", "default"):
        # Each profile its own encoder: seed runs exact (torch), default the chosen backend.
        recommender = Recommender.load(catalog, profile=profile)
        reports[profile] = evaluation.evaluate(recommender, questions)
    click.echo(evaluation.compare(reports))
    json_path, md_path = evaluation.write_reports(reports, out)
    click.echo(f"reports: {json_path} {md_path}")


@cli.command(name="bench")
@click.option("--quick", is_flag=True, help="A few requests, no cold starts, a tiny synthetic catalog (seconds).")
@click.option(
    "--serving",
    "serving_songs",
    type=click.IntRange(min=0),
    default=0,
    help="Also serve a synthetic tracks_features.csv of this many rows end to end (1204025: the public dataset's "
    "size; about 15 minutes and 9 GB of temporary disk).",
)
@catalog_option
@click.option(
    "--out", type=click.Path(file_okay=False), default="reports", show_default=True, help="Folder for bench.json."
)
@encoder_option
def bench_command(quick: bool, serving_songs: int, catalog: str | None, out: str) -> None:
    """Speed of the published approach and ours, side by side in one run, with pair-by-pair ratios."""
    from .benchmarks import bench  # tooling: only this command pays for importing it

    default = Recommender.load(catalog, profile="default")
    seed = Recommender.load(catalog, profile="seed")  # always the exact encoder, as published
    result = bench.run_benchmark(default, seed, quick=quick, out_dir=Path(out), serving_songs=serving_songs)
    click.echo(bench.format_table(result))
    click.echo(f"report: {Path(out) / 'bench.json'}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every failure a user can cause is one line on stderr: exit 2, 130 when interrupted."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="musicrec", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        click.echo("musicrec: interrupted", err=True)
        return 130
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.format_message(), err=True)  # the help itself, not an error line
        return 2
    except click.ClickException as error:
        _fail(error.format_message())
        return 2
    except USER_ERRORS as error:
        _fail(str(error))
        return 2
    except OSError as error:
        _fail(_describe_os_error(error))
        return 2
    return 0


def _fail(message: str) -> None:
    """One line on stderr, whatever the message holds: control, format and unpaired surrogate characters escaped."""
    line = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in message)
    click.echo(f"musicrec: {line}", err=True)


def _describe_os_error(error: OSError) -> str:
    """What the operating system refused, naming the path and where that path came from."""
    reason = error.strerror or str(error) or type(error).__name__
    if error.filename is None:
        # numpy, faiss and zipfile report a failed read or write (a full disk) without its path; the cache gets
        # nearly all of the large writes.
        return (
            f"{reason} (while reading or writing; the cache directory is {cache_dir()}, set {CACHE_ENV} to use another)"
        )
    path = _path_text(error.filename)
    if error.filename2 is not None:
        path = f"{path} -> {_path_text(error.filename2)}"
    line = f"{reason}: {path}"
    cache = cache_dir()
    if Path(path) == cache or cache in Path(path).parents:
        line += f" (in the cache directory {cache}; set {CACHE_ENV} to use another)"
    elif os.environ.get(CATALOG_ENV, "").strip() == path:
        line += f" (the catalog named by {CATALOG_ENV})"
    return line


def _path_text(name: object) -> str:
    """OSError names a path as str, bytes or a file descriptor."""
    return os.fsdecode(name) if isinstance(name, str | bytes) else str(name)


if __name__ == "__main__":
    sys.exit(main())
