"""A small, strict parser of the Google Ads Query Language for the sandbox server.

It understands the shape the connector sends and little more:

    SELECT field[, field ...] FROM resource
    [WHERE condition [AND condition ...]]

where a condition is `field op value` (op one of = != < <= > >=, value a quoted string, a number,
TRUE/FALSE or an enum constant) or `field BETWEEN 'a' AND 'b'`. Anything else (ORDER BY, LIMIT,
PARAMETERS, IN, LIKE, DURING, OR, parentheses) is refused with the QueryError the real API would
use for a query it cannot parse, so a connector bug shows up as the platform's own error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Value = str | int | float | bool


class GaqlError(ValueError):
    """A query the sandbox refuses; `code` is a QueryErrorEnum.QueryError name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "=", "!=", "<", "<=", ">", ">=", "BETWEEN"
    value: Value | tuple[Value, Value]


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    resource: str
    conditions: tuple[Condition, ...] = ()

    def selects(self, prefix: str) -> bool:
        """True when any selected field starts with `prefix` (e.g. "ad_group.")."""
        return any(f.startswith(prefix) for f in self.fields)

    def condition(self, field: str) -> Condition | None:
        for cond in self.conditions:
            if cond.field == field:
                return cond
        return None


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<comma>,)
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)
_FIELD = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_RESOURCE = re.compile(r"[a-z][a-z0-9_]*")
_UNSUPPORTED = {"ORDER", "LIMIT", "PARAMETERS", "IN", "LIKE", "DURING", "OR", "NOT", "CONTAINS"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:  # pragma: no cover - the regex always matches
            raise GaqlError("UNEXPECTED_INPUT", f"Error in query: unexpected input at {pos}.")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "bad":
            if value in "'\"":
                raise GaqlError("STRING_NOT_TERMINATED", "Error in query: string not terminated.")
            raise GaqlError("BAD_SYMBOL", f"Error in query: unexpected symbol {value!r}.")
        out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise GaqlError("UNEXPECTED_END_OF_QUERY", "Error in query: unexpected end of query.")
        self.pos += 1
        return token

    def keyword(self, word: str, code: str) -> None:
        kind, value = self.take()
        if kind != "word" or value.upper() != word:
            raise GaqlError(code, f"Error in query: expected {word}, got {value!r}.")

    def at_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].upper() == word

    def field(self) -> str:
        kind, value = self.take()
        if kind != "word" or not _FIELD.fullmatch(value):
            raise GaqlError("BAD_FIELD_NAME", f"Error in query: bad field name {value!r}.")
        return value

    def value(self) -> Value:
        kind, value = self.take()
        if kind == "string":
            return value[1:-1]
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind == "word" and value.upper() in ("TRUE", "FALSE"):
            return value.upper() == "TRUE"
        if kind == "word" and re.fullmatch(r"[A-Z][A-Z0-9_]*", value):
            return value  # an enum constant
        raise GaqlError("BAD_VALUE", f"Error in query: bad value {value!r}.")

    def condition(self) -> Condition:
        field = self.field()
        token = self.take()
        if token[0] == "op":
            return Condition(field, token[1], self.value())
        if token[0] == "word" and token[1].upper() == "BETWEEN":
            low = self.value()
            self.keyword("AND", "EXPECTED_AND")
            high = self.value()
            return Condition(field, "BETWEEN", (low, high))
        if token[0] == "word" and token[1].upper() in _UNSUPPORTED:
            raise GaqlError(
                "BAD_OPERATOR", f"Error in query: operator {token[1]} is not supported here."
            )
        raise GaqlError("BAD_OPERATOR", f"Error in query: bad operator {token[1]!r}.")

    def parse(self) -> Query:
        self.keyword("SELECT", "EXPECTED_SELECT")
        fields = [self.field()]
        while self.peek() == ("comma", ","):
            self.take()
            fields.append(self.field())
        self.keyword("FROM", "EXPECTED_FROM")
        kind, resource = self.take()
        if kind != "word" or not _RESOURCE.fullmatch(resource):
            raise GaqlError(
                "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE", f"Error in query: bad resource {resource!r}."
            )
        conditions = []
        if self.at_keyword("WHERE"):
            self.take()
            conditions.append(self.condition())
            while self.at_keyword("AND"):
                self.take()
                conditions.append(self.condition())
        token = self.peek()
        if token is not None:
            raise GaqlError("UNEXPECTED_INPUT", f"Error in query: unexpected input {token[1]!r}.")
        if len(set(fields)) != len(fields):
            raise GaqlError(
                "PROHIBITED_FIELD_COMBINATION_IN_SELECT_CLAUSE",
                "Error in query: a field is selected twice.",
            )
        return Query(tuple(fields), resource, tuple(conditions))


def parse(text: str) -> Query:
    """Parse one GAQL query; raises GaqlError with a QueryError code."""
    return _Parser(text).parse()
