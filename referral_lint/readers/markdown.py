"""Markdown drafts: the prose, at the offsets it has in the file.

Design: blank, don't extract. The linter is given a string exactly as long as the
file, in which every character that is not prose has been replaced by a space, while
line ends stay where they are. Nothing moves, so an offset, a line and a column in the
linted text are the same offset, line and column in the file: editors, ``fix`` and
SARIF viewers need no mapping back, and a suggestion's edit applies to the file as it
is. Spaces are what the linter already treats as nothing (a run of them is one gap
between words), so the prose around a blanked code span reads as it would with the
span removed. Extracting the prose into a new string instead would need an offset map
kept in step with every construct, and would join words across what was removed.

What is blanked:

- front matter: a YAML block between ``---`` lines (closed by ``---`` or ``...``) or a
  TOML block between ``+++`` lines, at the very start of the file;
- fenced code blocks (``````` or ``~~~``, closed by a fence at least as long; an unclosed
  fence runs to the end of the file) and indented code blocks, as CommonMark reads them
  (markdown-it-py finds the blocks: see ``_block_ranges``);
- ATX headings (``# Title``): a document's title, not the message's opening;
- inline code spans and HTML comments (which may span lines);
- the markup of links: in ``[the posting](https://…)``, ``[text][ref]`` and ``[text]``
  with a matching definition, the brackets, the title and a destination that is not a
  web address are blanked, and the link text stays; link reference definition lines
  (those whose destination looks like a link: ``[Role]: TBD`` is a blank left to fill);
  the angle brackets of autolinks ``<https://…>`` and ``<someone@example.com>``; images
  ``![alt](src)`` entirely (the reader sees a picture, not its alt text).

Web addresses stay, the reader gets them: bare URLs (``https://…``, ``www.…``; nothing in
one opens a code span or a link), an autolink's address and an inline link's web address
(``the posting https://…``). The linter reads them as in a plain-text draft: an address is
one word, in which no phrase matches, and a link to the posting names the role.

What stays: everything else, markdown punctuation included (``*`` around emphasis,
list bullets, a setext heading's ``---`` underline, which in a draft is as often a
paragraph separator): the linter reads a plain-text draft with the
same marks the same way. Raw HTML tags stay too, because ``<job title>``, a blank left
for the writer to fill, is also a valid HTML tag, and the placeholder check must see
it; and so does ``[Name]`` when it is not a link.
"""

from __future__ import annotations

import bisect
import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference

from referral_lint.positions import LineIndex

_NOT_LINE_END = re.compile(r"[^\r\n]")
_BACKTICKS = re.compile(r"`+")

_FRONT_MATTER = {"---": ("---", "..."), "+++": ("+++",)}
_MARKDOWN = MarkdownIt("commonmark").disable(["inline", "text_join"])  # the blocks are enough
# What follows "]:" in a link reference definition that is one (not a "[Role]: TBD" blank).
_LINK_DESTINATION = re.compile(r"\s*(?:<|\S*[/.#:@])")

_INLINE = re.compile(r"\\|`+|<|!\[|\[|\]|(?<![\w/.@:+-])(?:https?://|www\.)", re.IGNORECASE)
_URI_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>")
_EMAIL_AUTOLINK = re.compile(
    r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>"
)
_BRACKET_TOKENS = re.compile(r"\\.|`+|\[|\]", re.DOTALL)
# An inline link's "(destination 'title')": a destination in <...>, or one without spaces
# whose parentheses balance (one level deep); a title in "...", '...' or (...). Each part is
# bounded, so that no input makes the scan slow; a longer one is not taken for a link.
_BOUND = "{0,2048}"
_LINK_TAIL = re.compile(
    r"\([ \t]*(?:\r\n|\r|\n)?[ \t]*"
    rf"(?:<(?P<angled>[^<>\r\n]{_BOUND})>|(?P<plain>(?:[^\s()\\<]|\\\S|\((?:[^\s()\\]|\\\S){_BOUND}\)){_BOUND}))"
    r"(?:(?=\s)[ \t]*(?:\r\n|\r|\n)?[ \t]*"
    rf"(?:\"(?:[^\"\\]|\\.){_BOUND}\"|'(?:[^'\\]|\\.){_BOUND}'|\((?:[^()\\]|\\.){_BOUND}\)))?"
    r"[ \t]*(?:\r\n|\r|\n)?[ \t]*\)",
    re.DOTALL,
)
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<]*", re.IGNORECASE)
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_TRAILING_PUNCTUATION = "?!.,:*_~'\""
_MAX_LABEL = 999


def prose(text: str) -> str:
    """``text`` with everything but its prose replaced by spaces; line ends are kept.

    The result has the same length as ``text`` and its line ends at the same places.
    """
    blocks, labels = _block_ranges(text)
    # Inline constructs are looked for with the code blocks already blanked, so that
    # a backtick or "<!--" inside a code block cannot open a span outside it.
    stage = _apply(text, blocks)
    return _apply(text, blocks + _Inlines(stage, labels).scan())


def _apply(text: str, ranges: list[tuple[int, int]]) -> str:
    if not ranges:
        return text
    out = []
    position = 0
    for start, end in sorted(ranges):
        start = max(start, position)
        if end <= start:
            continue
        out.append(text[position:start])
        out.append(_NOT_LINE_END.sub(" ", text[start:end]))
        position = end
    out.append(text[position:])
    return "".join(out)


# --- blocks: front matter, then what markdown-it-py finds ---------------------------------


def _front_matter(lines: LineIndex) -> int:
    """How many lines of front matter the file starts with (0 if none)."""
    closers = _FRONT_MATTER.get(lines.line_text(1).rstrip())
    if not closers:
        return 0
    for number in range(2, len(lines.starts) + 1):
        if lines.line_text(number).rstrip() in closers:
            return number
    return 0


def _block_ranges(text: str) -> tuple[list[tuple[int, int]], set[str]]:
    """The lines to blank (front matter, code, titles, link definitions) and the link labels defined.

    markdown-it-py (CommonMark, block rules only) finds the blocks and gives each its
    lines: fenced code (an unclosed fence runs to the end) and indented code, an ATX
    heading (``# Title``: a document's title, not the message's opening; a setext
    heading's text underlined with ``---`` stays, as that is also how a draft separates a
    paragraph), and link reference definitions whose destination looks like a link (a
    path, URL or ``<…>``: ``[Role]: TBD`` is a template blank, and stays).
    """
    lines = LineIndex(text)
    skip = _front_matter(lines)
    blanked: set[int] = set(range(skip))
    parsed = _apply(text, [(0, lines.ends[skip - 1])]) if skip else text  # line numbers stay the file's
    env: dict = {}
    for token in _MARKDOWN.parse(parsed, env):
        if token.map and (token.type in ("fence", "code_block") or (token.type == "heading_open" and token.markup.startswith("#"))):
            blanked.update(range(*token.map))
    labels = set()
    for label, definition in env.get("references", {}).items():
        first, last = definition["map"]
        source = text[lines.starts[first] : lines.ends[last - 1]]
        if _LINK_DESTINATION.match(source, source.index("]:") + 2):
            labels.add(_normalise_label(label))
            blanked.update(range(first, last))
    return [(lines.starts[line], lines.ends[line]) for line in sorted(blanked)], labels


# --- inlines: code spans, comments, autolinks, links, images, bare URLs ------------------


def _normalise_label(label: str) -> str:
    """A link label as markdown-it-py keys its definitions, case folded."""
    return normalizeReference(label).casefold()


class _Inlines:
    """A left-to-right scan for the inline constructs to blank, in CommonMark's precedence."""

    def __init__(self, text: str, labels: set[str]) -> None:
        self.text = text
        self.ranges: list[tuple[int, int]] = []
        self.labels = labels
        # Paragraph boundaries (the starts of blank lines): a code span or a link does
        # not cross one.
        lines = LineIndex(text)
        self.breaks = [start for start, end in zip(lines.starts, lines.ends) if not text[start:end].strip()]
        self.runs: dict[int, list[int]] = {}  # backtick-run length -> starts
        for match in _BACKTICKS.finditer(text):
            self.runs.setdefault(len(match[0]), []).append(match.start())
        self.jumps: dict[int, int] = {}  # a link's "]" -> the end of the link
        self.brackets: dict[int, int] | None = None  # "[" -> "]", computed when first needed
        self.comment_ends = [match.start() for match in re.finditer("-->", text)]

    def paragraph(self, offset: int) -> int:
        return bisect.bisect_right(self.breaks, offset)

    def code_span_end(self, start: int, length: int) -> int | None:
        """The end of the code span opened by the backtick run at ``start``, if it closes."""
        runs = self.runs.get(length, [])
        at = bisect.bisect_right(runs, start)
        if at < len(runs) and self.paragraph(runs[at]) == self.paragraph(start):
            return runs[at] + length
        return None

    def closing_bracket(self, start: int) -> int | None:
        """The "]" that closes the "[" at ``start`` (brackets nest; escapes and code skipped)."""
        if self.brackets is None:
            self.brackets = self._match_brackets()
        return self.brackets.get(start)

    def _match_brackets(self) -> dict[int, int]:
        """Every "[" -> its "]", in one pass: brackets nest, and do not pair across a blank line."""
        text = self.text
        pairs: dict[int, int] = {}
        stack: list[int] = []
        paragraph = 0
        position = 0
        while True:
            match = _BRACKET_TOKENS.search(text, position)
            if match is None:
                return pairs
            start, token = match.start(), match[0]
            position = match.end()
            if self.paragraph(start) != paragraph:
                paragraph, stack = self.paragraph(start), []
            if token[0] == "`":
                end = self.code_span_end(start, len(token))
                position = end if end is not None else position  # brackets in code are not brackets
            elif token == "[":
                stack.append(start)
            elif token == "]" and stack:
                pairs[stack.pop()] = start

    def link_end(self, open_bracket: int) -> tuple[int, int, tuple[int, int] | None] | None:
        """(position of "]", end of the whole link, the web address it links to if it shows
        one) for a link or image starting at ``open_bracket``."""
        close = self.closing_bracket(open_bracket)
        if close is None:
            return None
        text = self.text
        after = close + 1
        if text.startswith("(", after):
            tail = _LINK_TAIL.match(text, after)
            if tail is None:
                return None
            group = "angled" if tail["angled"] is not None else "plain"
            address = tail.span(group) if _BARE_URL.fullmatch(tail[group]) else None
            return close, tail.end(), address
        if text.startswith("[", after):
            label_close = text.find("]", after + 1, after + 2 + _MAX_LABEL)
            if label_close >= 0 and "[" not in text[after + 1 : label_close]:
                label = text[after + 1 : label_close] or text[open_bracket + 1 : close]
                if len(label) <= _MAX_LABEL and _normalise_label(label) in self.labels:
                    return close, label_close + 1, None
        # A label is at most _MAX_LABEL characters (CommonMark): longer text is no reference,
        # and normalising it for every bracket of a deep nest would be quadratic.
        if close - open_bracket - 1 <= _MAX_LABEL and _normalise_label(text[open_bracket + 1 : close]) in self.labels:
            return close, after, None
        return None

    def scan(self) -> list[tuple[int, int]]:
        text = self.text
        position = 0
        while True:
            match = _INLINE.search(text, position)
            if match is None:
                return self.ranges
            start, token = match.start(), match[0]
            position = match.end()
            if token == "\\":
                if text[position : position + 1] in _ASCII_PUNCTUATION:
                    position += 1  # an escaped character is literal
            elif token[0] == "`":
                end = self.code_span_end(start, len(token))
                if end is not None:
                    self.ranges.append((start, end))
                    position = end
            elif token == "<":
                if text.startswith("<!--", start):
                    at = bisect.bisect_left(self.comment_ends, start + 2)  # "<!-->" is a whole comment
                    if at < len(self.comment_ends):
                        end = self.comment_ends[at] + 3
                        self.ranges.append((start, end))
                        position = end
                    continue
                link = _URI_AUTOLINK.match(text, start) or _EMAIL_AUTOLINK.match(text, start)
                if link:  # the address stays, as the reader sees it; the angle brackets go
                    self.ranges += [(start, start + 1), (link.end() - 1, link.end())]
                    position = link.end()
            elif token == "![":
                found = self.link_end(start + 1)
                if found:
                    self.ranges.append((start, found[1]))
                    position = found[1]
                else:
                    position = start + 1  # read the "[" as a possible link
            elif token == "[":
                found = self.link_end(start)
                if found:
                    close, end, address = found
                    self.ranges.append((start, start + 1))
                    if address:  # the web address stays: "the posting https://…", as in a plain-text draft
                        self.ranges += [(close, address[0]), (address[1], end)]
                    else:
                        self.ranges.append((close, end))
                    self.jumps[close] = end  # the link text is scanned; then skip the destination
            elif token == "]":
                position = self.jumps.get(start, position)
            else:  # a bare URL stays, as in a plain-text draft; nothing in it opens a construct
                end = _bare_url_end(text, start)
                if end > start:
                    position = end


def _bare_url_end(text: str, start: int) -> int:
    """The end of the bare URL at ``start``, trailing punctuation left out (as GFM does)."""
    url = _BARE_URL.match(text, start)
    if url is None:
        return start
    value = url[0]
    while value:
        if value[-1] in _TRAILING_PUNCTUATION:
            value = value[:-1]
        elif value[-1] == ")" and value.count(")") > value.count("("):
            value = value[:-1]
        elif value[-1] == ";" and re.search(r"&[A-Za-z0-9]+;$", value):
            value = value[: value.rindex("&")]
        else:
            break
    if value.lower() in ("www.", "http://", "https://") or value.lower().endswith("://"):
        return start
    return start + len(value)
