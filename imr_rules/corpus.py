"""Run the rules over folders of real letters, and account for every file.

A corpus run must never die on one letter: a file that cannot be read, parsed
or predicted becomes a failed `LetterResult` with its reason, and a letter that
kills its worker process outright (a crash in native code) is isolated and
recorded the same way. PDF text is cached by content hash so that a re-run
does not decode PDFs again.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.metadata
import inspect
import json
import multiprocessing
import os
import pickle
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NamedTuple

from imr_rules.errors import InputError
from imr_rules.letters import Letter, LetterItem
from imr_rules.results import ItemResult, LetterResult

LETTER_SUFFIXES = (".txt", ".pdf")
MODES = ("prediction", "fidelity")
TEXT_CACHE_FORMAT = "1"  # bump when the layout of cache entries changes

Parser = Callable[[str, str], Letter]
Predictor = Callable[[Letter, str, date | None], list[ItemResult]]
TextReader = Callable[[Path], str]
TopicOfCitation = Callable[[str | None, str], str | None]
Progress = Callable[[int, int], None]


# --- finding the letters -----------------------------------------------------


class Source(NamedTuple):
    """A letter file: where to read it, and the name it goes by in results (never absolute)."""

    path: str
    name: str


def _letter_files(folder: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path inside the folder with "/", full path) of each letter file at any depth.

    Hidden files and folders (a name starting with ".") are skipped, folders that are
    symbolic links are not entered, and a folder that cannot be read is passed over.
    One directory listing per folder: a corpus is thousands of files.
    """
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _letter_files(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.lower().endswith(LETTER_SUFFIXES) and entry.is_file():
                yield f"{prefix}{entry.name}", entry.path
        except OSError:
            continue


def discover(paths: Sequence[str | Path]) -> list[Source]:
    """Every letter file under the given files and folders, folders sorted, each file once.

    A folder contributes its `.txt` and `.pdf` files at any depth, named by the
    folder's own name and the path inside it (`dwc/CM16-0213037.pdf`), so names
    are the same on every machine. A file given by name counts whatever its
    suffix: it was asked for, so it is accounted for.
    """
    sources: list[Source] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            folder = path.resolve().name
            found = sorted(_letter_files(os.path.abspath(path)))
            batch = [Source(full, f"{folder}/{relative}") for relative, full in found]
        elif path.is_file():
            batch = [Source(os.path.abspath(path), path.name)]
        else:
            raise InputError("no such file or folder", path)
        for source in batch:
            if source.path not in seen:
                seen.add(source.path)
                sources.append(source)
    return sources


# --- the text cache ------------------------------------------------------------


def default_cache_dir() -> Path:
    """$IMR_RULES_CACHE/text, else the user's cache folder (XDG) /imr-rules/text."""
    root = os.environ.get("IMR_RULES_CACHE")
    if root:
        return Path(root) / "text"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "imr-rules" / "text"


class TextCache:
    """Extracted PDF text on disk, keyed by the hash of the PDF's bytes.

    Writes are atomic (write, then rename), so workers can share the folder; a
    cache that cannot be read or written is only a slower run, never a failure.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _entry(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.txt"

    @staticmethod
    def key(data: bytes, reader: str = "") -> str:
        """The entry of a file's bytes as read by one version of one reader."""
        return hashlib.sha256(f"{TEXT_CACHE_FORMAT}\0{reader}\0".encode() + data).hexdigest()

    def get(self, digest: str) -> str | None:
        try:
            return self._entry(digest).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, digest: str, text: str) -> None:
        entry = self._entry(digest)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, entry)
        except OSError:
            pass


# --- one letter ---------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to evaluate letters; picklable, so every step is a top-level function."""

    parse: Parser
    predict: Predictor
    read_text: TextReader
    topic_of_citation: TopicOfCitation
    mode: str = "prediction"
    as_of: date | None = None  # None: each letter's own decision date
    cache_dir: str | None = None


def _pipeline_predict_letter() -> Predictor:
    try:
        from imr_rules.pipeline import predict_letter
    except ImportError as err:
        raise InputError(f"the prediction pipeline is not available yet ({err})") from None
    return predict_letter




def make_job(
    *,
    mode: str = "prediction",
    as_of: date | None = None,
    cache_dir: str | Path | None = None,
    predictor: Predictor | None = None,
    parser: Parser | None = None,
    read_text: TextReader | None = None,
    topic_of_citation: TopicOfCitation | None = None,
) -> Job:
    """A job with the project's own steps wherever none is given (imported only then)."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if parser is None:
        from imr_rules.letters import parse_letter as parser
    if read_text is None:
        from imr_rules.pdftext import read_text
    if topic_of_citation is None:
        from imr_rules.topics import topic_of_citation
    return Job(
        parse=parser,
        predict=predictor or _pipeline_predict_letter(),
        read_text=read_text,
        topic_of_citation=topic_of_citation,
        mode=mode,
        as_of=as_of,
        cache_dir=str(cache_dir) if cache_dir is not None else None,
    )


@functools.cache
def reader_fingerprint(read: TextReader) -> str:
    """What the extracted text depends on besides the PDF: the reader's own code and the PDF library.

    Part of every cache key, so that a fix to text extraction is seen on the next run.
    """
    parts = [f"{read.__module__}.{read.__qualname__}"]
    try:
        parts.append(hashlib.sha256(Path(inspect.getsourcefile(read) or "").read_bytes()).hexdigest())
    except (TypeError, OSError):
        pass
    try:
        parts.append(f"pypdfium2 {importlib.metadata.version('pypdfium2')}")
    except importlib.metadata.PackageNotFoundError:
        pass
    return " ".join(parts)


def letter_text(path: Path, job: Job) -> str:
    """The text of a letter file; a PDF's text comes from the cache when its bytes were seen before."""
    if path.suffix.lower() != ".pdf" or not job.cache_dir:
        return job.read_text(path)
    try:
        digest = TextCache.key(path.read_bytes(), reader_fingerprint(job.read_text))
    except OSError:
        return job.read_text(path)  # the reader says what is wrong with the file
    cache = TextCache(job.cache_dir)
    text = cache.get(digest)
    if text is None:
        text = job.read_text(path)
        cache.put(digest, text)
    return text


def _with_truth(result: ItemResult, index: int, item: LetterItem, job: Job) -> ItemResult:
    """The prediction with the letter's own decision, citation and citation topic beside it."""
    return result.model_copy(update={
        "index": index,
        "item": item.text,
        "actual": item.decision,
        "actual_topic": job.topic_of_citation(item.maximus_guideline, item.text),
        "actual_citation": item.citation,
    })


def _reason(err: Exception) -> str:
    if isinstance(err, InputError):
        return f"line {err.line}: {err.problem}" if err.line is not None else err.problem
    return f"internal error: {err.__class__.__name__}: {err}"


def evaluate_letter(source: Source, job: Job) -> LetterResult:
    """Read, parse and predict one letter; any failure becomes the letter's reason, never an exception.

    The predictor reads the letter's items, and so does the topic of the truth: each is read once.
    """
    from imr_rules.items import parsing_once

    try:
        text = letter_text(Path(source.path), job)
        letter = job.parse(text, source.name)
        if not letter.items:
            return LetterResult.failed(source.name, "not an IMR letter: no disputed items found")
        with parsing_once():
            predictions = job.predict(letter, job.mode, job.as_of or letter.decision_date)
            if len(predictions) != len(letter.items):
                return LetterResult.failed(
                    source.name,
                    f"internal error: {len(predictions)} predictions for {len(letter.items)} items",
                )
            pairs = enumerate(zip(predictions, letter.items, strict=True))
            items = [_with_truth(prediction, i, item, job) for i, (prediction, item) in pairs]
    except Exception as err:  # noqa: BLE001 - one bad letter must not stop the run
        return LetterResult.failed(source.name, _reason(err))
    return LetterResult(file=source.name, status="ok", items=items)


# --- many letters, many processes ---------------------------------------------

Chunk = list[tuple[int, Source]]


_READY = pickle.dumps(None)


def _worker_main(conn: Connection, job: Job) -> None:
    """A worker: say it is ready, then evaluate chunks of letters until told to stop."""
    gc.enable()  # a worker forked while the pool gathers results starts with the collector paused
    conn.send_bytes(_READY)
    while True:
        chunk = conn.recv()
        if chunk is None:
            _keep_compiled_patterns()
            return
        conn.send([(position, evaluate_letter(source, job)) for position, source in chunk])


def _keep_compiled_patterns() -> None:
    """Store the regular expressions this worker compiled (the extractor builds many on its first
    letter). A forked worker leaves without running exit handlers, where that is otherwise done,
    and the next run's workers would compile them all again."""
    from imr_rules import regexes

    regexes.save()


class WorkerStartError(RuntimeError):
    """Worker processes die before taking any work: nothing will get done this way."""


class _Worker:
    """One worker process, the chunk it is working on, and since when."""

    def __init__(self, context: Any, job: Job) -> None:
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child_conn, job), daemon=True)
        self.process.start()
        child_conn.close()
        self.ready = False
        self.chunk: Chunk | None = None
        self.since = 0.0

    def give(self, chunk: Chunk) -> None:
        self.chunk, self.since = chunk, time.monotonic()
        try:
            self.conn.send(chunk)
        except OSError:
            pass  # it died: its sentinel says so

    def receive(self) -> tuple[bytes | None, bool]:
        """A finished chunk, still pickled, if the worker sent one, and whether the worker is still alive.

        Unpickling is left to the caller, so that the worker can be given its next chunk first.
        """
        try:
            if self.conn.poll():
                message = self.conn.recv_bytes()
                if message == _READY:
                    self.ready = True
                    return None, True
                self.chunk = None
                return message, True
        except (EOFError, OSError):
            return None, False
        return None, self.process.is_alive()

    def stop(self) -> None:
        """Ask an idle worker to finish; kill it if it is busy, hung or does not listen."""
        try:
            if self.process.is_alive() and self.ready and self.chunk is None:
                self.conn.send(None)
                self.process.join(timeout=5)
        except OSError:
            pass
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


def chunk_size(letters: int, workers: int) -> int:
    """Big enough that thousands of small letters don't drown in messages, small enough to balance."""
    return max(1, min(50, letters // (workers * 4)))


def _crash_reason(exitcode: int | None) -> str:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
    return f"internal error: the worker process died while evaluating this letter ({how})"


# Linux forks workers from this process: they start with its modules imported instead of importing
# them again (a second or so each). Elsewhere fork is unsafe or missing, and workers are spawned.
_START_METHOD = "fork" if sys.platform == "linux" else "spawn"


class _PoolRun:
    """Letters spread over worker processes; a letter that kills or hangs its worker fails alone.

    Letters go out in chunks. When a worker dies, or a chunk takes longer than
    the time limit, the worker is replaced and that chunk's letters are run again
    one at a time, so that only the letter that does it again is failed.
    """

    def __init__(self, sources: Sequence[Source], job: Job, workers: int,
                 timeout: float | None, progress: Progress | None) -> None:
        self.context = multiprocessing.get_context(_START_METHOD)
        self.job, self.timeout, self.progress = job, timeout, progress
        self.total = len(sources)
        size = chunk_size(self.total, workers)
        indexed = list(enumerate(sources))
        self.pending: deque[Chunk] = deque(indexed[i:i + size] for i in range(0, self.total, size))
        self.results: list[LetterResult | None] = [None] * self.total
        self.done = 0
        self.pool = [_Worker(self.context, job) for _ in range(min(workers, len(self.pending)))]

    def run(self) -> list[LetterResult]:
        """Every letter's result, in order.

        Here this process only gathers results, plain trees of objects that the cycle collector
        would walk again and again as they pile up (more time than unpickling them, and time taken
        from the workers): it is paused while they arrive. At the end everything made meanwhile
        joins the oldest generation without being walked (`gc.freeze` then `gc.unfreeze`; a full
        collection here cost some 60 us a letter): garbage among it is still found by the next full
        collection, and results, which live on, are not walked again by every young one.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            while self.pending or any(w.chunk is not None for w in self.pool):
                for worker in self.pool:
                    if worker.ready and worker.chunk is None and self.pending:
                        worker.give(self.pending.popleft())
                wait([w.conn for w in self.pool] + [w.process.sentinel for w in self.pool],
                     timeout=self._time_left())
                for slot, worker in enumerate(self.pool):
                    self._attend(slot, worker)
        finally:
            for worker in self.pool:
                worker.stop()
            if collecting:
                gc.freeze()
                gc.unfreeze()
                gc.enable()
        return [result for result in self.results if result is not None]

    def _time_left(self) -> float | None:
        if self.timeout is None:
            return None
        busy = [w.since + self.timeout for w in self.pool if w.chunk is not None]
        return max(0.0, min(busy) - time.monotonic()) if busy else None

    def _attend(self, slot: int, worker: _Worker) -> None:
        message, alive = worker.receive()
        if message is not None:
            if alive and self.pending:
                worker.give(self.pending.popleft())  # the next chunk first: the worker need not wait on us
            self._finish(pickle.loads(message))
        if alive and not self._overdue(worker):
            return
        if not worker.ready:
            raise WorkerStartError(
                f"worker processes cannot start (exit code {worker.process.exitcode}); "
                "run with --workers 0 to see why"
            )
        reason = (_crash_reason(worker.process.exitcode) if not alive
                  else f"stopped after {self.timeout:g} s: evaluating this letter took too long")
        self._retry_or_fail(worker.chunk or [], reason)
        worker.kill()
        self.pool[slot] = _Worker(self.context, self.job)

    def _overdue(self, worker: _Worker) -> bool:
        return (self.timeout is not None and worker.chunk is not None
                and time.monotonic() - worker.since > self.timeout)

    def _retry_or_fail(self, lost: Chunk, reason: str) -> None:
        if len(lost) == 1:
            position, source = lost[0]
            self._finish([(position, LetterResult.failed(source.name, reason))])
        else:
            self.pending.extendleft([entry] for entry in reversed(lost))

    def _finish(self, finished: list[tuple[int, LetterResult]]) -> None:
        for position, result in finished:
            self.results[position] = result
        self.done += len(finished)
        if self.progress:
            self.progress(self.done, self.total)


def run_letters(
    sources: Sequence[Source],
    job: Job,
    workers: int = 1,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> list[LetterResult]:
    """Evaluate every letter, in the order given.

    `workers=0` runs them in this process: quicker to start, but no crash isolation
    and no time limit. `timeout` is the seconds one letter (in fact, one chunk of
    letters) may take in a worker before it is stopped.
    """
    if not sources:
        return []
    if workers > 0:
        return _PoolRun(sources, job, workers, timeout, progress).run()
    results = []
    for done, source in enumerate(sources, start=1):
        results.append(evaluate_letter(source, job))
        if progress:
            progress(done, len(sources))
    return results


# --- the JSON contract (docs/corpus-json.md) -----------------------------------


def corpus_json(summary: Any, letters: Sequence[LetterResult]) -> dict[str, Any]:
    """The document `--json` writes: the summary and every letter with its items in letter order."""
    return {
        "summary": summary.model_dump(mode="json"),
        "letters": [letter.model_dump(mode="json") for letter in letters],
    }


def corpus_json_text(summary: Any, letters: Sequence[LetterResult]) -> str:
    """`corpus_json` as the text `--json` writes: the same JSON value (docs/corpus-json.md), with the
    summary indented and each letter's head and each item compact on a line of its own.

    `json.dumps(..., indent=...)` takes the pure-Python encoder, some 0.2 ms a letter; compact
    lines go through the C encoder, and the file still reads and diffs item by item.
    """
    line = json.JSONEncoder(ensure_ascii=False).encode  # no indent: the C encoder
    out = ['{\n "summary": ', json.dumps(summary.model_dump(mode="json"), indent=1, ensure_ascii=False),
           ',\n "letters": [']
    for number, letter in enumerate(letters):
        document = letter.model_dump(mode="json")
        items = document.pop("items")
        head = line(document)[:-1]  # without its closing brace
        out.append(("," if number else "") + f"\n  {head}, \"items\": [")
        out.append(",".join(f"\n   {line(item)}" for item in items))
        out.append("\n  ]}" if items else "]}")
    out.append("\n ]\n}\n" if letters else "]\n}\n")
    return "".join(out)
