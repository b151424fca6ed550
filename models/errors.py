"""Exit codes and the exceptions that map onto them; each message says what to do next."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0  # every input published
    internal_error = 1  # a bug: please report with -v output
    bad_arguments = 2  # the command line is wrong (argparse also uses 2)
    quarantined = 3  # the run finished; at least one input was quarantined
    missing_dependency = 4  # tesseract or its French data is not installed
    output_not_writable = 5  # the --out folder cannot be created or written, or filled up
    output_locked = 6  # another run is publishing into the same --out folder
    port_in_use = 7  # serve/browse: the port asked for is taken
    unreachable = 8  # a service the command was pointed at does not answer (Dask scheduler)
    interrupted = 130  # stopped by Ctrl-C
    terminated = 143  # stopped by SIGTERM (a service manager, `kill`)


class MissionsError(Exception):
    """Base of the errors the user sees as one sentence and an exit code."""

    exit_code = ExitCode.internal_error


class BadArguments(MissionsError):
    exit_code = ExitCode.bad_arguments


class MissingDependency(MissionsError):
    exit_code = ExitCode.missing_dependency


class OutputNotWritable(MissionsError):
    exit_code = ExitCode.output_not_writable


class ReleaseDamaged(MissionsError):
    """The release in --out is damaged in a way that cannot be repaired without losing published
    rows; nothing is written over it."""

    exit_code = ExitCode.output_not_writable


class OutputLocked(MissionsError):
    exit_code = ExitCode.output_locked


class PortInUse(MissionsError):
    exit_code = ExitCode.port_in_use


class Unreachable(MissionsError):
    exit_code = ExitCode.unreachable


class InputRejected(MissionsError):
    """A single input cannot be read; it is quarantined with this message and the run goes on."""

    exit_code = ExitCode.quarantined


class UnsupportedFile(InputRejected):
    pass


class DamagedFile(InputRejected):
    pass


class EncryptedFile(InputRejected):
    pass


class NotARegularFile(InputRejected):
    """A link that leads outside the folder being read, a broken link, a pipe, a device."""


class ChangedWhileRead(InputRejected):
    """The file's bytes changed between the start and the end of reading it (a copy in progress)."""


class ReaderFailed(InputRejected):
    """The isolated reader crashed, ran out of time or of memory while opening the file."""


class PageError(Exception):
    """One page cannot be read; the page is recorded with this reason, the document goes on."""
