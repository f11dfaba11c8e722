"""Linting on every core: worker processes that each hold one Linter (or one LintSession), fed in chunks.

``map_ordered`` runs ``work(state, item)`` for each item and yields the results in
input order, where ``state`` is a Linter (batch, ``Linter.lint_many``) or a
LintSession (``check`` and ``fix``, whose drafts may each have their own
configuration). With one job it runs in this process. With more, each worker process
gets the state once, when it starts, and then receives chunks of items; at most
``2 × jobs`` chunks are in flight, so memory stays flat however long the input.

Workers are started by forking this process after its Linter is built (Linux): a
worker then starts in milliseconds with the compiled rules and the spaCy pipeline
already in memory, shared copy-on-write, where "spawn" or "forkserver" would rebuild
them in every worker (3–6 s on two busy cores; see bench/README.md). Forking is safe
here because no other Python thread runs at that moment: with "fork", ProcessPoolExecutor
starts all its workers before its own manager thread, and batch's progress bar runs
without tqdm's monitor thread. (numpy's OpenBLAS keeps idle threads, which OpenBLAS's own
fork handler resets in the child.) Where fork is unavailable (macOS, Windows) workers are spawned
and build their Linter from its Config (a LintSession pickles without its Linters).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

    from referral_lint.linter import Linter
    from referral_lint.model import Report
    from referral_lint.session import LintSession

Item = TypeVar("Item")
Result = TypeVar("Result")
State = TypeVar("State", "Linter", "LintSession")

DEFAULT_CHUNK_SIZE = 64
# Chunks queued per worker: enough that no worker waits for the next one, few
# enough that memory does not grow with the input.
_CHUNKS_IN_FLIGHT_PER_JOB = 2

# The Linter or LintSession of this worker process, set once by _start_worker.
_worker_state: Any = None


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_ordered(
    state: State,
    work: Callable[[State, Item], Result],
    items: Iterable[Item],
    *,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    finish_chunk: Callable[[State], None] | None = None,
) -> Iterator[Result]:
    """``work(state, item)`` for every item, in input order, on ``jobs`` processes.

    ``work`` must be a module-level function (workers find it by name), and items
    and results must pickle when ``jobs > 1``. Build ``state``'s Linter before the
    first call, so that forked workers share it. ``finish_chunk(state)``: called by a
    worker process after each chunk it ran (a worker may end without warning), e.g. to
    write what it kept back; in this process, finishing is the caller's.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    iterator = iter(items)
    first = list(islice(iterator, chunk_size + 1))
    if jobs == 1 or len(first) <= chunk_size:  # one chunk or less: not worth starting workers
        for item in chain(first, iterator):
            yield work(state, item)
        return
    yield from _map_in_workers(state, work, chain(first, iterator), jobs, chunk_size, finish_chunk)


def _map_in_workers(
    state: Any, work: Callable[[Any, Any], Result], items: Iterable[Any], jobs: int, chunk_size: int,
    finish_chunk: Callable[[Any], None] | None = None,
) -> Iterator[Result]:
    # Imported here: a run of one chunk (check of a file or a few) starts no workers.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from referral_lint.linter import Linter

    if "fork" in multiprocessing.get_all_start_methods():
        # A forked worker inherits the built Linter: nothing is pickled or rebuilt.
        context, start_with = multiprocessing.get_context("fork"), state
    else:
        context, start_with = multiprocessing.get_context("spawn"), state.config if isinstance(state, Linter) else state
    iterator = iter(items)
    chunks = iter(lambda: list(islice(iterator, chunk_size)), [])
    pending: deque[Future[list[Result]]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(start_with,)) as pool:
        try:
            for chunk in islice(chunks, jobs * _CHUNKS_IN_FLIGHT_PER_JOB):
                pending.append(pool.submit(_run_chunk, work, chunk, finish_chunk))
            while pending:
                results = pending.popleft().result()
                chunk = next(chunks, None)
                if chunk is not None:
                    pending.append(pool.submit(_run_chunk, work, chunk, finish_chunk))
                yield from results
        finally:
            for future in pending:  # the caller stopped early, or a worker failed
                future.cancel()


def lint_one(linter: Linter, text: str, channel: str | None) -> Report:
    """The one place where batch work lints a message (every worker and the one-job path)."""
    return linter.lint(text, channel=channel)


def lint_text(linter: Linter, item: tuple[str, str | None]) -> Report:
    """``map_ordered`` work for ``Linter.lint_many``: (text, channel) in, its Report out."""
    text, channel = item
    return lint_one(linter, text, channel)


def _start_worker(state: Any) -> None:
    """Keep this worker's state: a Linter or LintSession, or the Config to build a Linter from (spawned)."""
    global _worker_state
    from referral_lint.config import Config
    from referral_lint.linter import Linter

    _worker_state = Linter(state) if isinstance(state, Config) else state


def _run_chunk(
    work: Callable[[Any, Any], Result], chunk: list[Any], finish: Callable[[Any], None] | None = None
) -> list[Result]:
    assert _worker_state is not None, "worker started without its state"
    results = [work(_worker_state, item) for item in chunk]
    if finish is not None:
        finish(_worker_state)
    return results
