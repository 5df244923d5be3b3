"""Text that must not depend on who asked: shared results snapshots and open-data files use the default locale.

A results snapshot is computed once and read by every visitor (and cached across processes); an open-data
file is a contract that scripts parse. Both are written in the platform's default locale
(BABEL_DEFAULT_LOCALE), whatever language the request that happened to build them was in.
"""

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale


def default_locale() -> str:
    """The platform's default locale (pt_BR unless configured otherwise)."""
    return current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "pt_BR"


def in_default_locale(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run `func` with Flask-Babel forced to the default locale."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with force_locale(default_locale()):
            return func(*args, **kwargs)

    return wrapper


def iterate_in_default_locale(func: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """Like in_default_locale, for a generator: the locale holds while the items are produced."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with force_locale(default_locale()):
            yield from func(*args, **kwargs)

    return wrapper
