"""PBKDF2 keys of the site passwords: derived in parallel, and kept between builds.

Every password needs one PBKDF2-HMAC-SHA256 run (1,000,000 iterations: ~0.11 s here) to wrap the level
keys it opens (:mod:`tracker.protect.forms`); a county with 400 villages has over 400 passwords.  They are
derived on every core at once and kept in a key file (mode 0600) indexed by a hash of the password, never
the password itself -- so an unchanged password costs nothing on the next build.  A derived key opens the
pages as the password does: the key file is as secret as the secrets file and lives only beside it or in
the private data directory (:func:`key_files`), never in the repository or the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets as random
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

from tracker.common import cores, write_private

from .forms import PasswordKey

CACHE_FILE = "kdf-keys.json"


def _derive(job: tuple[str, bytes, int]) -> bytes:
    from Crypto.Hash import SHA256
    from Crypto.Protocol.KDF import PBKDF2

    password, salt, iterations = job
    # exactly as the plugin does: the password URI-encoded, 32-byte key, HMAC-SHA256
    return PBKDF2(quote(password, safe="~()*!'"), salt, 32, count=iterations, hmac_hash_module=SHA256)


def _digest(password: str, iterations: int) -> str:
    return hashlib.sha256(f"{iterations}:{password}".encode()).hexdigest()


def _load(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}
    except (OSError, ValueError):
        return {}


def key_files(data_dir: Path | None, secrets_source: Path | None) -> list[Path]:
    """Where derived keys are kept: the data directory of ``tracker nightly`` and/or beside the secrets file
    (``tracker passwords generate`` derives them there).  New keys are written to the first."""
    files = []
    if data_dir is not None:
        files.append(data_dir / CACHE_FILE)
    if secrets_source is not None:
        files.append(secrets_source.with_name(secrets_source.name + ".keys"))
    return files


def password_keys(passwords: Iterable[str], iterations: int, paths: Sequence[Path] = ()) -> dict[str, PasswordKey]:
    """A derived key for every password: from the key files when they have it, else derived (and kept in the
    first key file)."""
    stored: dict[str, str] = {}
    for path in reversed(paths):
        stored.update(_load(path))
    wanted = sorted(set(passwords))
    path = paths[0] if paths else None
    todo = [pw for pw in wanted if _digest(pw, iterations) not in stored]
    if todo:
        salts = [random.token_bytes(16) for _ in todo]
        jobs = [(pw, salt, iterations) for pw, salt in zip(todo, salts, strict=True)]
        workers = min(len(jobs), cores.jobs())
        if workers > 1 and len(jobs) > 2:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                keys = list(pool.map(_derive, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
        else:
            keys = [_derive(job) for job in jobs]
        for pw, salt, key in zip(todo, salts, keys, strict=True):
            stored[_digest(pw, iterations)] = f"{key.hex()};{salt.hex()}"
    if path is not None and todo:
        live = {_digest(pw, iterations) for pw in wanted}
        with contextlib.suppress(OSError):  # a read-only place: derive again next time
            write_private(path, json.dumps({k: v for k, v in stored.items() if k in live}))
    out = {}
    for pw in wanted:
        key_hex, salt_hex = stored[_digest(pw, iterations)].split(";")
        out[pw] = PasswordKey(salt=bytes.fromhex(salt_hex), key=bytes.fromhex(key_hex))
    return out
