"""Offline files: CSV (the exportify.net column layout, re-importable with
``spotui import``), M3U and JSON. They need no account at all.

Why the exact Exportify layout: other Exportify tooling (and spotui's own importer)
accepts the file, and floats are written so they read back as the same number. Files
appear complete or not at all (written to a temporary file, then renamed), with the mode
any new file of the user's gets (0666 less the umask): a playlist file is not a secret, and a
0600 file surprises whoever copies it to a music player or shares it.

Names are other people's text, so each format's own trap is defused here with the rules of
:mod:`spotui.core.untrusted`: a CSV text cell that starts like a formula gets a ``'`` (a title
``=HYPERLINK(...)`` must not become a live link in a spreadsheet; ``spotui import`` takes
the ``'`` off again), an M3U line carries no newline or control character, and JSON keeps
every name exactly, with DEL, C1 and bidi controls written as ``\\u`` escapes (``\\u007f``).

The format follows the file name (``mix.m3u`` is an M3U file) unless one is chosen: a
``x.m3u`` full of CSV text is worse than an error, so a name with no known ending and no
chosen format is refused with the endings that work.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from spotui.core.errors import UserError
from spotui.core.feature_spec import EXPORTIFY_FEATURES, FEATURE_NAMES
from spotui.core.records import Features, Track
from spotui.core.text import count, number
from spotui.core.untrusted import csv_cell, inert, json_inert
from spotui.export.playlists import dedupe
from spotui.export.targets import ExportTarget, cluster_target
from spotui.spotify.ids import parse_track_id, track_uri

if TYPE_CHECKING:
    from spotui.analysis.moods.result import SegmentResult

FORMATS = ("csv", "m3u", "json")
#: File name endings and the format each one means (M3U8 is M3U in UTF-8, which spotui
#: always writes).
EXTENSIONS: dict[str, str] = {".csv": "csv", ".m3u": "m3u", ".m3u8": "m3u", ".json": "json"}


def file_format(out_path: str | Path, fmt: str | None = None) -> str:
    """The format a file is written in: ``fmt`` when one is chosen, else its name's ending.

    Why the name decides by default: ``x.m3u`` must hold M3U, whatever a format picker
    happened to show. An unknown ending with no chosen format is an error naming the
    accepted endings, instead of a guess.
    """
    if fmt:
        if fmt not in FORMATS:
            raise UserError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
        return fmt
    name = Path(out_path).name
    found = EXTENSIONS.get(Path(name).suffix.lower())
    if found is None:
        endings = ", ".join(list(EXTENSIONS)[:-1]) + f" or {list(EXTENSIONS)[-1]}"
        raise UserError(
            f"Cannot tell the file format from “{name}”: name it {endings}, or choose a "
            f"format ({', '.join(FORMATS)})."
        )
    return found


#: exportify.net's 24 columns (docs/spotify-api.md §5.2), then ISRC, which spotui's importer
#: also reads. Keeping the exact order means other Exportify tooling accepts the file.
CSV_COLUMNS = (
    "Track URI", "Track Name", "Album Name", "Artist Name(s)", "Release Date", "Duration (ms)",
    "Popularity", "Explicit", "Added By", "Added At", "Genres", "Record Label",
    "Danceability", "Energy", "Key", "Loudness", "Mode", "Speechiness", "Acousticness",
    "Instrumentalness", "Liveness", "Valence", "Tempo", "Time Signature", "ISRC",
)  # fmt: skip


@dataclass
class FileResult:
    path: Path
    fmt: str
    written: int
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = f"Wrote {count(self.written, 'track')} to {self.path} ({self.fmt})."
        if self.skipped:
            line += f" Skipped {number(len(self.skipped))}: " + "; ".join(
                f"{t} ({why})" for t, why in self.skipped
            )
        return line

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "format": self.fmt,
            "written": self.written,
            "skipped": [{"track_id": t, "reason": r} for t, r in self.skipped],
        }


def _fmt_number(v: float | int | None) -> str:
    """Shortest text that reads back as the same number (floats round-trip exactly)."""
    if v is None:
        return ""
    return repr(float(v)) if isinstance(v, float) else str(v)


def _local_uri(t: Track) -> str:
    """Spotify's own form for local files (``spotify:local:artist:album:title:seconds``);
    ``spotui import`` and Exportify tooling recognise and skip it."""
    secs = (t.duration_ms or 0) // 1000
    parts = [quote_plus(x) for x in (t.artist_line, t.album, t.name)]
    return "spotify:local:" + ":".join(parts) + f":{secs}"


def _csv_text(tracks: list[Track], features: dict[str, Features]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for t in tracks:
        f = features.get(t.id)
        feats = f.as_dict() if f else {}
        tid = parse_track_id(t.id)
        row = {
            "Track URI": track_uri(tid) if tid else _local_uri(t),
            "Track Name": csv_cell(t.name),
            "Album Name": csv_cell(t.album),
            "Artist Name(s)": csv_cell(",".join(t.artists)),
            "Release Date": csv_cell(t.release_date or ""),
            "Duration (ms)": "" if t.duration_ms is None else str(t.duration_ms),
            "Genres": csv_cell(",".join(t.genres)),
            "ISRC": csv_cell(t.isrc or ""),
        }
        for col, feat in EXPORTIFY_FEATURES.items():
            row[col] = _fmt_number(feats.get(feat))
        w.writerow([row.get(c, "") for c in CSV_COLUMNS])
    return buf.getvalue()


def _m3u_text(tracks: list[Track], title: str | None) -> tuple[str, list[tuple[str, str]]]:
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{inert(title)}")
    skipped = []
    for t in tracks:
        tid = parse_track_id(t.id)
        if tid is None:
            skipped.append((t.id, "no Spotify link for a track imported without an id"))
            continue
        secs = -1 if t.duration_ms is None else round(t.duration_ms / 1000)
        who = f"{t.artist_line} - " if t.artists else ""
        lines.append(f"#EXTINF:{secs},{inert(who + t.name)}")  # one line, nothing to run
        lines.append(f"https://open.spotify.com/track/{tid}")
    return "\n".join(lines) + "\n", skipped


def _json_text(
    tracks: list[Track], features: dict[str, Features], title: str | None, description: str | None
) -> str:
    items = []
    for t in tracks:
        f = features.get(t.id)
        tid = parse_track_id(t.id)
        items.append(
            {
                "id": t.id,
                "uri": track_uri(tid) if tid else None,
                "name": t.name,
                "artists": list(t.artists),
                "album": t.album,
                "duration_ms": t.duration_ms,
                "release_date": t.release_date,
                "genres": list(t.genres),
                "isrc": t.isrc,
                "features": ({n: getattr(f, n) for n in FEATURE_NAMES} | {"provider": f.provider})
                if f
                else None,
            }
        )
    doc = {
        "format": "spotui-tracks",
        "version": 1,
        "title": title,
        "description": description,
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tracks": items,
    }
    return json_inert(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"


def write_file(
    store,
    track_ids: Sequence[str],
    fmt: str | None,
    out_path: str | Path,
    *,
    title: str | None = None,
    description: str | None = None,
) -> FileResult:
    """Write tracks, in the order given, to a CSV (Exportify layout), M3U or JSON file.

    ``fmt`` None: the file name's ending decides (:func:`file_format`). No account is
    needed. The file appears complete or not at all (written to a temporary file, then
    renamed). Unknown ids are skipped and reported.
    """
    out_path = Path(out_path).expanduser()
    if out_path.is_dir():
        raise UserError(
            f"{out_path} is a directory; give a file name (e.g. {out_path}/mix.{fmt or 'csv'})."
        )
    fmt = file_format(out_path, fmt)
    ids, dups = dedupe(list(track_ids))
    tracks = store.tracks.get_tracks(ids)
    found = {t.id for t in tracks}
    skipped = [(t, "unknown track") for t in ids if t not in found] + dups
    if fmt == "csv":
        text = _csv_text(tracks, store.tracks.get_features_many(ids))
        written = len(tracks)
    elif fmt == "m3u":
        text, more = _m3u_text(tracks, title)
        skipped += more
        written = len(tracks) - len(more)
    else:
        text = _json_text(tracks, store.tracks.get_features_many(ids), title, description)
        written = len(tracks)
    _atomic_write(out_path, text)
    return FileResult(out_path, fmt, written, skipped)


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path``, then rename it over ``path``.

    The temporary file is opened with mode 0666 so the kernel applies the umask (usually
    giving 0644), as for any file the user makes; ``tempfile.mkstemp`` would leave 0600.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover - 100 random names all taken
            raise FileExistsError(f"no free temporary name beside {path}")
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower()
    return s or "cluster"


def write_clusters(
    store,
    result: SegmentResult,
    fmt: str,
    out_dir: str | Path,
    cluster_ids: Sequence[int] | None = None,
    arrange: Callable[[ExportTarget], ExportTarget] | None = None,
) -> list[FileResult]:
    """One file per cluster of ``result`` (``03-calm-acoustic.csv``) in ``out_dir``;
    ``arrange`` puts each cluster's tracks in another order (a flow along an arc)."""
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} is a file; with --all, --out names a directory.")
    ids = list(cluster_ids) if cluster_ids is not None else [c.id for c in result.clusters]
    files = []
    for cid in ids:
        target = cluster_target(result, cid)
        if arrange is not None:
            target = arrange(target)
        path = out_dir / f"{cid:02d}-{slug(result.cluster(cid).label)}.{fmt}"
        files.append(write_target(store, target, fmt, path))
    return files


def write_target(store, target: ExportTarget, fmt: str | None, out_path: str | Path) -> FileResult:
    """An export target as a file, titled and described like its playlist; ``fmt`` None:
    the file name's ending decides."""
    return write_file(
        store, target.track_ids, fmt, out_path, title=target.name, description=target.description
    )
