"""``run_sweep``: every unfinished run of a grid through an executor, recorded as each ends.

The sweep process only submits jobs and bookkeeps: the runs write their own directories,
and a run's status is read back from its directory when its job returns. So a killed
sweep loses nothing that was written, and running the same sweep again picks up exactly
the runs that have not finished (completed and diverged runs are kept; failed,
interrupted and missing ones run again, from their checkpoints with ``resume``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from zeroth_q.atomic import writable_directory, write_text
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.loop.callbacks import MILESTONES, is_interactive
from zeroth_q.runs.directory import RunDirectory
from zeroth_q.sweep.comparison import plot_comparison
from zeroth_q.sweep.cost_curves import plot_cost_curves
from zeroth_q.sweep.executors import Workers, available_cores, open_workers
from zeroth_q.sweep.grid import Grid, Member
from zeroth_q.sweep.job import run_job
from zeroth_q.sweep.rundirs import FINISHED, TRACEBACK, run_status
from zeroth_q.sweep.sweepdir import COMPARISON, COST_CURVES, SweepDirectory

FAILED = ("failed", "diverged")


@dataclass(frozen=True)
class SweepOutcome:
    """Where a sweep was written and how each of its runs (by name) ended."""

    directory: Path
    statuses: dict[str, str]

    @property
    def failed(self) -> list[str]:
        """Runs that raised or diverged."""
        return [name for name, status in self.statuses.items() if status in FAILED]


def run_sweep(
    grid: Grid | Mapping[str, Any],
    directory: str | Path,
    *,
    executor: Executor | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool = True,
) -> SweepOutcome:
    """Run the grid's unfinished runs into ``directory``; write ``results.csv`` and the plots.

    grid: a :class:`Grid` or its dict (the grid file's format); validated in full first.
    executor: any ``concurrent.futures.Executor`` whose workers can import zeroth_q and
        see ``directory``; by default one is started from ``scheduler`` and ``workers``
        (see :func:`zeroth_q.sweep.executors.open_workers`).
    workers: processes to start, or with your own ``executor`` how many runs to keep in
        flight on it (default: this machine's cores).
    resume: continue interrupted or failed runs from their checkpoints.
    """
    if executor is not None and scheduler is not None:
        raise ConfigError("give an executor or a scheduler, not both.")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be >= 1 (got {workers}).")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ConfigError(
            f"executor must be a concurrent.futures.Executor (e.g. ProcessPoolExecutor, or "
            f"dask's client.get_executor()), got {type(executor).__name__}."
        )
    grid = grid if isinstance(grid, Grid) else Grid.from_dict(grid)
    members = grid.members(progress=progress)
    existed = Path(directory).exists()
    sweep = SweepDirectory(writable_directory(directory, "sweep directory"))
    sweep.check_configs(members)
    statuses = {m.name: run_status(sweep.run_path(m.name)) for m in members}
    todo = [m for m in members if statuses[m.name] not in FINISHED]
    started = False  # workers opened (or none needed): from then on the sweep's files are written
    try:
        if todo:
            with _workers(executor, scheduler, workers) as pool:
                started = True
                save = functools.partial(sweep.write_manifest, grid, members, statuses)
                _dispatch(pool, todo, sweep, statuses, save, resume=resume, progress=progress)
        started = True
    finally:
        if started or existed:
            statuses.update({m.name: run_status(sweep.run_path(m.name)) for m in todo})
            sweep.write_manifest(grid, members, statuses)
            sweep.write_results()
        else:  # refused (workers, scheduler) before anything ran: leave no sweep directory behind
            with contextlib.suppress(OSError):
                sweep.path.rmdir()
    metric = grid.metric or members[0].config.main_metric or "final_loss"
    keys = [d[0] for d in grid.dimensions if d != ("seed",)] or ["seed"]
    rows, title = sweep.rows(), grid.name or sweep.path.name
    plot_comparison(rows, keys, metric, sweep.path / COMPARISON, title)
    plot_cost_curves(rows, sweep.histories(rows), keys, metric, sweep.path / COST_CURVES, title)
    return SweepOutcome(sweep.path, statuses)


@contextlib.contextmanager
def _workers(executor: Executor | None, scheduler: str | None, workers: int | None) -> Iterator[Workers]:
    if executor is None:
        with open_workers(scheduler, workers) as pool:
            yield pool
    else:
        yield Workers(executor, workers or available_cores())


def _dispatch(
    pool: Workers,
    todo: Sequence[Member],
    sweep: SweepDirectory,
    statuses: dict[str, str],
    save: Callable[[], None],
    *,
    resume: bool,
    progress: bool,
) -> None:
    """Keep ``pool.slots`` runs in flight; record each one's status as it ends, saving after each.

    Submitting no more than the workers can run means nothing waits in an executor's
    queue: after Ctrl-C no queued run starts, and a grid of any size costs few futures.
    """
    waiting = iter(todo)
    running: dict[Future, Member] = {}

    def submit_next() -> None:
        member = next(waiting, None)
        if member is not None:
            # The config as the grid gives it: the worker builds it (once), and a run whose
            # axis values are valid one by one but not together fails there, alone.
            job = (member.data, str(sweep.run_path(member.name)), resume)
            try:
                running[pool.executor.submit(run_job, *job)] = member
            except BrokenExecutor as exc:
                raise ZerothQError(
                    f"the sweep's executor broke ({exc}) and cannot start {member.name} or the runs after "
                    f"it; run the sweep again to continue."
                ) from None
            statuses[member.name] = "running"

    for _ in range(pool.slots):
        submit_next()
    save()
    bar = RunsBar(len(todo), len(running), progress)
    try:
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                path = sweep.run_path(running.pop(future).name)
                if future.exception() is not None:
                    # run_job never raises: the worker itself was lost (killed, out of memory).
                    write_text(path / TRACEBACK, worker_died(future.exception()))
                statuses[path.name] = status = run_status(path)
                submit_next()
                save()
                bar.finished(status, len(running))
    except KeyboardInterrupt:
        for future, member in running.items():
            future.cancel()
            _interrupt(sweep.run_path(member.name))
        raise
    finally:
        bar.close()


def _interrupt(path: Path) -> None:
    """Pass Ctrl-C on to the worker running the run in ``path``, so that it stops as a run
    does (status interrupted, files written). A terminal's Ctrl-C reaches the workers by
    itself; SIGTERM (``timeout``, ``docker stop``) reaches only the sweep process. Workers
    take the first signal only (:func:`zeroth_q.runs.interrupts.interrupt_once` in the
    job), so one arriving twice is harmless."""
    owner = RunDirectory(path).owner()
    if owner is not None and owner != os.getpid():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(owner, signal.SIGINT)


def worker_died(exc: BaseException) -> str:
    """The ``traceback.txt`` of a run whose worker process was lost; its last line, which
    the sweep reports, says so."""
    cause = "".join(traceback.format_exception(exc))
    if not isinstance(exc, BrokenExecutor):
        return cause  # the job itself raised past run_job (e.g. Ctrl-C sent to the worker alone)
    return (
        f"{cause}\nworker died: the process running this run ended abruptly (killed, e.g. by the "
        f"out-of-memory killer, or crashed) while this run was in flight; run the sweep again to retry it.\n"
    )


class RunsBar:
    """Progress over a sweep's runs: completed / failed / running. A tqdm bar with its ETA on
    a terminal; in a redirected log, one line when 10, 25, 50, 75 and 100 % of the runs have
    ended (as :class:`~zeroth_q.loop.callbacks.ProgressBar` does for a run)."""

    def __init__(self, total: int, running: int, enabled: bool) -> None:
        self.counts: Counter[str] = Counter()
        self.total, self.start = total, time.perf_counter()
        interactive = enabled and is_interactive(sys.stderr)
        self.milestones = [*MILESTONES, 1.0] if enabled and not interactive else []
        self.bar = tqdm(total=total, unit="run", desc="sweep", disable=not interactive, dynamic_ncols=True)
        self._show(running)

    def finished(self, status: str, running: int) -> None:
        self.counts[status] += 1
        self._show(running)
        self.bar.update()
        ended = sum(self.counts.values())
        passed = [m for m in self.milestones if m * self.total <= ended]
        if passed:
            self.milestones = self.milestones[len(passed) :]
            failed, elapsed = sum(self.counts[s] for s in FAILED), time.perf_counter() - self.start
            share = f"{ended}/{self.total} runs ended ({ended / self.total:.0%})"
            counts = f"{self.counts['completed']} completed, {failed} failed, {running} running"
            print(f"sweep: {share}: {counts}, {elapsed:.0f} s", file=sys.stderr, flush=True)

    def _show(self, running: int) -> None:
        failed = sum(self.counts[s] for s in FAILED)
        self.bar.set_postfix(done=self.counts["completed"], failed=failed, running=running, refresh=False)

    def close(self) -> None:
        self.bar.close()
