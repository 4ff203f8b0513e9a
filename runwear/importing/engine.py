"""The import loop: read and hash here, parse in worker processes, write here in batches.

For each item, in order: this process reads the file and hashes it (cheap; not even that
when the file's fingerprint, from `stat` or its zip's directory, tells bytes stored
already), and sends only bytes it has never stored to a worker to parse (the expensive
part). Results are written in the items' order, whatever order the workers finish in, so an
import gives the same database with any number of workers. Items ready to be written are
written in batches (every `batch_files` items or `batch_s` seconds), each in one short
transaction; a batch of files all stored already takes none (a re-import never waits for
the lock, but to remember the fingerprints of files it had to read:
`runwear.store.fingerprints`, once per file). At most `OUT_PER_JOB x jobs` files, and
OUT_BYTES of them, are out with the workers at a time, so memory stays flat however large
the import, while the workers have enough queued to keep busy while a batch is written.

Known bytes are looked up on `dbs.read_db`; the full database (`dbs.db`), the writer and
the worker pool are opened only when something is to be written or parsed, so re-importing
files all stored already loads none of them (issue 15, goal 5).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from runwear.importing.results import ERROR, FileResult, ImportOptions, Progress, stored_before
from runwear.importing.worker import init_worker, parse_job
from runwear.ingest.files import sha256_hex
from runwear.ingest.model import IngestError, ParsedFile
from runwear.store import activities as store
from runwear.store import fingerprints
from runwear.store.database import write_transaction
from runwear.store.removal import was_removed

if TYPE_CHECKING:  # a pool (and multiprocessing) only once a file needs parsing
    from concurrent.futures import Future, ProcessPoolExecutor

    from sqlite_utils import Database

    from runwear.importing.plan import Item
    from runwear.importing.writer import Writer
    from runwear.store.readonly import ReadDb

MAX_WAITING = 64  # items read ahead of the one being written, at most
# Files out with the workers, at most: per worker, and their bytes in all (past that, one
# more file at a time). 2 per worker left the workers idle while a batch was written.
OUT_PER_JOB = 8
OUT_BYTES = 32 * 1024 * 1024


@dataclass(slots=True)
class _Pending:
    """An item on its way: read and hashed, maybe out with a worker."""

    item: Item
    sha: str | None = None
    seen: dict[str, Any] | None = None  # the stored source with the same bytes
    parsed: ParsedFile | None = None
    error: str | None = None
    future: Future[ParsedFile | str] | None = None
    size: int = 0  # bytes sent to a worker
    fingerprint: str | None = None  # to remember with `sha` once its source is stored


class Databases(Protocol):
    """Where an import looks and writes: `read_db` for look-ups (a light read-only connection
    while nothing has been written), `db` the full database, opened on first use."""

    @property
    def read_db(self) -> ReadDb: ...

    @property
    def db(self) -> Database: ...


class Engine:
    """Runs items through read, hash, parse and write; one instance per import."""

    def __init__(
        self,
        dbs: Databases,
        make_writer: Callable[[], Writer],
        options: ImportOptions,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.dbs = dbs
        self._make_writer = make_writer
        self._writer: Writer | None = None
        self.options = options
        self.on_progress = on_progress
        self._pool: ProcessPoolExecutor | None = None
        self._out = 0  # files with the workers
        self._out_bytes = 0  # and their bytes
        self._sent: set[str] = set()  # hashes parsed in this import
        self._failed: dict[str, str] = {}  # hash -> why the first file with it was refused

    def run(self, items: Iterable[Item], total: int) -> Iterator[FileResult]:
        """Import `items` in order, yielding each one's result once its batch is committed.

        Reading, hashing, parsing and waiting for workers happen outside any transaction:
        the write lock is taken only to write a batch of items that are ready, so another
        import, `shoe add` or `tag` waits for one batch at most, never for a parse.
        """
        self._done = self._runs = 0
        self._distance_m = 0.0
        self._total = total
        jobs = max(1, self.options.jobs)
        waiting: deque[_Pending] = deque()
        ready: list[_Pending] = []  # parsed (or refused), in order, not yet written
        first_ready_at = 0.0
        try:
            for item in items:
                waiting.append(self._prepare(item, jobs))
                while waiting and (
                    _ready(waiting[0]) or self._busy(jobs) or len(waiting) >= MAX_WAITING
                ):
                    if not ready:
                        first_ready_at = time.monotonic()
                    ready.append(self._settle_head(waiting))
                    if self._batch_full(ready, first_ready_at):
                        yield from self._write_batch(ready)
            while waiting:
                if not ready:
                    first_ready_at = time.monotonic()
                ready.append(self._settle_head(waiting))
                if self._batch_full(ready, first_ready_at):
                    yield from self._write_batch(ready)
            yield from self._write_batch(ready)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    def _busy(self, jobs: int) -> bool:
        """Whether the workers have as much as they may hold: no file is sent until one is
        back."""
        return self._out >= OUT_PER_JOB * jobs or self._out_bytes >= OUT_BYTES

    @property
    def writer(self) -> Writer:
        """The writer, made when the first batch with something to write comes."""
        if self._writer is None:
            self._writer = self._make_writer()
        return self._writer

    def _batch_full(self, ready: list[_Pending], first_ready_at: float) -> bool:
        """Whether the ready items make a batch: batch_files of them, or batch_s waited."""
        return (
            len(ready) >= self.options.batch_files
            or time.monotonic() - first_ready_at >= self.options.batch_s
        )

    def _settle_head(self, waiting: deque[_Pending]) -> _Pending:
        """The first item in line, its parse waited for (outside any transaction)."""
        pending = waiting.popleft()
        if pending.future is not None:
            _settle(pending, pending.future.result())
            pending.future = None
            self._out -= 1
            self._out_bytes -= pending.size
        return pending

    def _write_batch(self, ready: list[_Pending]) -> Iterator[FileResult]:
        """Write the ready items in one transaction (the write lock held only for this), then
        report them: a batch is stored whole or, killed halfway, not at all."""
        if not ready:
            return
        learnt = [(p.fingerprint, p.sha) for p in ready if p.fingerprint and p.sha]
        if all(_known(pending) for pending in ready):
            results = [_known_result(pending) for pending in ready]  # nothing to write: no lock
            if learnt:  # ... but for fingerprints new to the database (once per file)
                with write_transaction(self.dbs.db):
                    fingerprints.remember(self.dbs.db, learnt)
        else:
            with write_transaction(self.dbs.db):
                results = [self._write(pending) for pending in ready]
                fingerprints.remember(self.dbs.db, learnt)
        ready.clear()
        for result in results:
            self._done += 1
            self._runs += result.runs
            self._distance_m += result.distance_m
            if self.on_progress is not None:
                self.on_progress(Progress(self._done, self._total, self._runs, self._distance_m))
            yield result

    def _prepare(self, item: Item, jobs: int) -> _Pending:
        """Read and hash the item's file, unless its fingerprint tells stored bytes; start
        parsing it unless its bytes are known."""
        pending = _Pending(item)
        if item.outcome is not None or not item.has_file:
            return pending
        if self._known_by_fingerprint(pending):
            return pending
        try:
            data = item.read(self.options.max_bytes)
        except IngestError as exc:
            pending.error = str(exc)
            return pending
        pending.sha = sha = sha256_hex(data)
        if sha in self._sent:
            return pending  # written as a duplicate (or as the first copy's error)
        pending.seen = store.known_source(self.dbs.read_db, sha)
        if pending.seen is not None and not (self.options.force and was_removed(pending.seen)):
            return pending
        pending.seen = None
        self._sent.add(sha)
        assert item.fmt is not None
        if jobs == 1:
            _settle(pending, parse_job(data, item.fmt))
        else:
            if self._pool is None:
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(max_workers=jobs, initializer=init_worker)
            pending.future = self._pool.submit(parse_job, data, item.fmt)
            pending.size = len(data)
            self._out += 1
            self._out_bytes += pending.size
        return pending

    def _known_by_fingerprint(self, pending: _Pending) -> bool:
        """True when the file's fingerprint gives the hash of bytes stored already (and
        --force does not ask for them anew): `pending` is then settled as a read would."""
        fingerprint = pending.item.fingerprint()
        if fingerprint is None:
            return False
        sha = fingerprints.sha_of(self.dbs.read_db, fingerprint)
        seen = store.known_source(self.dbs.read_db, sha) if sha is not None else None
        if seen is None or sha in self._sent or (self.options.force and was_removed(seen)):
            pending.fingerprint = fingerprint  # read, hashed and remembered
            return False
        pending.sha, pending.seen = sha, seen
        return True

    def _write(self, pending: _Pending) -> FileResult:
        """Store one parsed item (inside the batch's transaction)."""
        sha = pending.sha
        error = pending.error
        if sha is not None and pending.parsed is None and error is None:
            error = self._failed.get(sha)  # a copy of a file refused earlier in this import
        seen = pending.seen
        if seen is None and sha in self._sent and pending.parsed is None:
            seen = store.known_source(self.dbs.db, sha)  # stored by the first copy, now written
        result = self.writer.write(pending.item, sha, seen, pending.parsed, error)
        if sha is not None and result.status == ERROR and sha not in self._failed:
            self._failed[sha] = result.detail
        return result


def _settle(pending: _Pending, outcome: ParsedFile | str) -> None:
    """Record a parse's outcome: the parsed file, or the error message."""
    if isinstance(outcome, str):
        pending.error = outcome
    else:
        pending.parsed = outcome


def _known(pending: _Pending) -> bool:
    """True when writing the item changes nothing: its outcome is settled, or its bytes are
    stored already and no export has figures to add to them."""
    item = pending.item
    return item.outcome is not None or (pending.seen is not None and not item.export)


def _known_result(pending: _Pending) -> FileResult:
    """The result of an item whose writing changes nothing (see `_known`), as the writer
    would give it."""
    item = pending.item
    if item.outcome is not None:
        return item.outcome
    assert pending.seen is not None
    return stored_before(item.name, pending.seen)


def _ready(pending: _Pending) -> bool:
    """True when the item can be written without waiting for a worker."""
    return pending.future is None or pending.future.done()
