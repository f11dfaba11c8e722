"""A draft in, a report out: the one lint path every front end calls.

``check``, ``fix``, the language server (and the API's :func:`referral_lint.suppress.lint_draft`)
are thin callers of :class:`LintSession`, so a draft gets the same reader, the same
configuration and the same suppressions wherever it is linted. ::

    session = LintSession(overrides={"ignore": ["length"]})   # once per run, server or request
    linted = session.lint_path("notes/draft.md")               # a file (or "-" for stdin)
    linted = session.lint_text(buffer, path="notes/draft.md", language="markdown")  # a buffer
    if isinstance(linted, InputError): ...                     # unreadable, empty, no prose
    linted.report.violations                                   # suppressions applied

What one lint does:

1. **The reader**, by ``language`` (an editor's language id: ``markdown``/``gfm`` read
   as markdown, ``mail``/``email``/``eml`` as an email), falling back on ``path``'s
   extension (``.md``, ``.eml``; anything else is plain text) when the id is empty,
   generic (``plaintext``, ``text``) or unknown.
2. **The configuration for that path**: ``--config`` or the nearest configuration file
   above ``path``, its ``per-path`` entries for ``path`` included, under ``overrides``
   (command-line or editor options); see :func:`referral_lint.settings.config_for`.
   A draft without a path is taken to be in ``root`` (default: the current directory).
3. **The lint**, with one cached :class:`~referral_lint.linter.Linter` per distinct
   configuration; an email file implies the ``email`` channel unless the configuration
   names one, and ``channel`` overrides both.
4. **Suppressions**: ignore comments (markdown) and the ``.referral-lint-ignore`` file
   beside ``path``.

Errors: an input that cannot be linted (unreadable, empty, no prose, a bug on one
draft) is returned as an :class:`~referral_lint.inputs.InputError`; a broken
configuration or rule file raises ConfigError or RuleError, and a model that cannot
load raises what spaCy raises, from the first lint that needs it (or :meth:`linter_for`).
A session is not thread-safe: use it from one thread.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referral_lint.cache_settings import CacheSettings
from referral_lint.config import Config
from referral_lint.inputs import STDIN, Draft, InputError, decode, decode_email, kind_of, prepare, read
from referral_lint.model import Report, Violation

if TYPE_CHECKING:
    from referral_lint.config_files import ConfigFile
    from referral_lint.engine.schema import RuleSpec
    from referral_lint.ignore_file import IgnoreFile, IgnoreFileError
    from referral_lint.linter import Linter
    from referral_lint.result_cache import ResultCache

#: Result cache entries a one-run session writes in one transaction.
RESULTS_PER_TRANSACTION = 64
#: Editor language ids that choose a reader; any other id falls back on the file's extension.
LANGUAGE_READERS = {"markdown": "markdown", "gfm": "markdown", "mail": "email", "email": "email", "eml": "email"}


@dataclass(frozen=True)
class Linted:
    """One draft, linted: what was read, the configuration it got, and its report.

    ``report``: the violations left after suppression (offsets, lines and columns are
    the file's; see ``draft.positions`` for a transfer-encoded email). ``text``: the
    draft as the writer sees it (what offsets index; ``report.text`` is what the linter
    read, of the same length). ``rules``: the rules that ran. ``suppressed``: the
    violations the draft's ignores dropped.
    ``stale`` and ``ignore_file``: entries of the draft's ignore file that matched
    nothing (see :func:`referral_lint.ignore_file.unused_entries_report`).
    ``ignore_error``: the draft's ignore file could not be read; ``report`` is then the
    lint without any suppression.
    """

    draft: Draft
    path: str | None
    config: Config
    report: Report
    rules: tuple[RuleSpec, ...] = ()
    suppressed: tuple[Violation, ...] = ()
    ignore_file: IgnoreFile | None = None
    stale: tuple[Any, ...] = ()
    ignore_error: IgnoreFileError | None = None

    @property
    def text(self) -> str:
        return self.draft.source if self.draft.source is not None else self.draft.text


class LintSession:
    """Lints drafts as one configuration source says; build it once, lint many drafts.

    ``config_file``: use this configuration file for every draft instead of discovering
    one; ``isolated``: use none. ``overrides``: options on top (``Config.from_mapping``
    keys), e.g. ``{"ignore": ["length"], "rule-dirs": ["team-rules"]}``. ``config``: one
    fixed Config for every draft, with no discovery (the other three are then unused).
    ``root``: where a draft without a path is taken to be. ``cache``: the caches' settings
    (a command line's ``--no-cache``, ``--cache-dir``; None: the environment's), and
    ``cache_results``: keep drafts' reports in the result cache (``check``'s; see
    referral_lint.result_cache), for drafts with a path when no trained pipeline is configured.
    ``one_run``: the session serves one command run (``check``, ``fix``), during which
    configuration and ignore files are taken not to change: each directory's are found and
    read once, for all its drafts; and result cache entries are written in batches (call
    :meth:`flush` at the end of the run, and in each worker process after its chunk). A
    long-running process (the language server, ``serve``) leaves it False, and every lint
    sees the files as they are (see :func:`referral_lint.settings.clear_cache`).
    """

    def __init__(
        self,
        *,
        config_file: str | Path | None = None,
        isolated: bool = False,
        overrides: Mapping[str, Any] | None = None,
        config: Config | None = None,
        root: str | Path | None = None,
        cache: CacheSettings | None = None,
        cache_results: bool = False,
        one_run: bool = False,
    ) -> None:
        self.config_file = config_file
        self.isolated = isolated
        self.overrides = dict(overrides or {})
        self.fixed = config
        self.root = str(root) if root is not None else None
        self.cache = cache
        # Per configuration: the rule set's key and the rules it selects (what a cached report needs).
        self._cached_rules: dict[Config, tuple[str | None, tuple[RuleSpec, ...]]] = {}
        self.results = None
        if cache_results:
            from referral_lint import cache_settings
            from referral_lint.result_cache import ResultCache

            self.results = ResultCache(cache or cache_settings.current(), batch=RESULTS_PER_TRANSACTION if one_run else 1)
        self.linters: dict[Config, Linter] = {}
        self.one_run = one_run
        # With one_run, per directory: its configuration file, and its Config when that is the
        # same for all its drafts (no per-path sections); its ignore file, read.
        self._directory_configs: dict[str, tuple[ConfigFile | None, Config | None]] = {}
        self._ignore_files: dict[str, IgnoreFile] = {}

    def __getstate__(self) -> dict[str, Any]:
        # A spawned worker gets the session without its Linters (spaCy pipelines and
        # compiled rules do not pickle) and builds its own.
        return {**self.__dict__, "linters": {}, "_directory_configs": {}, "_ignore_files": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.cache is not None:  # the command line's cache settings, in a spawned worker too
            from referral_lint import cache_settings

            cache_settings.use(self.cache)

    def config_for(self, path: str | Path | None) -> Config:
        """The configuration of the draft at ``path`` (per-path entries included)."""
        if self.fixed is not None:
            return self.fixed
        from referral_lint.settings import config_for

        where = path if path is not None else self.root
        return config_for(where, config_file=self.config_file, isolated=self.isolated, overrides=self.overrides)

    def _config_of_file(self, path: str) -> Config:
        """``config_for`` of a draft read from the file at ``path``, found once per directory with ``one_run``."""
        if self.fixed is not None or not self.one_run:
            return self.config_for(path)
        from referral_lint.settings import config_file_for, config_under

        directory = os.path.dirname(os.path.abspath(path))
        known = self._directory_configs.get(directory)
        if known is None:
            source = config_file_for(path, config_file=self.config_file, isolated=self.isolated)
            same_for_all = source is None or not source.per_path
            config = config_under(source, path, self.overrides) if same_for_all else None
            known = self._directory_configs[directory] = (source, config)
        source, config = known
        return config if config is not None else config_under(source, path, self.overrides)

    def _ignore_file_of(self, path: str) -> IgnoreFile:
        """The ignore file beside the draft at ``path``, read once per directory (``one_run``)."""
        from referral_lint.ignore_file import ignore_file_for, read_ignore_file

        directory = os.path.dirname(path)
        ignores = self._ignore_files.get(directory)
        if ignores is None:  # an unreadable one raises, and is tried again for the next draft
            ignores = self._ignore_files[directory] = read_ignore_file(ignore_file_for(path))
        return ignores

    def flush(self) -> None:
        """Write the result cache entries kept back (a ``one_run`` session writes them in batches)."""
        if self.results is not None:
            self.results.flush()

    def refresh_rules(self) -> bool:
        """For a long-running process (the language server, ``serve``): read again the rule
        files edited, added or removed since they were read, so the next lint runs a team's
        rules as they are now; True if any had changed. A stat per rule file when none did."""
        from referral_lint.engine.loader import refresh_rules

        if not refresh_rules():
            return False
        from referral_lint.settings import clear_cache

        clear_cache()  # configuration checked against the old rules (select, severity) is checked again
        self.linters.clear()
        self._cached_rules.clear()
        self._directory_configs.clear()
        return True

    def _result_entry(self, text: str, channel: str | None, config: Config) -> _ResultEntry | None:
        """``text``'s entry in the result cache (its report None on a miss), or None without a cache."""
        if self.results is None or not self.results.enabled:
            return None
        rules = self._cached_rules.get(config)
        if rules is None:
            from referral_lint.config import select_rules
            from referral_lint.engine.loader import builtin_rules_dir, load_rules
            from referral_lint.engine.rule_cache import rules_key

            every_rule = load_rules(config.rule_dirs)
            rules = self._cached_rules[config] = (rules_key((builtin_rules_dir(), *config.rule_dirs)), select_rules(every_rule, config))
        if rules[0] is None:
            return None
        key = self.results.key(text, channel, config, rules[0])
        return _ResultEntry(self.results, key, self.results.get(key, text), rules[1])

    def linter_for(self, config: Config) -> Linter:
        """The Linter for ``config``, built once per session (the first one loads spaCy)."""
        linter = self.linters.get(config)
        if linter is None:
            with collector_paused():
                from referral_lint.linter import Linter

                linter = self.linters[config] = Linter(config)
        return linter

    def lint_path(
        self, path: str | Path, *, filename: str | None = None, channel: str | None = None, name: str | None = None
    ) -> Linted | InputError:
        """Read and lint the file at ``path`` (``"-"``: stdin, named ``filename`` if given).

        ``name``: how the output names the draft (default: ``path`` as given, or ``filename``).
        """
        if str(path) == STDIN:
            draft = read(name or filename or "<stdin>", None, filename=filename)
            where = filename
        else:
            draft = read(name or str(path), Path(path))
            where = str(path)
        if isinstance(draft, InputError):
            return draft
        return self.lint_draft(draft, path=where, channel=channel)

    def lint_text(
        self, text: str, *, path: str | Path | None = None, language: str | None = None, channel: str | None = None,
        name: str | None = None, all_violations: bool = False,
    ) -> Linted | InputError:
        """Lint a buffer: ``text`` as it would be in a file at ``path`` (which need not exist).

        ``language``: the editor's language id (see the module docstring); ``name``:
        how errors name the draft (default: ``path``, else ``<text>``).
        """
        where = str(path) if path is not None else None
        name = name or where or "<text>"
        kind = LANGUAGE_READERS.get((language or "").lower()) or kind_of(where or "") or "text"
        # A lone surrogate cannot be encoded: it is read as "?" here, and the linter reads it
        # as U+FFFD (normalize), so such a buffer is linted rather than refused as not UTF-8.
        data = text.encode("utf-8", "replace")
        if kind == "email":
            draft = decode_email(name, data)
        else:
            # The checks a file gets (empty, too long, NUL bytes), on the buffer's own text.
            decoded = decode(name, data)
            if isinstance(decoded, Draft) and decoded.text != text:
                decoded = replace(decoded, text=text)  # a leading BOM stays, so offsets stay the buffer's
            draft = prepare(decoded, kind) if isinstance(decoded, Draft) else decoded
        if isinstance(draft, InputError):
            return draft
        return self.lint_draft(draft, path=where, channel=channel, all_violations=all_violations)

    def lint_draft(
        self, draft: Draft, *, path: str | None = None, channel: str | None = None, all_violations: bool = False
    ) -> Linted | InputError:
        """Lint a draft already read (``path``: where it is, for configuration and ignore file;
        ``all_violations``: past the cap per rule too, as ``Linter.lint``)."""
        from referral_lint.ignore_file import IgnoreFileError
        from referral_lint.suppress import apply_suppressions

        from_file = draft.snapshot is not None  # not stdin, not an editor's buffer
        config = self._config_of_file(path) if from_file and path is not None else self.config_for(path)
        # A file that says where it goes (an .eml is an email) sets the channel, unless configured.
        channel = channel or (draft.channel if config.channel is None else None)
        # fix lints past the per-rule cap; the cache keeps only capped reports
        cacheable = from_file and config.model is None and not all_violations
        entry = self._result_entry(draft.text, channel, config) if cacheable else None
        if entry is not None and entry.report is not None:
            report, rules = entry.report, entry.rules
        else:
            linter = self.linter_for(config)
            try:
                report = linter.lint(draft.text, channel=channel, all_violations=all_violations)
            except Exception as error:  # a bug on one draft must not stop the others, nor print a traceback
                cause = f"internal error while linting ({type(error).__name__}: {' '.join(str(error).split())}); please report it"
                return InputError(draft.name, cause)
            rules = linter.rules
            if entry is not None:
                entry.keep(report)
        linted = Linted(draft, path, config, report, rules)
        try:
            ignores = self._ignore_file_of(path) if self.one_run and path is not None else None
            outcome = apply_suppressions(
                report, config=config, path=path, markdown=draft.kind == "markdown", source=draft.source, ignores=ignores
            )
        except IgnoreFileError as error:
            return replace(linted, ignore_error=error)
        return replace(
            linted, report=outcome.report, suppressed=tuple(outcome.suppressed), ignore_file=outcome.ignore_file,
            stale=tuple(outcome.stale),
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a Linter is built (or, in ``check``, the whole first
    draft): importing spaCy and building the pipeline and the compiled rules make a few hundred
    thousand objects that all live on, and the collector would scan them again and again
    (~0.1 s of a one-draft check) to free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _ResultEntry:
    """A draft's place in the result cache: its report if one was kept, else where to keep it."""

    cache: ResultCache
    key: str
    report: Report | None
    rules: tuple[RuleSpec, ...]

    def keep(self, report: Report) -> None:
        self.cache.put(self.key, report)
