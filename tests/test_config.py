"""Configuration: discovery, precedence, rule selection, per-path sections, rule directories,
bad files, and the command-line options that go with them (--select, --statistics, ...).

Most tests run the CLI in-process with CliRunner (the pipeline is built once per
session); the selection logic is also tested directly, without a pipeline.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import write

from referral_lint import config_discovery
from referral_lint.config import Config, ConfigError, Selection, catalogue, enabled_rules, resolve
from referral_lint.engine.loader import load_rules
from referral_lint.model import Severity
from referral_lint.settings import config_for, config_source

# Written for these tests: demanding-phrasing twice (errors, group core) on line 3, and
# length (a warning: 23 words is too short for a message, fine for a connection note).
DRAFT = (
    "Hi Ana,\n"
    "We met at PyData in May.\n"
    "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
)
# A team's own rule, in the built-in rules' format (group "team").
TEAM_RULE = """\
id: no-buzzwords
summary: Skip the buzzwords
severity: warning
check: forbid
group: team
why: Readers skim past "synergy" and "rockstar"; a concrete result says more.
message: '"{match}" is a buzzword; say what you did instead.'
patterns:
  - phrases: [synergy, rockstar, ninja]
    suggest: {delete: true}
examples:
  bad: ["I am a rockstar engineer."]
  good: ["I cut the build time in half."]
"""
BUZZ_DRAFT = DRAFT.replace("We met at PyData in May.", "We met at PyData in May. I am a rockstar engineer.")


@pytest.fixture(autouse=True)
def no_user_config(isolated_settings):
    """No test sees the developer's own configuration, nor another test's cached discovery."""


@pytest.fixture
def run(cli):
    return cli




def files(result) -> dict[str, list[dict]]:
    """path -> violations, from --format json output."""
    return {entry["path"]: entry["violations"] for entry in json.loads(result.stdout)["files"]}


def rules_of(result, path: Path | str) -> set[str]:
    return {violation["rule"] for violation in files(result)[str(path)]}


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# --- discovery -----------------------------------------------------------------------


def test_discovery_walks_up_from_each_draft(tmp_path):
    write(tmp_path / ".referral-lint.yaml", "channel: connection-note\n")
    draft = write(tmp_path / "a" / "b" / "draft.txt", DRAFT)
    assert config_source(draft) == tmp_path / ".referral-lint.yaml"
    assert config_for(draft).channel == "connection-note"
    # A draft elsewhere gets the defaults.
    assert config_for(tmp_path.parent / "elsewhere" / "draft.txt") == Config()


def test_the_nearest_file_wins_and_files_are_not_merged(tmp_path):
    write(tmp_path / ".referral-lint.yaml", "channel: connection-note\nignore: [length]\n")
    write(tmp_path / "team" / "pyproject.toml", '[tool.referral-lint]\nfail-on = "error"\n')
    inner = config_for(tmp_path / "team" / "draft.txt")
    assert inner == Config(fail_on=Severity.ERROR)  # nothing from the outer file
    assert config_for(tmp_path / "draft.txt") == Config(channel="connection-note", ignore=("length",))


def test_yaml_beats_pyproject_in_the_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.referral-lint]\nchannel = "email"\n')
    write(tmp_path / ".referral-lint.yaml", "channel: inmail\n")
    assert config_source(tmp_path / "x.txt") == tmp_path / ".referral-lint.yaml"
    assert config_for(tmp_path / "x.txt").channel == "inmail"


def test_a_pyproject_without_our_table_is_passed_by(tmp_path):
    write(tmp_path / ".referral-lint.yaml", "channel: inmail\n")
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "drafts"\n\n[tool.ruff]\nline-length = 100\n')
    assert config_source(tmp_path / "sub" / "x.txt") == tmp_path / ".referral-lint.yaml"


def test_the_user_file_is_used_only_where_no_project_has_one(tmp_path, monkeypatch):
    user = tmp_path / "user"
    write(user / "config.yaml", "channel: followup\n")
    monkeypatch.setenv(config_discovery.USER_CONFIG_ENV, str(user))
    assert config_for(tmp_path / "loose" / "draft.txt").channel == "followup"
    write(tmp_path / "project" / ".referral-lint.yaml", "fail-on: info\n")
    assert config_for(tmp_path / "project" / "draft.txt") == Config(fail_on=Severity.INFO)


def test_a_directory_gets_its_own_configuration(tmp_path):
    """What the language server asks for a workspace root."""
    write(tmp_path / ".referral-lint.yaml", "channel: email\n")
    assert config_for(tmp_path).channel == "email"


def test_an_edited_file_is_read_again_without_clearing_the_cache(tmp_path):
    config = write(tmp_path / ".referral-lint.yaml", "channel: email\n")
    assert config_for(tmp_path / "d.txt").channel == "email"
    config.write_text("channel: inmail\n", encoding="utf-8")
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 10_000_000))
    assert config_for(tmp_path / "d.txt").channel == "inmail"


def test_equal_settings_give_equal_configs(tmp_path):
    write(tmp_path / ".referral-lint.yaml", "channel: email\nper-path:\n  'notes/*':\n    ignore: [length]\n")
    assert config_for(tmp_path / "a.txt") == config_for(tmp_path / "sub" / "b.txt")
    assert config_for(tmp_path / "a.txt") != config_for(tmp_path / "notes" / "c.txt")


def test_overrides_from_an_editor_use_any_key_style(tmp_path):
    write(tmp_path / ".referral-lint.yaml", "channel: email\n")
    config = config_for(tmp_path / "d.txt", overrides={"fail_on": "error", "extend-select": ["reading-level"]})
    assert config.channel == "email" and config.fail_on is Severity.ERROR
    assert config.extend_select == ("reading-level",)
    with pytest.raises(ConfigError, match="did you mean 'fail-on'"):
        config_for(tmp_path / "d.txt", overrides={"failon": "error"})


def test_cli_finds_the_configuration_of_each_draft(run, tmp_path):
    write(tmp_path / "notes" / ".referral-lint.yaml", "channel: connection-note\n")
    note = write(tmp_path / "notes" / "a.txt", DRAFT)
    message = write(tmp_path / "messages" / "b.txt", DRAFT)
    result = run("check", "--format", "json", note, message)
    assert "length" not in rules_of(result, note)  # 23 words is fine for a connection note
    assert "length" in rules_of(result, message)  # and too short for a message


def test_cli_builds_one_linter_per_distinct_configuration(run, tmp_path, monkeypatch):
    import referral_lint.linter as linter_module

    built = []
    original = linter_module.Linter

    class Counting(original):
        def __init__(self, config=None, **kwargs):
            built.append(config)
            super().__init__(config, **kwargs)

    monkeypatch.setattr(linter_module, "Linter", Counting)
    write(tmp_path / ".referral-lint.yaml", "per-path:\n  'notes/*':\n    channel: connection-note\n")
    paths = [write(tmp_path / name, DRAFT) for name in ("a.txt", "b.txt", "sub/c.txt", "notes/d.txt", "notes/e.txt")]
    assert run("check", "--no-cache", *paths).exit_code == 1  # linted here, not read from an earlier test's results
    assert len(built) == 2
    assert {config.channel for config in built} == {None, "connection-note"}


# --- --config and --isolated ---------------------------------------------------------


def test_config_option_names_the_file_for_every_draft(run, tmp_path):
    write(tmp_path / ".referral-lint.yaml", "channel: inmail\n")  # discovered, but not used
    chosen = write(tmp_path / "elsewhere" / "strict.yaml", "ignore: [length]\nfail-on: error\n")
    draft = write(tmp_path / "draft.txt", DRAFT)
    assert config_for(draft, config_file=chosen) == Config(ignore=("length",), fail_on=Severity.ERROR)
    result = run("check", "--format", "json", "--config", chosen, draft)
    assert "length" not in rules_of(result, draft)


def test_config_option_accepts_a_pyproject(run, tmp_path):
    pyproject = write(tmp_path / "cfg" / "pyproject.toml", '[tool.referral-lint]\nignore = ["demanding-phrasing"]\n')
    draft = write(tmp_path / "draft.txt", DRAFT)
    assert "demanding-phrasing" not in rules_of(run("check", "--format", "json", "--config", pyproject, draft), draft)
    bare = write(tmp_path / "other" / "pyproject.toml", '[project]\nname = "x"\n')
    result = run("check", "--config", bare, draft)
    assert result.exit_code == 2
    assert one_error_line(result) == f"referral-lint: error: {bare}: has no [tool.referral-lint] table"


def test_config_option_with_a_missing_file(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    result = run("check", "--config", tmp_path / "nope.yaml", draft)
    assert result.exit_code == 2
    assert one_error_line(result) == f"referral-lint: error: {tmp_path / 'nope.yaml'}: configuration file not found"


def test_isolated_ignores_every_file(run, tmp_path, monkeypatch):
    write(tmp_path / ".referral-lint.yaml", "ignore: [demanding-phrasing]\n")
    write(tmp_path / "user" / "config.yaml", "ignore: [length]\n")
    monkeypatch.setenv(config_discovery.USER_CONFIG_ENV, str(tmp_path / "user"))
    draft = write(tmp_path / "draft.txt", DRAFT)
    assert config_for(draft, isolated=True) == Config()
    result = run("check", "--format", "json", "--isolated", draft)
    assert {"demanding-phrasing", "length"} <= rules_of(result, draft)
    both = run("check", "--isolated", "--config", tmp_path / ".referral-lint.yaml", draft)
    assert both.exit_code == 2
    assert one_error_line(both) == "referral-lint: error: --config and --isolated cannot be used together"


# --- rule selection ------------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin():
    return catalogue(load_rules())


def test_default_selection_is_the_rules_on_by_default(builtin):
    on = enabled_rules(builtin, Config())
    defaults = {rule.id for rule in builtin if rule.default}
    assert on == defaults
    assert "unused-ignore" in on
    off = {rule.id for rule in builtin if not rule.default}
    assert enabled_rules(builtin, Config(select=("all",))) == {rule.id for rule in builtin}
    for rule_id in off:
        assert rule_id in enabled_rules(builtin, Config(extend_select=(rule_id,)))


def test_select_and_ignore_by_id_and_group(builtin):
    ask = {rule.id for rule in builtin if rule.group == "ask"}
    core = {rule.id for rule in builtin if rule.group == "core"}
    assert ask and core
    assert enabled_rules(builtin, Config(select=("ask",))) == ask
    assert enabled_rules(builtin, Config(select=("core", "clear-ask"))) == core | {"clear-ask"}
    assert not enabled_rules(builtin, Config(ignore=("ask",))) & ask
    assert enabled_rules(builtin, Config(ignore=("length",))) == enabled_rules(builtin, Config()) - {"length"}


def test_an_id_beats_its_group_and_ignore_beats_select_at_the_same_level(builtin):
    ask = {rule.id for rule in builtin if rule.group == "ask"}
    # ruff's rule: the more specific selector wins.
    chosen = enabled_rules(builtin, Config(ignore=("ask",), extend_select=("clear-ask",)))
    assert chosen & ask == {"clear-ask"}
    chosen = enabled_rules(builtin, Config(select=("ask",), ignore=("clear-ask",)))
    assert chosen == ask - {"clear-ask"}
    assert enabled_rules(builtin, Config(select=("ask",), ignore=("ask",))) == frozenset()


def test_layers_apply_in_order(builtin):
    ask = {rule.id for rule in builtin if rule.group == "ask"}
    # A later select starts again; a later ignore or extend-select edits what came before.
    assert resolve(builtin, [Selection(ignore=("length",)), Selection(select=("length",))]) == {"length"}
    assert "length" in resolve(builtin, [Selection(ignore=("length",)), Selection(extend_select=("length",))])
    assert not resolve(builtin, [Selection(select=("ask",)), Selection(ignore=("ask",))])
    assert resolve(builtin, [Selection(select=("ask",)), Selection(), Selection()]) == ask


def test_unknown_names_are_errors(builtin):
    with pytest.raises(ConfigError, match="unknown rule or group 'nope'"):
        enabled_rules(builtin, Config(extend_select=("nope",)))
    with pytest.raises(ConfigError, match="unknown rule or group 'nope'"):
        enabled_rules(builtin, Config(severity=(("nope", Severity.INFO),)))


def test_cli_select_ignore_and_extend_select(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)

    def rules(*options):
        return rules_of(run("check", "--format", "json", *options, draft), draft)

    everything = rules()
    assert {"demanding-phrasing", "length"} <= everything
    assert rules("--select", "demanding-phrasing") == {"demanding-phrasing"}
    assert rules("--select", "length,demanding-phrasing") == {"length", "demanding-phrasing"}
    assert rules("--select", "length", "--select", "demanding-phrasing") == {"length", "demanding-phrasing"}
    assert rules("--ignore", "demanding-phrasing") == everything - {"demanding-phrasing"}
    assert rules("--ignore", "core", "--extend-select", "length") == {"length"} | (everything - _group("core"))


def _group(name: str) -> set[str]:
    return {rule.id for rule in load_rules() if rule.group == name}


def test_cli_selection_layers_on_the_configuration(run, tmp_path):
    write(tmp_path / ".referral-lint.yaml", "ignore: [demanding-phrasing]\n")
    draft = write(tmp_path / "draft.txt", DRAFT)
    assert "demanding-phrasing" not in rules_of(run("check", "--format", "json", draft), draft)
    # The command line comes after the file: its --select starts again, --extend-select adds.
    selected = run("check", "--format", "json", "--select", "demanding-phrasing", draft)
    assert rules_of(selected, draft) == {"demanding-phrasing"}
    extended = run("check", "--format", "json", "--extend-select", "demanding-phrasing", draft)
    assert "demanding-phrasing" in rules_of(extended, draft)


def test_cli_unknown_rule_names_the_option(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    result = run("check", "--select", "length,nope", draft)
    assert result.exit_code == 2
    assert one_error_line(result) == "referral-lint: error: --select: unknown rule or group 'nope' (see 'referral-lint rules')"


# --- severity, fail-on, exit-zero ----------------------------------------------------


def test_severity_overrides_by_id_and_by_group(run, tmp_path):
    write(tmp_path / ".referral-lint.yaml", "severity:\n  core: info\n  length: error\n")
    draft = write(tmp_path / "draft.txt", DRAFT)
    result = run("check", "--format", "json", draft)
    severities = {(v["rule"], v["severity"]) for v in files(result)[str(draft)]}
    assert ("demanding-phrasing", "info") in severities  # by its group
    assert ("length", "error") in severities  # by its id, which beats the group
    assert result.exit_code == 1


def test_fail_on_from_the_file_and_the_command_line(run, tmp_path):
    write(tmp_path / ".referral-lint.yaml", "severity: {demanding-phrasing: warning}\nfail-on: error\n")
    draft = write(tmp_path / "draft.txt", DRAFT)
    assert run("check", draft).exit_code == 0  # only warnings left, and the file fails on errors
    assert run("check", "--fail-on", "warning", draft).exit_code == 1  # the command line wins
    assert run("check", "--isolated", draft).exit_code == 1


def test_exit_zero(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    result = run("check", "--exit-zero", draft)
    assert result.exit_code == 0
    assert "demanding-phrasing" in result.stdout  # still reported
    # An input error is still exit 2.
    assert run("check", "--exit-zero", draft, tmp_path / "missing.txt").exit_code == 2


# --- per-path sections ---------------------------------------------------------------


PER_PATH = """\
per-path:
  "linkedin/*.txt":
    channel: connection-note
  "*.md":
    ignore: [demanding-phrasing]
  "followups/":
    ignore: [core]
    severity: {clear-ask: info}
"""


def test_per_path_sections_match_by_glob(tmp_path):
    write(tmp_path / ".referral-lint.yaml", PER_PATH)
    assert config_for(tmp_path / "linkedin" / "ana.txt").channel == "connection-note"
    assert config_for(tmp_path / "linkedin" / "deeper" / "ana.txt").channel is None  # * stays in one directory
    assert config_for(tmp_path / "other" / "linkedin" / "ana.txt").channel is None  # anchored at the file's directory
    assert config_for(tmp_path / "deep" / "down" / "note.md").ignore == ("demanding-phrasing",)  # no "/": any depth
    followup = config_for(tmp_path / "followups" / "2024" / "ana.txt")
    assert followup.ignore == ("core",) and followup.severity == (("clear-ask", Severity.INFO),)
    assert config_for(tmp_path / "ana.txt") == Config()


@pytest.mark.parametrize(
    "pattern, matched, unmatched",
    [
        # ** crosses any number of directories, none included
        ("drafts/**/*.txt", ["drafts/a.txt", "drafts/2024/may/a.txt"], ["drafts/a.md", "other/drafts/a.txt"]),
        ("**/li-*.txt", ["li-ana.txt", "x/y/li-ana.txt"], ["x/y/ana.txt"]),
        # * and ? stay within one part; [abc] and [!abc] are one character
        ("notes/*.txt", ["notes/a.txt"], ["notes/2024/a.md", "a.txt"]),
        ("note-?.md", ["note-1.md", "deep/note-2.md"], ["note-12.md"]),
        ("[ab]*.txt", ["ana.txt", "x/ben.txt"], ["cal.txt"]),
        ("[!ab]*.txt", ["cal.txt"], ["ana.txt"]),
        # a directory, and everything in it; a directory a glob matches, too
        ("outreach/linkedin", ["outreach/linkedin/a.txt", "outreach/linkedin/2024/a.txt"], ["linkedin/a.txt"]),
        ("notes/*", ["notes/a.txt", "notes/2024/a.txt"], ["other/notes/a.txt"]),
        ("followups/", ["followups/a.txt", "2024/followups/a.txt", "followups"], ["followup/a.txt"]),
        ("/top.txt", ["top.txt"], ["sub/top.txt"]),
        ("./drafts/*.md", ["drafts/a.md"], ["x/drafts/a.md"]),
        # a leading ! or # is a character of the name, not a negation or a comment
        ("!draft.txt", ["!draft.txt"], ["draft.txt", "other.txt"]),
        ("#1.txt", ["#1.txt"], ["1.txt"]),
    ],
)
def test_per_path_glob_patterns(tmp_path, pattern, matched, unmatched):
    write(tmp_path / ".referral-lint.yaml", f"per-path:\n  {json.dumps(pattern)}:\n    channel: email\n")
    for path in matched:
        assert config_for(tmp_path / path).channel == "email", path
    for path in unmatched:
        assert config_for(tmp_path / path).channel is None, path


@pytest.mark.parametrize("pattern", ["[z-a].txt", "notes\\"])
def test_a_malformed_glob_names_the_file_line_and_pattern(run, tmp_path, pattern):
    config = write(tmp_path / ".referral-lint.yaml", f"channel: email\nper-path:\n  {json.dumps(pattern)}:\n    channel: email\n")
    result = run("check", write(tmp_path / "draft.txt", DRAFT))
    assert result.exit_code == 2
    line = one_error_line(result)
    assert line.startswith(f"referral-lint: error: {config}:3: per-path.{pattern}: invalid glob pattern: "), line


def test_per_path_in_the_cli(run, tmp_path):
    write(tmp_path / ".referral-lint.yaml", PER_PATH)
    note = write(tmp_path / "linkedin" / "ana.txt", DRAFT)
    markdown = write(tmp_path / "drafts" / "ana.md", DRAFT)
    plain = write(tmp_path / "drafts" / "ana.txt", DRAFT)
    result = run("check", "--format", "json", tmp_path)
    assert "length" not in rules_of(result, note)
    assert "demanding-phrasing" not in rules_of(result, markdown)
    assert {"demanding-phrasing", "length"} <= rules_of(result, plain)


def test_per_path_ignore_holds_against_cli_select_but_cli_channel_wins(run, tmp_path):
    """As ruff's per-file-ignores: --select on the command line does not undo them."""
    write(tmp_path / ".referral-lint.yaml", PER_PATH)
    markdown = write(tmp_path / "ana.md", DRAFT)
    result = run("check", "--format", "json", "--select", "demanding-phrasing,length", markdown)
    assert rules_of(result, markdown) == {"length"}
    note = write(tmp_path / "linkedin" / "ana.txt", DRAFT)
    result = run("check", "--format", "json", "--channel", "message", note)
    assert json.loads(result.stdout)["files"][0]["channel"] == "message"


# --- rule directories ----------------------------------------------------------------


def test_rule_dirs_add_a_teams_rules(run, tmp_path):
    write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    write(tmp_path / "drafts" / ".referral-lint.yaml", "rule-dirs: [../team-rules]\nseverity: {team: error}\n")
    draft = write(tmp_path / "drafts" / "draft.txt", BUZZ_DRAFT)
    result = run("check", "--format", "json", draft)
    buzz = [v for v in files(result)[str(draft)] if v["rule"] == "no-buzzwords"]
    assert [(v["severity"], BUZZ_DRAFT[v["start"] : v["end"]]) for v in buzz] == [("error", "rockstar")]
    # Its group can be selected like a built-in one.
    assert rules_of(run("check", "--format", "json", "--select", "team", draft), draft) == {"no-buzzwords"}
    # Without the configuration, the rule does not exist.
    assert "no-buzzwords" not in rules_of(run("check", "--format", "json", "--isolated", draft), draft)


def test_rules_and_explain_know_a_teams_rules(run, tmp_path, monkeypatch):
    write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\n")
    monkeypatch.chdir(tmp_path)
    listed = run("rules")
    assert listed.exit_code == 0
    assert "no-buzzwords          warning   forbid   Skip the buzzwords" in listed.stdout.splitlines()
    explained = run("explain", "no-buzzwords")
    assert explained.exit_code == 0
    assert explained.stdout.startswith("no-buzzwords: Skip the buzzwords\n")
    assert "  - I am a rockstar engineer." in explained.stdout
    document = json.loads(run("rules", "--output-format", "json").stdout)
    team = next(rule for rule in document if rule["id"] == "no-buzzwords")
    assert team == {
        "id": "no-buzzwords", "severity": "warning", "check": "forbid", "group": "team", "default": True,
        "summary": "Skip the buzzwords", "why": 'Readers skim past "synergy" and "rockstar"; a concrete result says more.',
        "file": str(tmp_path / "team-rules" / "no-buzzwords.yaml"),
    }
    assert {rule["id"] for rule in document} >= {"demanding-phrasing", "unused-ignore"}
    # --isolated: the built-in rules only.
    unknown = run("explain", "--isolated", "no-buzzwords")
    assert unknown.exit_code == 2
    assert one_error_line(unknown) == "referral-lint: error: unknown rule 'no-buzzwords' (see 'referral-lint rules')"


SALARY_RULE = """\
id: no-salary-talk
summary: Leave pay for later
severity: warning
check: forbid
group: team
why: Asking about pay in a referral request reads as if the pay is all you care about.
message: '"{match}" is for the recruiter, later.'
patterns:
  - phrases: [salary range, pay band]
    suggest: {delete: true}
examples:
  bad: ["Could you tell me what the salary range is?"]
  good: ["Could you tell me what the team works on?"]
"""


def test_a_deletion_that_breaks_the_sentence_is_not_safe(run, tmp_path):
    write(tmp_path / "team-rules" / "no-salary-talk.yaml", SALARY_RULE)
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\nselect: [no-salary-talk]\n")
    text = "Hi Ana,\n\nCould you tell me what the salary range is? I would also like to know the pay band.\n\nSam\n"
    draft = write(tmp_path / "draft.txt", text)
    found = files(run("check", "--format", "json", draft))[str(draft)]
    assert [(text[v["start"] : v["end"]], v["suggestions"][0]["applicability"]) for v in found] == [
        ("salary range", "unsafe"),  # "what the is": only the writer can rephrase it
        ("pay band", "unsafe"),  # "to know the.": the sentence would end on "the"
    ]
    fixed = run("fix", draft)
    assert fixed.exit_code == 1
    assert draft.read_text(encoding="utf-8") == text  # nothing safe to apply
    assert fixed.stdout.splitlines()[-1] == "Fixed 0 problems in 0 files; 2 remain. 2 more can be fixed with --unsafe-fixes."

    # Set off by commas, the same deletion leaves the sentence whole: safe.
    whole = "Hi Ana,\n\nI read the posting, salary range, and the team page. Thanks!\n\nSam\n"
    draft.write_text(whole, encoding="utf-8")
    [violation] = files(run("check", "--format", "json", draft))[str(draft)]
    assert violation["suggestions"][0]["applicability"] == "safe"
    assert run("fix", draft).exit_code == 0
    assert draft.read_text(encoding="utf-8") == whole.replace(", salary range,", "")


def test_test_rules_runs_a_directorys_examples(run, tmp_path):
    write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    passing = run("test-rules", tmp_path / "team-rules")
    assert (passing.exit_code, passing.stdout) == (0, "All 2 examples of 1 rule hold.\n")

    broken = TEAM_RULE.replace('good: ["I cut the build time in half."]', 'good: ["I cut the build time in half.", "We had real synergy."]')
    write(tmp_path / "broken-rules" / "no-buzzwords.yaml", broken)  # rules are cached per directory
    failing = run("test-rules", tmp_path / "broken-rules")
    assert failing.exit_code == 1
    assert failing.stdout.splitlines() == [
        f"FAIL {tmp_path / 'broken-rules' / 'no-buzzwords.yaml'}: no-buzzwords: good example 2: flagged 'synergy' in a good example",
        "     We had real synergy.",
        "1 of 3 examples of 1 rule failed.",
    ]

    empty = tmp_path / "nothing"
    empty.mkdir()
    assert one_error_line(run("test-rules", empty)) == f"referral-lint: error: {empty}: no rule files (.yaml, .yml) in this directory"


def test_test_rules_on_the_built_in_rules_directory_runs_their_examples(run):
    """A contributor's `referral-lint test-rules rules`: the built-in rules, once (not each a duplicate of itself)."""
    from referral_lint.engine.loader import builtin_rules_dir, load_rules

    result = run("test-rules", builtin_rules_dir())
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f" examples of {len(load_rules())} rules hold.\n")


def test_a_broken_team_rule_names_its_file_line_and_key(run, tmp_path):
    write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE.replace("check: forbid", "check: ban"))
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\n")
    draft = write(tmp_path / "draft.txt", BUZZ_DRAFT)
    result = run("check", draft)
    assert result.exit_code == 2
    assert result.stdout == ""
    line = one_error_line(result)
    assert line.startswith(f"referral-lint: error: {tmp_path / 'team-rules' / 'no-buzzwords.yaml'}:4: check: ")
    assert "'ban'" in line


def test_a_missing_rule_directory_names_the_configuration(run, tmp_path):
    config = write(tmp_path / ".referral-lint.yaml", "channel: email\nrule-dirs:\n  - team-rules\n")
    result = run("check", write(tmp_path / "draft.txt", DRAFT))
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"referral-lint: error: {config}:3: rule-dirs: no such directory: {tmp_path / 'team-rules'}"
    )


def test_a_rule_directory_may_hold_the_configuration_itself(run, tmp_path):
    write(tmp_path / "no-buzzwords.yaml", TEAM_RULE)
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [.]\n")  # a hidden file is not a rule
    draft = write(tmp_path / "draft.txt", BUZZ_DRAFT)
    assert "no-buzzwords" in rules_of(run("check", "--format", "json", draft), draft)


# --- bad configuration files: one line, the file and the line, exit 2 ------------------


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("unknown-key", "channel: email\nfail_on: error\n", ":2: fail_on: unknown key 'fail_on' (did you mean 'fail-on'?)"),
        ("wrong-type", "channel: email\nignore: length\n", ":2: ignore: expected a list of rule ids or groups, got a string"),
        ("bad-choice", "channel: sms\n", ":1: channel: unknown channel 'sms' (expected one of: "),
        ("bad-severity", "severity:\n  length: fatal\n", ":2: severity.length: unknown severity 'fatal'"),
        ("unknown-rule", "select:\n  - core\n  - no-such-rule\n", ":3: select: unknown rule or group 'no-such-rule'"),
        ("unknown-rule-in-severity", "severity:\n  nope: info\n", ":2: severity.nope: unknown rule or group 'nope'"),
        ("yaml-error", "channel: email\nignore: [length\n", ":3: invalid YAML: "),
        ("not-a-mapping", "- channel\n", ":1: expected a mapping of options"),
        ("per-path-key", "per-path:\n  '*.md':\n    select: [core]\n", ":3: per-path.*.md.select: unknown key 'select'"),
        ("per-path-rule", "per-path:\n  '*.md':\n    ignore: [nope]\n", ":3: per-path.*.md.ignore: unknown rule or group 'nope'"),
    ],
)
def test_a_bad_yaml_file(run, tmp_path, name, text, expected):
    config = write(tmp_path / ".referral-lint.yaml", text)
    draft = write(tmp_path / "draft.txt", DRAFT)
    result = run("check", draft)
    assert result.exit_code == 2, name
    assert result.stdout == ""
    line = one_error_line(result)
    assert line.startswith(f"referral-lint: error: {config}{expected}"), line


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[tool.referral-lint]\nchannel = "email"\nfail_on = "error"\n', ":3: tool.referral-lint.fail_on: unknown key"),
        ('[tool.referral-lint]\nselect = "core"\n', ":2: tool.referral-lint.select: expected a list"),
        ('[tool.referral-lint]\nchannel = \n', ":2: invalid TOML: "),
        ('[tool.referral-lint.severity]\nlength = "loud"\n', ":2: tool.referral-lint.severity.length: unknown severity 'loud'"),
        ('[tool.referral-lint.per-path."notes/*"]\nignore = ["nope"]\n', ':2: tool.referral-lint.per-path.notes/*.ignore: unknown rule'),
        # A quoted key with an escape and another non-ASCII letter: found on its own line.
        (
            '[tool.referral-lint]\nchannel = "email"\n\n[tool.referral-lint.per-path."brouillons/é\\u00e9*"]\nignore = ["nope"]\n',
            ":5: tool.referral-lint.per-path.brouillons/éé*.ignore: unknown rule",
        ),
        # U+2028 in a comment ends no line, for tomllib as for editors.
        ('# a\u2028b\n[tool.referral-lint]\nfail_on = "error"\n', ":3: tool.referral-lint.fail_on: unknown key"),
    ],
)
def test_a_bad_pyproject(run, tmp_path, text, expected):
    config = write(tmp_path / "pyproject.toml", text)
    result = run("check", write(tmp_path / "draft.txt", DRAFT))
    assert result.exit_code == 2
    line = one_error_line(result)
    assert line.startswith(f"referral-lint: error: {config}{expected}"), line


def test_pyproject_options(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "drafts"\n\n[tool.referral-lint]\nchannel = "email"\nextend-select = ["reading-level"]\n'
        'severity = { gratitude = "info" }\n\n[tool.referral-lint.per-path."linkedin/*"]\nchannel = "connection-note"\n',
    )
    assert config_for(tmp_path / "a.txt") == Config(
        channel="email", extend_select=("reading-level",), severity=(("gratitude", Severity.INFO),)
    )
    assert config_for(tmp_path / "linkedin" / "a.txt").channel == "connection-note"


def test_an_empty_file_is_the_defaults(tmp_path):
    write(tmp_path / ".referral-lint.yaml", "# nothing yet\n")
    assert config_for(tmp_path / "a.txt") == Config()


# --- --statistics, --quiet -----------------------------------------------------------


def test_statistics(run, tmp_path):
    first = write(tmp_path / "a.txt", DRAFT)
    second = write(tmp_path / "b.txt", DRAFT)
    result = run("check", "--output-format", "statistics", "--select", "demanding-phrasing,length", first, second)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "4\tdemanding-phrasing\t[*] Demanding, rushing or presumptive phrasing",
        "2\tlength            \t[ ] " + next(rule.summary for rule in load_rules() if rule.id == "length"),
    ]
    # The old flag still works, and says what replaces it.
    deprecated = run("check", "--statistics", "--select", "demanding-phrasing", first)
    assert deprecated.stdout == "2\tdemanding-phrasing\t[*] Demanding, rushing or presumptive phrasing\n"
    assert deprecated.stderr == "referral-lint: warning: --statistics is deprecated; use --output-format statistics\n"


def test_statistics_of_a_clean_run_is_empty(run, tmp_path):
    draft = write(tmp_path / "a.txt", DRAFT)
    result = run("check", "--output-format", "statistics", "--select", "placeholder", draft)
    assert result.exit_code == 0
    assert result.stdout == ""


def test_quiet_prints_the_violations_and_no_summary(run, tmp_path):
    draft = write(tmp_path / "a.txt", DRAFT)
    loud = run("check", draft).stdout
    quiet = run("check", "--quiet", draft).stdout
    assert "Found " in loud and "Found " not in quiet and "[*] " not in quiet.splitlines()[-1]
    assert quiet == loud[: loud.index("Found ")].rstrip("\n") + "\n"
    clean = run("check", "-q", "--select", "placeholder", draft)
    assert clean.exit_code == 0 and clean.stdout == ""


# --- stdin ---------------------------------------------------------------------------


def test_stdin_filename_names_the_draft_and_finds_its_configuration(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "notes" / ".referral-lint.yaml", "ignore: [demanding-phrasing]\nper-path:\n  'li-*.txt':\n    channel: connection-note\n")
    result = run("check", "--format", "json", "--stdin-filename", "notes/li-ana.txt", "-", input=DRAFT.encode())
    [entry] = json.loads(result.stdout)["files"]
    assert entry["path"] == "notes/li-ana.txt"
    assert entry["channel"] == "connection-note"
    assert "demanding-phrasing" not in {v["rule"] for v in entry["violations"]}
    text = run("check", "--stdin-filename", "notes/li-ana.txt", "-", input=DRAFT.encode())
    assert all(line.startswith("notes/li-ana.txt:") for line in text.stdout.splitlines() if ": " in line and line[0] != " ")


def test_stdin_without_a_filename_uses_the_current_directory(run, tmp_path, monkeypatch):
    write(tmp_path / ".referral-lint.yaml", "ignore: [demanding-phrasing]\n")
    monkeypatch.chdir(tmp_path)
    result = run("check", "--format", "json", "-", input=DRAFT.encode())
    [entry] = json.loads(result.stdout)["files"]
    assert entry["path"] == "<stdin>"
    assert "demanding-phrasing" not in {v["rule"] for v in entry["violations"]}


# --- the documentation's examples ------------------------------------------------------


def _code_blocks(language: str) -> list[str]:
    text = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    return [block for block in text.split(f"```{language}\n")[1:] for block in [block.split("```", 1)[0]]]


def test_the_documented_example_works_in_yaml_and_in_toml(tmp_path):
    yaml_dir, toml_dir = tmp_path / "yaml", tmp_path / "toml"
    for directory in (yaml_dir, toml_dir):
        write(directory / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    write(yaml_dir / ".referral-lint.yaml", _code_blocks("yaml")[0])
    write(toml_dir / "pyproject.toml", _code_blocks("toml")[0])
    for directory in (yaml_dir, toml_dir):
        base = config_for(directory / "ana.txt")
        assert base.channel == "email" and base.fail_on is Severity.ERROR
        assert base.severity == (("gratitude", Severity.INFO),)
        assert base.rule_dirs == (directory / "team-rules",)
        assert config_for(directory / "linkedin" / "ana.txt").channel == "connection-note"
        assert config_for(directory / "followups" / "2024" / "ana.txt").channel == "followup"
    assert config_for(yaml_dir / "followups" / "a.txt").select == config_for(toml_dir / "followups" / "a.txt").select
    # Every other YAML snippet on the page is a valid configuration too.
    for index, snippet in enumerate(_code_blocks("yaml")[1:]):
        write(tmp_path / f"snippet{index}" / ".referral-lint.yaml", snippet.replace("../shared-rules", "shared-rules"))
        write(tmp_path / f"snippet{index}" / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
        (tmp_path / f"snippet{index}" / "shared-rules").mkdir()
        config_for(tmp_path / f"snippet{index}" / "x.txt")
