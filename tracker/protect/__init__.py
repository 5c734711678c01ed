"""Who may read what: site passwords (strength policy, the strength estimate, generation, distribution sheets, the
secrets file), the password levels, encrypting a page into the mkdocs-encryptcontent form, the key caches, and
``tracker serve`` (HTTPS, optional login).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "BasicAuth": "serve", "check_kdf_pow": "encryption", "check_location": "secrets_file", "decrypt_js": "forms",
    "DEFAULT_CERT_DIR": "serve", "demo_secrets": "secrets_file", "distribution_sheets": "sheets",
    "ENV_SERVE_PASSWORD": "serve", "fold": "passwords", "generate_secrets": "passwords", "GENERATED_BITS":
    "passwords", "KDF_POW": "encryption", "key_files": "kdf_cache", "KeyRing": "forms", "level_keys": "forms",
    "make_certificate": "serve", "make_server": "serve", "missing_places": "encryption", "password_inventory":
    "encryption", "password_keys": "kdf_cache", "protect": "forms", "read_secrets": "secrets_file",
    "resolve_secrets": "secrets_file", "Secrets": "passwords", "url_of": "serve", "write_secrets": "secrets_file",
    "write_sheets": "sheets", "staged_sheets": "sheets", "check_strength": "passwords", "MIN_GUESSES": "strength",
    "LoginLimiter": "login_limit",
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .encryption import (
        KDF_POW as KDF_POW,
    )
    from .encryption import (
        check_kdf_pow as check_kdf_pow,
    )
    from .encryption import (
        missing_places as missing_places,
    )
    from .encryption import (
        password_inventory as password_inventory,
    )
    from .forms import KeyRing as KeyRing
    from .forms import decrypt_js as decrypt_js
    from .forms import level_keys as level_keys
    from .forms import protect as protect
    from .kdf_cache import key_files as key_files
    from .kdf_cache import password_keys as password_keys
    from .login_limit import LoginLimiter as LoginLimiter
    from .passwords import (
        GENERATED_BITS as GENERATED_BITS,
    )
    from .passwords import (
        Secrets as Secrets,
    )
    from .passwords import (
        check_strength as check_strength,
    )
    from .passwords import (
        fold as fold,
    )
    from .passwords import (
        generate_secrets as generate_secrets,
    )
    from .secrets_file import (
        check_location as check_location,
    )
    from .secrets_file import (
        demo_secrets as demo_secrets,
    )
    from .secrets_file import (
        read_secrets as read_secrets,
    )
    from .secrets_file import (
        resolve_secrets as resolve_secrets,
    )
    from .secrets_file import (
        write_secrets as write_secrets,
    )
    from .serve import (
        DEFAULT_CERT_DIR as DEFAULT_CERT_DIR,
    )
    from .serve import (
        ENV_SERVE_PASSWORD as ENV_SERVE_PASSWORD,
    )
    from .serve import (
        BasicAuth as BasicAuth,
    )
    from .serve import (
        make_certificate as make_certificate,
    )
    from .serve import (
        make_server as make_server,
    )
    from .serve import (
        url_of as url_of,
    )
    from .sheets import distribution_sheets as distribution_sheets
    from .sheets import staged_sheets as staged_sheets
    from .sheets import write_sheets as write_sheets
    from .strength import MIN_GUESSES as MIN_GUESSES
