"""The one exception root. The CLI catches it once and prints its Chinese message, never a traceback."""

from __future__ import annotations


class TrackerError(Exception):
    """An expected failure the user can act on; ``str(err)`` is one plain sentence saying what to do."""

    exit_code = 2


class SourceError(TrackerError):
    """The register cannot be read at all (missing file, not a workbook, a required tab missing)."""


class ConfigError(TrackerError):
    """A configuration, contract or policy file is wrong; the message lists every bad key."""


class BuildError(TrackerError):
    """The site could not be built; nothing was published."""
