"""nabla's exceptions: every error of the language carries its position and the caret message."""


class NablaError(Exception):
    """An error of nabla. ``line`` and ``column`` (1-based, 0 when there is no position),
    ``message`` (one line), ``hint`` (what to do, may be empty), ``caret`` (the message with the
    source line and a caret under the position, as the command line prints it)."""

    kind = "internal"

    def __init__(self, message, hint="", caret="", line=0, column=0):
        super().__init__(caret.rstrip("\n") if caret else message)
        self.message = message
        self.hint = hint
        self.caret = caret
        self.line = line
        self.column = column


class ParseError(NablaError, ValueError):
    """The text does not parse (nabla language syntax)."""

    kind = "syntax"


class UndefinedNameError(NablaError, NameError):
    """A name that is not declared, or a name misused."""

    kind = "name"


class ShapeError(NablaError, ValueError):
    """Dimensions that do not fit (the message names both shapes)."""

    kind = "shape"


class EvaluationError(NablaError, ValueError):
    """Bad numeric input: a missing value, a singular matrix, ..."""

    kind = "value"


class LimitError(NablaError, RuntimeError):
    """An input, depth, size or time budget was exceeded."""

    kind = "limit"


class UnsupportedError(NablaError, NotImplementedError):
    """A well-formed request nabla cannot answer (e.g. no matrix form)."""

    kind = "unsupported"


class UsageError(NablaError, TypeError):
    """The API was called in a way that cannot work."""

    kind = "usage"


class InternalError(NablaError, RuntimeError):
    """A bug in nabla: please report it."""

    kind = "internal"


_BY_KIND = {c.kind: c for c in (ParseError, UndefinedNameError, ShapeError, EvaluationError,
                                 LimitError, UnsupportedError, UsageError, InternalError)}


def _make(kind, message, hint, caret, line, column):
    cls = _BY_KIND.get(kind, InternalError)
    return cls(message, hint=hint, caret=caret, line=line, column=column)
