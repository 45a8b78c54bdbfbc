"""The on-disk index cache: a roundtrip, stale fingerprints, and damage that means a rebuild, never a crash."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import faiss
import numpy as np
import pytest

from recommender import index as index_cache
from recommender.checksum import IDENTITIES
from recommender.index import FILES, INDEX_FILE, MANIFEST, Fingerprint, IndexData, cache_folder
from recommender.songs import DERIVED, Features, Song, SongTable
from recommender.text import RequestError

# Caches in these tests carry an index file, as the seed profile's and a large catalog's do.
ALL_FILES = (*FILES, INDEX_FILE)


def build_faiss(vectors: np.ndarray, profile: str) -> faiss.Index:
    index = faiss.IndexFlatL2(vectors.shape[1]) if profile == "seed" else faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


FINGERPRINT = Fingerprint(
    catalog_sha256="ab" * 32, profile="default", template_version=1, model="m" * 64, encoder="torch-fp32"
)


def songs() -> tuple[Song, ...]:
    features = Features(
        bpm=120,
        energy=80,
        danceability=70,
        loudness=-5,
        liveness=10,
        valence=60,
        length=200,
        acousticness=5,
        speechiness=4,
        popularity=90,
    )
    return (
        Song(
            id=0,
            title="Señorita",
            artist="Shawn Mendes",
            genres=("canadian pop", "pop"),
            years=(2019,),
            features=features,
            spotify_id="abc",
        ),
        Song(id=1, title="Million Years Ago", artist="Adele", genres=("british soul",), years=(2016,), features=None),
        Song(id=2, title="Just the Way You Are", artist="Bruno Mars", genres=(), years=(2010, 2011), features=features),
    )


def index_data(profile: str = "default") -> IndexData:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(3, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return IndexData(songs=songs(), vectors=vectors, index=build_faiss(vectors, profile))


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    folder = cache_folder(tmp_path, FINGERPRINT)
    index_cache.save(folder, FINGERPRINT, index_data())
    return folder


def test_roundtrip(saved: Path) -> None:
    original = index_data()
    loaded = index_cache.load(saved, FINGERPRINT)
    assert loaded is not None and loaded.index is not None
    assert loaded.songs == original.songs
    np.testing.assert_array_equal(np.asarray(loaded.vectors), original.vectors)
    assert loaded.index.ntotal == 3
    scores, ids = loaded.index.search(original.vectors[2:3], 3)
    assert ids[0][0] == 2 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    # The files, and what each weighed when last hashed whole (a later start trusts an untouched file).
    assert sorted(p.name for p in saved.iterdir()) == sorted((MANIFEST, IDENTITIES, *ALL_FILES))


def test_seed_profile_uses_squared_l2(tmp_path: Path) -> None:
    data = index_data("seed")
    fingerprint = replace(FINGERPRINT, profile="seed")
    folder = cache_folder(tmp_path, fingerprint)
    index_cache.save(folder, fingerprint, data)
    loaded = index_cache.load(folder, fingerprint)
    assert loaded is not None and loaded.index is not None
    distances, ids = loaded.index.search(data.vectors[:1], 3)
    assert ids[0][0] == 0 and distances[0][0] == pytest.approx(0.0, abs=1e-6)
    expected = float(((data.vectors[0] - data.vectors[ids[0][1]]) ** 2).sum())
    assert distances[0][1] == pytest.approx(expected, rel=1e-5)


def test_cache_folders_differ_by_profile_and_catalog(tmp_path: Path) -> None:
    folders = {
        cache_folder(tmp_path, FINGERPRINT),
        cache_folder(tmp_path, replace(FINGERPRINT, profile="seed")),
        cache_folder(tmp_path, replace(FINGERPRINT, catalog_sha256="cd" * 32)),
    }
    assert len(folders) == 3


def test_absent_cache_is_none(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert index_cache.load(tmp_path / "nothing", FINGERPRINT) is None
    assert not caplog.records


@pytest.mark.parametrize(
    "stale",
    [
        replace(FINGERPRINT, catalog_sha256="cd" * 32),
        replace(FINGERPRINT, template_version=2),
        replace(FINGERPRINT, model="other"),
        replace(FINGERPRINT, encoder="openvino-bf16"),
        replace(FINGERPRINT, profile="seed"),
        replace(FINGERPRINT, format=99),
    ],
    ids=["catalog", "template", "model", "encoder", "profile", "format"],
)
def test_stale_fingerprint_is_none(saved: Path, stale: Fingerprint, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="recommender.index"):
        assert index_cache.load(saved, stale) is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # The cache itself is fine for the fingerprint it was built with.
    assert index_cache.load(saved, FINGERPRINT) is not None


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00garbage\xff" * 64)


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def delete(path: Path) -> None:
    path.unlink()


DAMAGE = {"truncated": truncate, "garbage": garbage, "flipped-byte": flip_byte, "empty": empty, "deleted": delete}


@pytest.mark.parametrize("name", ALL_FILES)
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_file_is_none_with_a_warning(
    saved: Path, name: str, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    DAMAGE[damage](saved / name)
    with caplog.at_level(logging.WARNING, logger="recommender.index"):
        assert index_cache.load(saved, FINGERPRINT) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "recommender.index"]
    assert len(warnings) == 1
    assert str(saved) in warnings[0].getMessage()


@pytest.mark.parametrize(
    "manifest",
    [b"", b"{not json", b"\xff\xfe\x00garbage", b"[]", b"null", b'{"fingerprint": 3}', b'{"files": {}}'],
    ids=["empty", "bad-json", "binary", "list", "null", "odd-fingerprint", "no-fingerprint"],
)
def test_a_damaged_manifest_is_none_with_a_warning(
    saved: Path, manifest: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    (saved / MANIFEST).write_bytes(manifest)
    with caplog.at_level(logging.INFO, logger="recommender.index"):
        assert index_cache.load(saved, FINGERPRINT) is None
    # Damage, not staleness: one warning naming the folder, never raised.
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "recommender.index"]
    assert len(warnings) == 1 and str(saved) in warnings[0].getMessage()
    assert [r.levelno for r in caplog.records if r.name == "recommender.index"] == [logging.WARNING]


def test_a_manifest_missing_a_checksum_is_none_with_a_warning(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    manifest = json.loads((saved / MANIFEST).read_text())
    del manifest["files"]["index.faiss"]
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with caplog.at_level(logging.WARNING, logger="recommender.index"):
        assert index_cache.load(saved, FINGERPRINT) is None
    assert [r for r in caplog.records if r.levelno == logging.WARNING]


def resign(folder: Path) -> None:
    """Rewrite the manifest's checksums to vouch for whatever the files now hold."""
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"] = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ALL_FILES}
    (folder / MANIFEST).write_text(json.dumps(manifest))


def overrun_the_titles(path: Path) -> None:
    """Offsets that point past the text: the song table must refuse them at load, not fail on a later access."""
    with np.load(path) as loaded:
        arrays = {name: loaded[name] for name in loaded.files}
    arrays["title.ends"] = arrays["title.ends"] + 5
    with path.open("wb") as handle:
        np.savez(handle, **arrays)


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("index.faiss", garbage),
        ("vectors.npy", truncate),
        ("songs.npz", garbage),
        ("songs.npz", lambda p: np.savez(p.open("wb"), x=np.arange(3))),
        ("songs.npz", overrun_the_titles),
        ("songs.npz", lambda p: np.savez(p.open("wb"), allow_pickle=False, **SongTable(()).arrays())),
    ],
    ids=[
        "index-garbage",
        "vectors-truncated",
        "songs-garbage",
        "songs-other-arrays",
        "songs-offsets-past-the-end",
        "songs-too-few",
    ],
)
def test_damage_the_checksums_vouch_for_is_still_caught(
    saved: Path,
    name: str,
    damage,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    damage(saved / name)
    resign(saved)
    with caplog.at_level(logging.WARNING, logger="recommender.index"):
        assert index_cache.load(saved, FINGERPRINT) is None
    assert [r for r in caplog.records if r.levelno == logging.WARNING]


def test_save_over_a_damaged_cache_repairs_it(saved: Path) -> None:
    garbage(saved / "index.faiss")
    assert index_cache.load(saved, FINGERPRINT) is None
    index_cache.save(saved, FINGERPRINT, index_data())
    assert index_cache.load(saved, FINGERPRINT) is not None
    assert not [
        p.name for p in saved.iterdir() if p.name.startswith(".") and p.name != IDENTITIES
    ]  # no temporary files


# --- an interrupted save keeps the old cache ----------------------------------------------


def leftovers(folder: Path) -> list[str]:
    """Staging or set-aside folders of ``folder``'s builds still lying beside it."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def smaller_index() -> IndexData:
    """Different from ``index_data()`` in every file, so the test can tell which one is on disk."""
    vectors = index_data().vectors[:2]
    return IndexData(songs=songs()[:2], vectors=vectors, index=build_faiss(vectors, "default"))


def interrupt_writing_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("recommender.index.faiss.write_index", raise_interrupt)


def interrupt_the_checksums(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("recommender.index.sha256_file", raise_interrupt)


def interrupt_the_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between moving the old folder aside and moving the new one in."""
    rename = Path.rename

    def interrupted(self: Path, target: Path) -> Path:
        if ".staging-" in self.name:
            raise KeyboardInterrupt
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", interrupted)


def raise_interrupt(*args: object) -> None:
    raise KeyboardInterrupt


INTERRUPTIONS = {
    "writing-the-index": interrupt_writing_the_index,
    "checksums": interrupt_the_checksums,
    "swapping-in": interrupt_the_swap,
}


@pytest.mark.parametrize("interrupt", list(INTERRUPTIONS.values()), ids=list(INTERRUPTIONS))
def test_an_interrupted_save_keeps_the_old_cache(saved: Path, monkeypatch: pytest.MonkeyPatch, interrupt) -> None:  # type: ignore[no-untyped-def]
    interrupt(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        index_cache.save(saved, FINGERPRINT, smaller_index())
    monkeypatch.undo()

    kept = index_cache.load(saved, FINGERPRINT)
    assert kept is not None
    assert kept.songs == songs()
    np.testing.assert_array_equal(np.asarray(kept.vectors), index_data().vectors)
    assert leftovers(saved) == []


def test_a_killed_save_keeps_the_old_cache_and_the_next_save_clears_up(saved: Path) -> None:
    killed_half_way = (
        "import json, os, sys\nfrom pathlib import Path\nimport faiss\nfrom recommender import index\n"
        "folder, fingerprint = Path(sys.argv[1]), index.Fingerprint(**json.loads(sys.argv[2]))\n"
        "data = index.load(folder, fingerprint)\n"
        "faiss.write_index = lambda *args: os._exit(9)\n"
        "index.save(folder, fingerprint, data)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", killed_half_way, str(saved), json.dumps(asdict(FINGERPRINT))], check=False
    )
    assert killed.returncode == 9
    [staging] = leftovers(saved)  # what the killed build was writing
    assert ".staging-" in staging
    kept = index_cache.load(saved, FINGERPRINT)
    assert kept is not None and kept.songs == songs()
    assert leftovers(saved) == []  # cleared at start-up, not only by the next save

    index_cache.save(saved, FINGERPRINT, smaller_index())
    assert leftovers(saved) == []
    replaced = index_cache.load(saved, FINGERPRINT)
    assert replaced is not None and replaced.songs == songs()[:2]


KILLED_AT_STEP = """
import json, os, shutil, signal, sys
from collections.abc import Sequence
from pathlib import Path
import faiss
import numpy as np
from recommender import index

folder, fingerprint, step = Path(sys.argv[1]), index.Fingerprint(**json.loads(sys.argv[2])), int(sys.argv[3])
data = index.load(folder, fingerprint)
vectors = np.asarray(data.vectors[:2])
flat = faiss.IndexFlatIP(vectors.shape[1])
flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
data = index.IndexData(data.songs[:2], vectors, flat)
steps = 0


def killed_before(call):
    def step_then_call(*args, **kwargs):
        global steps
        steps += 1
        if steps == step:
            os.kill(os.getpid(), signal.SIGKILL)
        return call(*args, **kwargs)
    return step_then_call


# Every operation the save makes on the file system: each write's sync, each rename, each deletion.
os.fsync, os.rename, shutil.rmtree, os.mkdir = map(killed_before, (os.fsync, os.rename, shutil.rmtree, os.mkdir))
with index.build_lock(folder):
    index.save(folder, fingerprint, data)
print(steps)
"""


def test_a_process_killed_at_any_step_of_a_save_leaves_an_index_that_loads_without_a_rebuild(saved: Path) -> None:
    """Kill -9 before each file-system step of a save; the next start finds the old or the new index, never none."""

    def run(step: int) -> subprocess.CompletedProcess[str]:
        args = [str(saved), json.dumps(asdict(FINGERPRINT)), str(step)]
        return subprocess.run(
            [sys.executable, "-c", KILLED_AT_STEP, *args], capture_output=True, text=True, check=False
        )

    completed = run(0)
    assert completed.returncode == 0, completed.stderr
    steps = int(completed.stdout)
    assert steps >= 8
    seen = []
    for step in range(1, steps + 1):
        shutil.rmtree(saved, ignore_errors=True)
        index_cache.save(saved, FINGERPRINT, index_data())
        killed = run(step)
        assert killed.returncode == -9, (step, killed.stderr)
        # The next start, as Recommender.load does it: a look without the lock, then one holding it.
        found = index_cache.load(saved, FINGERPRINT)
        if found is None:
            with index_cache.build_lock(saved):
                found = index_cache.load(saved, FINGERPRINT)
        assert found is not None, f"killed before step {step} of {steps}: the index was lost"
        assert leftovers(saved) == [], step
        seen.append(len(found.songs))
        assert found.songs == (songs() if len(found.songs) == 3 else songs()[:2])
    # Killed early the old index stays; once the new one was complete, it is the one found.
    assert seen[0] == 3 and seen[-1] == 2 and seen == sorted(seen, reverse=True)


# --- end to end: Recommender.load rebuilds a damaged cache --------------------------------

TINY_CATALOG = """title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop
Quiet Rain,Ana Folk,indie folk,2012,72,20,35,-14,9,20,245,88,3,40
Party All Night,DJ Hype,big room,2015,128,95,88,-3,25,85,190,1,6,78
Street Rhymes,MC Flow,detroit hip hop,2017,92,70,80,-6,12,50,210,5,30,70
Slow Dance,Ana Folk,neo mellow,2011,80,40,55,-8,10,45,230,40,4,60
Million Years Ago,Adele,british soul,2016,0,0,0,-60,0,0,227,0,0,0
"""
PARTY = "loud party dance music"


def assembled_model() -> str:
    """The model folder assembled in the user's cache (assembling it there once if needed)."""
    from recommender.model import resolve_model
    from recommender.paths import cache_dir

    return resolve_model(cache_dir())[0]


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory: pytest.TempPathFactory, load_encoder_once):  # type: ignore[no-untyped-def]
    """A tiny catalog and a cache holding its default index, built once by ``Recommender.load``."""
    from recommender.engine import Recommender
    from recommender.model import MODEL_ENV

    root = tmp_path_factory.mktemp("tiny")
    catalog = root / "tiny.csv"
    catalog.write_text(TINY_CATALOG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_ENV, assembled_model())
        patch.setattr("recommender.engine.load_encoder", load_encoder_once)
        built = Recommender.load(catalog, cache_dir=root / "cache")
    return catalog, root / "cache", [r.song.title for r in built.recommend(PARTY, k=3)]


@pytest.mark.slow
def test_recommender_load_builds_and_caches_the_index(tiny_cache) -> None:  # type: ignore[no-untyped-def]
    _, cache, expected = tiny_cache
    assert expected[0] == "Party All Night"
    [folder] = [p for p in (cache / "indexes").iterdir() if p.is_dir()]  # beside it: the build lock file
    assert folder.name.startswith("default-")
    manifest = json.loads((folder / MANIFEST).read_text())
    data = index_cache.load(folder, Fingerprint(**manifest["fingerprint"]))
    assert data is not None and len(data.songs) == 5
    # The lookups' title keys were made at the build and saved with the songs, not made again at every start.
    assert isinstance(data.songs, SongTable)
    derived = [name for name in data.songs.arrays() if name.startswith(DERIVED) and name.endswith(".text")]
    assert len(derived) == 3, derived


@pytest.mark.slow
@pytest.mark.parametrize("fails", [False, True], ids=["built", "build-failed"])
def test_a_build_lets_go_of_what_embedding_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool) -> None:
    """A process that builds an index and then serves must not keep the long-text models the build compiled."""
    from tiny_recommender import HashEncoder

    from recommender.engine import Recommender
    from recommender.model import MODEL_ENV

    class Releasing(HashEncoder):
        released = 0

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            if fails:
                raise RuntimeError("the model broke mid-build")
            return super().encode(texts)

        def release(self) -> None:
            self.released += 1

    catalog = tmp_path / "tiny.csv"
    catalog.write_text(TINY_CATALOG, encoding="utf-8")
    monkeypatch.setenv(MODEL_ENV, assembled_model())
    encoder = Releasing()
    if fails:
        with pytest.raises(RuntimeError):
            Recommender.load(catalog, cache_dir=tmp_path / "cache", encoder=encoder)
    else:
        Recommender.load(catalog, cache_dir=tmp_path / "cache", encoder=encoder)
    assert encoder.released == 1


@pytest.mark.slow
def test_int8_requests_serve_from_the_index_the_default_backend_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openvino-int8 encodes requests only: a catalog's songs are embedded by the default backend, whose index
    it shares in the cache instead of building its own."""
    from tiny_recommender import HashEncoder

    from recommender.encoder import SplitEncoder
    from recommender.engine import Recommender
    from recommender.model import MODEL_ENV

    class Named(HashEncoder):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name
            self.texts = 0

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            self.texts += len(texts)
            return super().encode(texts)

    catalog = tmp_path / "tiny.csv"
    catalog.write_text(TINY_CATALOG, encoding="utf-8")
    monkeypatch.setenv(MODEL_ENV, assembled_model())
    default, int8 = Named("openvino-bf16+fp32head"), Named("openvino-int8")
    Recommender.load(catalog, cache_dir=tmp_path / "cache", encoder=default)
    built = default.texts
    assert built >= 5  # every song embedded once
    served = Recommender.load(catalog, cache_dir=tmp_path / "cache", encoder=SplitEncoder(int8, default))
    assert default.texts == built  # no second build: the default backend's index serves
    before = int8.texts  # the concept meanings, embedded at start-up like a request
    served.recommend("quiet rain")
    assert int8.texts == before + 1 and default.texts == built


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("vectors.npy", garbage),
        ("vectors.npy", truncate),
        ("songs.npz", garbage),
        (MANIFEST, garbage),
        ("songs.npz", delete),
    ],
    ids=["vectors-garbage", "vectors-truncated", "songs-garbage", "manifest-garbage", "songs-deleted"],
)
def test_recommender_load_rebuilds_a_corrupted_cache(  # type: ignore[no-untyped-def]
    tiny_cache,
    tmp_path: Path,
    name: str,
    damage,
    monkeypatch: pytest.MonkeyPatch,
    load_encoder_once,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from recommender.engine import Recommender
    from recommender.model import MODEL_ENV

    catalog, built, expected = tiny_cache
    cache = tmp_path / "cache"
    shutil.copytree(built, cache)
    [folder] = [p for p in (cache / "indexes").iterdir() if p.is_dir()]  # beside it: the build lock file
    fingerprint = Fingerprint(**json.loads((folder / MANIFEST).read_text())["fingerprint"])
    monkeypatch.setenv(MODEL_ENV, assembled_model())
    monkeypatch.setattr("recommender.engine.load_encoder", load_encoder_once)

    damage(folder / name)
    with caplog.at_level(logging.WARNING):
        rebuilt = Recommender.load(catalog, cache_dir=cache)
    assert any("damaged" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert len(rebuilt.songs) == 5
    assert [r.song.title for r in rebuilt.recommend(PARTY, k=3)] == expected
    # The cache on disk is whole again: the next load reads it without a warning.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = index_cache.load(folder, fingerprint)
    assert again is not None and again.songs == rebuilt.songs
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.slow
@pytest.mark.parametrize(
    "where", ["recommender.profiles.default.build_index", "recommender.index.sha256_file"], ids=["building", "saving"]
)
def test_an_interrupted_rebuild_keeps_the_old_index(  # type: ignore[no-untyped-def]
    tiny_cache, tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch, load_encoder_once
) -> None:
    from recommender.engine import Recommender
    from recommender.model import MODEL_ENV

    catalog, built, expected = tiny_cache
    cache = tmp_path / "cache"
    shutil.copytree(built, cache)
    [folder] = [p for p in (cache / "indexes").iterdir() if p.is_dir()]
    fingerprint = Fingerprint(**json.loads((folder / MANIFEST).read_text())["fingerprint"])
    before = index_cache.load(folder, fingerprint)
    assert before is not None
    monkeypatch.setenv(MODEL_ENV, assembled_model())
    monkeypatch.setattr("recommender.engine.load_encoder", load_encoder_once)

    with monkeypatch.context() as patch:
        patch.setattr(where, raise_interrupt)
        with pytest.raises(KeyboardInterrupt):
            Recommender.load(catalog, cache_dir=cache, rebuild=True)
    kept = index_cache.load(folder, fingerprint)
    assert kept is not None and kept.songs == before.songs
    np.testing.assert_array_equal(np.asarray(kept.vectors), np.asarray(before.vectors))

    rebuilt = Recommender.load(catalog, cache_dir=cache, rebuild=True)
    assert [r.song.title for r in rebuilt.recommend(PARTY, k=3)] == expected
    assert leftovers(folder) == []


def test_build_lock_is_exclusive_between_processes(tmp_path: Path) -> None:
    """A second process cannot take the build lock while the first holds it."""
    folder = tmp_path / "indexes" / "default-abc"
    probe = (
        "import fcntl, sys; handle = open(sys.argv[1], 'w')\n"
        "try:\n    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n"
    )
    lock_file = str(folder.with_name(folder.name + ".lock"))
    with index_cache.build_lock(folder):
        held = subprocess.run([sys.executable, "-c", probe, lock_file])
    free = subprocess.run([sys.executable, "-c", probe, lock_file])
    assert (held.returncode, free.returncode) == (3, 0)


# --- an interrupted build resumes from its last finished embedding chunk ----------------------


class CountingEmbedder:
    """A stand-in model: a fixed vector per text, every text it embeds counted, interrupted on request."""

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.embedded: list[str] = []
        self.interrupt_after = interrupt_after

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if self.interrupt_after is not None and len(self.embedded) >= self.interrupt_after:
            raise KeyboardInterrupt
        self.embedded += texts
        return np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)


TEXTS = [f"song number {n}" for n in range(100)]


def test_an_interrupted_build_resumes_and_embeds_no_song_twice(tmp_path: Path) -> None:
    folder = cache_folder(tmp_path, FINGERPRINT)
    first = CountingEmbedder(interrupt_after=50)
    with pytest.raises(KeyboardInterrupt):
        index_cache.embed_resumable(folder, FINGERPRINT, TEXTS, first, chunk=10)
    assert first.embedded == TEXTS[:50]

    second = CountingEmbedder()
    vectors = index_cache.embed_resumable(folder, FINGERPRINT, TEXTS, second, chunk=10)
    assert second.embedded == TEXTS[50:]  # no song embedded twice
    np.testing.assert_array_equal(vectors, CountingEmbedder()(TEXTS))

    index_cache.save(folder, FINGERPRINT, index_data())
    assert not index_cache.partial_folder(folder).exists()  # the cache holds the work now


@pytest.mark.parametrize(
    ("fingerprint", "texts"),
    [(replace(FINGERPRINT, template_version=2), TEXTS), (FINGERPRINT, [*TEXTS[:30], "changed", *TEXTS[31:]])],
    ids=["other-fingerprint", "other-texts"],
)
def test_chunks_of_another_build_are_never_reused(tmp_path: Path, fingerprint: Fingerprint, texts: list[str]) -> None:
    folder = cache_folder(tmp_path, FINGERPRINT)
    with pytest.raises(KeyboardInterrupt):
        index_cache.embed_resumable(folder, FINGERPRINT, TEXTS, CountingEmbedder(interrupt_after=50), chunk=10)
    again = CountingEmbedder()
    index_cache.embed_resumable(folder, fingerprint, texts, again, chunk=10)
    assert again.embedded == texts


def test_a_damaged_chunk_is_embedded_again(tmp_path: Path) -> None:
    folder = cache_folder(tmp_path, FINGERPRINT)
    with pytest.raises(KeyboardInterrupt):
        index_cache.embed_resumable(folder, FINGERPRINT, TEXTS, CountingEmbedder(interrupt_after=50), chunk=10)
    garbage(index_cache.partial_folder(folder) / "0000002.npy")
    again = CountingEmbedder()
    index_cache.embed_resumable(folder, FINGERPRINT, TEXTS, again, chunk=10)
    assert again.embedded == TEXTS[20:30] + TEXTS[50:]


# --- musicrec index build --device -------------------------------------------------------------


def test_a_build_on_a_gpu_moves_the_model_there_and_back() -> None:
    from recommender.engine import model_on

    moves: list[str] = []

    class Model:
        def to(self, device: str) -> None:
            moves.append(device)

    class TorchLike:  # the torch encoder carries its model; the converted one has none to move
        model = Model()

    model = TorchLike()
    with model_on(model, "cuda"):  # type: ignore[arg-type]
        assert moves == ["cuda"]
    with pytest.raises(KeyboardInterrupt), model_on(model, "cuda:1"):  # type: ignore[arg-type]
        raise KeyboardInterrupt
    with model_on(model, "cpu"):  # type: ignore[arg-type]
        pass
    assert moves == ["cuda", "cpu", "cuda:1", "cpu"]
    with pytest.raises(RequestError, match="MUSICREC_ENCODER=torch"), model_on(object(), "cuda"):  # type: ignore[arg-type]
        pass


@pytest.mark.parametrize(
    ("device", "fragment"), [("cuda", "no CUDA GPU"), ("tpu", "unknown device"), ("meta", "not supported")]
)
def test_index_build_names_a_device_it_cannot_use(
    device: str, fragment: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from recommender.cli import main

    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    assert main(["index", "build", "--device", device]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and "\n" not in err and "Traceback" not in err
