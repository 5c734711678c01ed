"""PBKDF2 keys for the encryption plugin: derived in parallel, and kept between builds in the data dir.

mkdocs-encryptcontent derives one PBKDF2 key per password (1,000,000 iterations: ~0.11 s each), one
after the other; a county with 400 villages has over 400 passwords. Here the keys are derived on every
core at once and handed to the plugin through its in-memory cache, so it derives nothing itself. With
a data directory the keys are also kept in ``kdf-keys.json`` (mode 0600, outside the repository and the
site), indexed by a hash of the password, never the password itself — so an unchanged password costs
nothing on the next night. A derived key opens the pages as the password does: the file is as secret
as the secrets file, which is why it lives only in the private data directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets as random
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

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


def _save(path: Path, keys: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keys, handle)
    os.replace(tmp, path)


def plugin_cache(passwords: Iterable[str], iterations: int, data_dir: Path | None = None) -> dict[str, Any]:
    """The plugin's ``setup['cache']`` with a key for every password (derived here, or from the data dir)."""
    path = data_dir / CACHE_FILE if data_dir is not None else None
    stored = _load(path)
    wanted = sorted(set(passwords))
    todo = [pw for pw in wanted if _digest(pw, iterations) not in stored]
    if todo:
        salts = [random.token_bytes(16) for _ in todo]
        jobs = [(pw, salt, iterations) for pw, salt in zip(todo, salts, strict=True)]
        workers = min(len(jobs), os.cpu_count() or 1)
        if workers > 1 and len(jobs) > 2:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                keys = list(pool.map(_derive, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
        else:
            keys = [_derive(job) for job in jobs]
        for pw, salt, key in zip(todo, salts, keys, strict=True):
            stored[_digest(pw, iterations)] = f"{key.hex()};{salt.hex()}"
        if path is not None:
            live = {_digest(pw, iterations) for pw in wanted}
            _save(path, {k: v for k, v in stored.items() if k in live})
    seeded = {}
    for pw in wanted:
        key_hex, salt_hex = stored[_digest(pw, iterations)].split(";")
        seeded[pw] = f"{key_hex};{salt_hex};{hashlib.sha256(pw.encode()).hexdigest()}"
    return {"userpass": {}, "password": seeded, "obfuscate": {}, "kdf_iterations": iterations}


@lru_cache(maxsize=16)
def _template(source: str) -> Any:
    import jinja2

    return jinja2.Template(source)


def seed_plugin(mkdocs_config: Any, data_dir: Path | None = None) -> None:
    """Give a loaded mkdocs config's encryptcontent plugin every key it will need.

    Also lets the plugin reuse its compiled decrypt-form template instead of compiling the same string
    again for every page (~15% of a build); the rendered output is identical."""
    plugin = mkdocs_config.plugins.get("encryptcontent") if hasattr(mkdocs_config, "plugins") else None
    if plugin is None:
        return
    import encryptcontent.plugin

    encryptcontent.plugin.Template = _template
    inventory = plugin.config.get("password_inventory") or {}
    passwords = [pw for values in inventory.values() for pw in (values if isinstance(values, list) else [values])
                 if isinstance(pw, str)]
    iterations = 10 ** int(plugin.config.get("kdf_pow", 5))
    plugin.setup["cache"] = plugin_cache(passwords, iterations, data_dir)
