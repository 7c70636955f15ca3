"""Errors of the domain layer. Every door (API, pages, mail, commands) turns them into its own answer.

Each carries a stable machine-readable `code` and a human message; `errors` maps field names to
what is wrong with them.
"""


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, errors: dict[str, str] | None = None, **details):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.details = details


class InvalidInput(DomainError):
    code = "invalid"
    status = 422

    def __init__(self, errors: dict[str, str], message: str | None = None):
        first_field, first_problem = next(iter(errors.items()))
        super().__init__(message or f"{first_field}: {first_problem}", errors=errors)


class ActionNotAllowed(DomainError):
    code = "action_not_allowed"
    status = 409


class NotPermitted(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class DuplicateOrderNumber(DomainError):
    code = "duplicate_order_number"
    status = 409
