"""Forked worker processes for linting many files at once (the engine's fast path).

Parsing and checking are CPU-bound pure Python, and shipping parsed procedures between
processes costs more than parsing them. So each forked worker works on its own share of the
files in two phases: `gather(share)` parses it and returns the facts the whole knowledge base
needs (ids, anchors) with what the worker keeps; the parent merges everyone's facts and sends
them back; `finish(kept, merged)` checks the share and returns its findings. Only facts and
results cross the pipes (pickled); the functions and the shares are inherited by the fork.

Knows nothing of rules or procedures: `kbtool.lint.engine` says what the phases do.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Generic, TypeVar, cast

Share = TypeVar("Share")
Facts = TypeVar("Facts")
Kept = TypeVar("Kept")
Merged = TypeVar("Merged")
Result = TypeVar("Result")

# Measured (benchmarks/lint_bench.py): below about 2,000 files forking costs more than it saves.
PARALLEL_MIN_FILES = 2000
#: Forces the number of worker processes (1: lint in this process). For tests and benchmarks.
WORKERS_ENV = "KBTOOL_WORKERS"


def default_workers(file_count: int) -> int:
    """Worker processes worth starting for this many files (1 means: in this process)."""
    if os.environ.get(WORKERS_ENV, "").isdigit():
        return max(1, int(os.environ[WORKERS_ENV]))
    if file_count < PARALLEL_MIN_FILES or sys.platform != "linux":
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class WorkerFailed(Exception):
    """A worker could not be started, ended early or raised: do the work in this process."""


@dataclass(frozen=True)
class _Failure:
    traceback: str


@dataclass(frozen=True)
class Phases(Generic[Share, Facts, Kept, Merged, Result]):
    """What each worker does with its share, and how the parent merges the facts."""

    gather: Callable[[Share], tuple[Facts, Kept]]
    merge: Callable[[list[Facts]], Merged]
    finish: Callable[[Kept, Merged], Result]


def run_forked(
    shares: Sequence[Share], phases: Phases[Share, Facts, Kept, Merged, Result]
) -> tuple[list[Result], Merged]:
    """One forked worker per share; their results in the order of `shares`, and the merged
    facts. Raises `WorkerFailed` (the processes are gone by then)."""
    context = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    processes = []
    try:
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(target=_worker, args=(child, share, phases), daemon=True)
            process.start()
            child.close()
            pipes.append(parent)
            processes.append(process)
        merged = phases.merge([cast("Facts", _receive(pipe)) for pipe in pipes])
        for pipe in pipes:
            pipe.send(merged)
        return [cast("Result", _receive(pipe)) for pipe in pipes], merged
    except OSError as exc:  # cannot fork (resource limits)
        raise WorkerFailed(str(exc)) from None
    finally:
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


def _receive(pipe: Connection) -> object:
    try:
        message = pipe.recv()
    except EOFError:
        raise WorkerFailed("a worker process ended early") from None
    if isinstance(message, _Failure):
        raise WorkerFailed(message.traceback)
    return cast(object, message)


def _worker(
    pipe: Connection, share: Share, phases: Phases[Share, Facts, Kept, Merged, Result]
) -> None:
    try:
        facts, kept = phases.gather(share)
        pipe.send(facts)
        merged = pipe.recv()
        pipe.send(phases.finish(kept, merged))
    except BaseException:  # report, never hang the parent
        pipe.send(_Failure(traceback.format_exc()))
    finally:
        pipe.close()
