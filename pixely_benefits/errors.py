"""The project's exceptions.

Only faults that stop a command are raised; problems in single rows are data
(see :class:`pixely_benefits.problems.Problem`). Every message is one Spanish
sentence that says what to fix, because the CLI prints it as it is.
"""


class PixelyError(Exception):
    """Base error: a command cannot go on. ``exit_code`` is what the CLI returns."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SheetNotFoundError(PixelyError):
    """The control sheet named by the user does not exist or cannot be reached."""


class SheetFormatError(PixelyError):
    """The file is not a workbook the tool can read (a CSV, a corrupt file...)."""


class StructuralError(PixelyError):
    """A required tab or header is missing or ambiguous: nothing is read or written."""


class ConcurrentChangeError(PixelyError):
    """The sheet changed between the read and the write: run the command again."""


class WriteConflictError(PixelyError):
    """A row the tool must update is gone or duplicated at write time."""


class UsageError(PixelyError):
    """The user asked for something that does not exist (a client, a benefit...)."""


class TemplateError(PixelyError):
    """A message template is missing or broken."""


class ConfigurationError(PixelyError):
    """A setting from the environment or .env is missing or wrong."""
