"""What can go wrong in the store, as exceptions a page or command can show as they are."""

from __future__ import annotations

from typing import Any


class StoreError(RuntimeError):
    """The store could not do what was asked; nothing was changed."""


class AccessDenied(PermissionError):
    """The current user may not see or change this (or nobody is signed in).

    `action` and `detail` describe the attempt for the audit log; the message is safe to
    show to the user and never names data outside their scope.
    """

    def __init__(
        self, message: str, *, action: str = "", detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.action = action
        self.detail = dict(detail or {})
        self.username: str | None = None
        self.mission_id: int | None = None


class AuthError(StoreError):
    """A sign-in or session that is not valid (wrong password, too many attempts, expired)."""


class ConflictError(StoreError):
    """Someone else changed the same data first; reload, redo the edit and save again."""

    def __init__(self, message: str, *, expected: int, current: int) -> None:
        super().__init__(message)
        self.expected = expected
        self.current = current


class BusyError(StoreError):
    """The database stayed busy past its timeout; the write was not made and can be retried."""


class NotFound(StoreError, LookupError):
    """No such mission, plan version, field update or user."""


class AccountsWithoutMission(StoreError):
    """The store holds LTO or team accounts that belong to no mission and cannot be bound
    to one by itself; the message names them and how to fix it."""
