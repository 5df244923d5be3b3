"""The job queue: every piece of background work is a task defined by name in `consulta/jobs/tasks.py`.

Adding a task is one decorated function there::

    @task("send_mail", retries=3)
    def send_mail(message_id: int) -> None:
        ...  # runs in a worker, inside an app context with a fresh db.session; commit your own work

and code that wants it done only enqueues, in the same transaction as the change that asks for it::

    send_mail.enqueue(message_id=message.id)          # or jobs.enqueue("send_mail", message_id=...)
    db.session.commit()                                # the job is pushed to the queue after this commit

Arguments are JSON values (ids, not objects or personal data). A task must be idempotent: it may run again
after a worker died mid-way. Raising retries it (bounded, with exponential backoff); after the last attempt
the job is failed and `on_failure(reason, **args)` is called, if given, to record that on the domain object.

The queue itself is Huey (`consulta/jobs/queue.py`): SQLite in instance/ by default, Redis with
QUEUE_URL=redis://…, or in-process at commit with QUEUE_URL=memory:// (tests). Workers are this app started
with `flask consulta worker`. The database's `jobs` table holds each job's state, attempts and lease.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from consulta.models import Job, JobState

REGISTRY: dict[str, TaskDef] = {}


@dataclass
class TaskDef:
    """A registered task: its name, function, retry policy and failure hook."""

    name: str
    func: Callable[..., Any]
    retries: int = 2
    on_failure: Callable[..., Any] | None = None

    @property
    def max_attempts(self) -> int:
        return self.retries + 1

    def __call__(self, **kwargs: Any) -> Any:
        """Run the task's function here and now (for tests and the CLI)."""
        return self.func(**kwargs)

    def enqueue(self, *, key: str | None = None, own_transaction: bool = False, **kwargs: Any) -> Job | int:
        """Queue this task with `kwargs`; see `enqueue`."""
        return enqueue(self.name, key=key, own_transaction=own_transaction, **kwargs)


def task(name: str, *, retries: int = 2, on_failure: Callable[..., Any] | None = None) -> Callable[..., TaskDef]:
    """Register the decorated function as the task `name` (unique), retried `retries` times after a failure."""

    def decorator(func: Callable[..., Any]) -> TaskDef:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"task {name!r} is already defined")
        REGISTRY[name] = TaskDef(name=name, func=func, retries=retries, on_failure=on_failure)
        return REGISTRY[name]

    return decorator


def enqueue(name: str, *, key: str | None = None, own_transaction: bool = False, **kwargs: Any) -> Job | int:
    """Queue the task `name` with JSON `kwargs`.

    By default the job row is added to the current session (flushed, not committed) and pushed to the queue
    once that session commits, so a worker never sees a job whose data is not committed yet. With `key`, a
    job of that key that is still queued or running is returned instead of a new one. `own_transaction`
    writes the row in a short transaction of its own and pushes at once (for GET requests, which never
    commit); it returns the job's id.
    """
    from consulta.jobs import queue

    if name not in REGISTRY:
        raise KeyError(f"unknown task {name!r}")
    return queue.add_job(REGISTRY[name], key=key, own_transaction=own_transaction, args=kwargs)


__all__ = ["REGISTRY", "Job", "JobState", "TaskDef", "enqueue", "task"]
