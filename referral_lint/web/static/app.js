// The referral-lint page: checks the draft through the server's JSON API as it is typed.
// Plain JavaScript, no libraries: the page must work offline, from the wheel alone.
"use strict";

(() => {
  const DEBOUNCE_MS = 250;
  const $ = (id) => document.getElementById(id);
  const draft = $("draft"), highlights = $("highlights"), channelPicker = $("channel");
  const counter = $("counter"), summary = $("summary"), list = $("problems"), notice = $("notice");
  const fixAllButton = $("fix-all"), undoButton = $("undo"), copyButton = $("copy");

  let rules = {};        // rule id -> {summary, why, severity, limits, ...} from /api/rules
  let shown = null;      // the report on screen: {text, channel, violations, omitted, offsets}
  let latest = 0;        // the number of the newest check; an older answer is dropped
  let inFlight = null;   // the AbortController of the check under way
  let timer = 0;
  const undoStack = [];
  // Read by bench/bench_web.py: milliseconds from sending a check to the frame with its underlines.
  const timings = (window.referralLintTimings = []);

  // The server counts offsets in code points (Python str); JavaScript strings count UTF-16
  // units, where an emoji takes two. offsets[i] is where code point i starts in `text`.
  function utf16Offsets(text) {
    const offsets = [];
    let i = 0;
    while (i < text.length) {
      offsets.push(i);
      const unit = text.charCodeAt(i);
      const pair = unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      i += pair ? 2 : 1;
    }
    offsets.push(i);
    return offsets;
  }

  async function api(path, body, signal) {
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
    return data;
  }

  const channel = () => channelPicker.value;

  // --- checking -------------------------------------------------------------------------

  function scheduleCheck() {
    document.body.classList.add("stale");
    followEdit();
    updateCounter();
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  async function check() {
    clearTimeout(timer);
    const text = draft.value;
    const number = ++latest;
    if (inFlight) inFlight.abort();  // the check this one supersedes: its answer is not wanted
    inFlight = new AbortController();
    if (!text.trim()) {
      show(text, { channel: null, violations: [] }, null);
      return;
    }
    const started = performance.now();
    let result;
    try {
      result = await api("/api/lint", { text, channel: channel() }, inFlight.signal);
    } catch (error) {
      if (error.name !== "AbortError") say(`Could not check the draft: ${error.message}`);
      return;
    }
    if (number !== latest || text !== draft.value) return;  // the draft changed meanwhile
    showDocument(text, result);
    requestAnimationFrame(() => timings.push(performance.now() - started));  // until the frame that shows it
  }

  function showDocument(text, result) {
    const file = result.files[0];
    const problem = result.errors.length ? result.errors[0].error : null;
    show(text, file || { channel: null, violations: [] }, problem);
  }

  function show(text, file, problem) {
    shown = { text, channel: file.channel, violations: file.violations, omitted: file.omitted || {}, offsets: utf16Offsets(text) };
    document.body.classList.remove("stale");
    drawUnderlines(text, spans());
    drawList(problem);
    updateCounter();
  }

  // --- underlines -----------------------------------------------------------------------

  const RANK = { info: 0, warning: 1, error: 2 };

  function spans() {
    const { violations, offsets } = shown;
    return violations
      .map((v, index) => ({ index, start: offsets[v.start], end: offsets[v.end], severity: v.severity }))
      .filter((span) => span.end > span.start);
  }

  // The mirror holds the same text as the textarea, cut where any violation starts or ends;
  // each piece inside a violation is a <mark> of the worst severity covering it.
  function drawUnderlines(text, covered) {
    const cuts = new Set([0, text.length]);
    for (const span of covered) cuts.add(span.start).add(span.end);
    const points = [...cuts].sort((a, b) => a - b);
    const pieces = document.createDocumentFragment();
    for (let k = 0; k + 1 < points.length; k++) {
      const [from, to] = [points[k], points[k + 1]];
      const over = covered.filter((span) => span.start <= from && span.end >= to);
      const piece = text.slice(from, to);
      if (!over.length) {
        pieces.append(piece);
        continue;
      }
      const mark = document.createElement("mark");
      const worst = over.reduce((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a));
      mark.className = worst.severity;
      mark.dataset.violations = over.map((span) => span.index).join(" ");
      mark.textContent = piece;
      pieces.append(mark);
    }
    pieces.append("\n");  // a final newline in the textarea still takes a line
    highlights.replaceChildren(pieces);
    highlights.scrollTop = draft.scrollTop;
  }

  // While a check is pending, the underlines follow the edit: those before the changed
  // stretch stay, those after it move by the length typed or deleted, those in it go.
  function followEdit() {
    if (!shown) return;
    const before = shown.text, after = draft.value;
    const shortest = Math.min(before.length, after.length);
    let head = 0;
    while (head < shortest && before[head] === after[head]) head++;
    let tail = 0;
    while (tail < shortest - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
    const shift = after.length - before.length;
    const kept = spans().flatMap((span) => {
      if (span.end <= head) return [span];
      if (span.start >= before.length - tail) return [{ ...span, start: span.start + shift, end: span.end + shift }];
      return [];
    });
    drawUnderlines(after, kept);
  }

  function markCurrent(index) {
    for (const mark of highlights.querySelectorAll("mark")) {
      mark.classList.toggle("current", mark.dataset.violations.split(" ").includes(String(index)));
    }
  }

  // --- the list of problems -------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function excerpt(violation) {
    const { text, offsets } = shown;
    const quoted = text.slice(offsets[violation.start], offsets[violation.end]).replace(/\s+/g, " ").trim();
    if (!quoted) return `line ${violation.line}`;
    return quoted.length > 60 ? `“${quoted.slice(0, 57)}…”` : `“${quoted}”`;
  }

  function drawList(problem) {
    const { violations } = shown;
    list.replaceChildren();
    if (problem && shown.text.trim()) summary.textContent = problem;
    else if (!shown.text.trim()) summary.textContent = "Write a draft to check it.";
    else if (!violations.length) summary.textContent = "No problems found. Read it once more, then send it.";
    else {
      const errors = violations.filter((v) => v.severity === "error").length;
      // Past the cap per rule the report counts violations instead of listing them: say so.
      const leftOut = Object.values(shown.omitted).reduce((sum, count) => sum + count, 0);
      summary.textContent = `${violations.length} problem${violations.length === 1 ? "" : "s"}` +
        (errors ? ` (${errors} error${errors === 1 ? "" : "s"})` : "") + "." +
        (leftOut ? ` ${leftOut} more not listed: at most 1,000 per rule.` : "");
    }
    fixAllButton.disabled = !violations.some((v) => v.fixable);
    violations.forEach((violation, index) => list.append(problemItem(violation, index)));
  }

  function problemItem(violation, index) {
    const item = element("li", `problem ${violation.severity}`);
    item.dataset.rule = violation.rule;
    const head = element("div", "head");
    const where = element("button", "show quote", excerpt(violation));
    where.type = "button";
    where.title = "Show it in the draft";
    where.addEventListener("click", () => select(violation, index));
    head.append(element("span", "severity", violation.severity), element("span", "rule", violation.rule), where);
    item.append(head, element("p", "message", violation.message));
    const rule = rules[violation.rule];
    if (rule) {
      const why = element("details");
      why.append(element("summary", "", "Why it matters"), element("p", "", rule.why));
      item.append(why);
    }
    const suggestions = element("ul", "suggestions");
    for (const suggestion of violation.suggestions) {
      const entry = element("li");
      if (suggestion.applicability === "display") {
        entry.append(element("span", "todo", `For you to do: ${suggestion.description}`));
      } else {
        const button = element("button", `suggestion ${suggestion.applicability}`, suggestion.description);
        button.type = "button";
        // Unsafe: it may change what the draft says (a sentence added or removed, words the sentence
        // may need deleted) or leave a <blank>; "Apply all safe fixes" leaves it out.
        if (suggestion.applicability === "unsafe") {
          button.append(element("span", "caveat", "Unsafe: read the draft after applying it (Apply all safe fixes leaves it out)"));
        }
        button.addEventListener("click", () => apply(suggestion.edits));
        entry.append(button);
      }
      suggestions.append(entry);
    }
    item.append(suggestions);
    return item;
  }

  function select(violation, index) {
    if (!current()) return;
    const { offsets } = shown;
    draft.focus();
    draft.setSelectionRange(offsets[violation.start], offsets[violation.end]);
    markCurrent(index);
  }

  // The caret in an underlined stretch points out its problem in the list.
  function pointOutProblemAtCaret() {
    if (!current()) return;
    const caret = draft.selectionStart;
    const hits = spans().filter((span) => span.start <= caret && caret <= span.end);
    const hit = hits.sort((a, b) => a.end - a.start - (b.end - b.start))[0];  // the innermost
    list.querySelectorAll(".problem.current").forEach((item) => item.classList.remove("current"));
    if (!hit) return;
    const item = list.children[hit.index];
    item.classList.add("current");
    item.scrollIntoView({ block: "nearest" });
  }

  // --- changing the draft ---------------------------------------------------------------

  const current = () => shown !== null && shown.text === draft.value;

  function replaceDraft(text, caret) {
    undoStack.push({ text: draft.value, caret: draft.selectionStart, after: text });
    undoButton.disabled = false;
    setDraft(text, caret);
  }

  function setDraft(text, caret) {
    draft.value = text;
    draft.setSelectionRange(caret, caret);
    check();
  }

  // The edits of one suggestion, in the server's code point offsets of the text it checked.
  function apply(edits) {
    if (!current()) {
      say("The draft changed: wait for the check to catch up.");
      return;
    }
    const { offsets } = shown;
    let text = draft.value;
    const ordered = [...edits].sort((a, b) => b.start - a.start);  // from the end, so offsets hold
    for (const edit of ordered) {
      text = text.slice(0, offsets[edit.start]) + edit.replacement + text.slice(offsets[edit.end]);
    }
    const first = ordered[ordered.length - 1];
    replaceDraft(text, first ? offsets[first.start] + first.replacement.length : 0);
    draft.focus();
    say("Applied.");
  }

  async function fixAll() {
    const text = draft.value;
    if (!text.trim()) return;
    let result;
    try {
      result = await api("/api/fix", { text, channel: channel() });
    } catch (error) {
      say(`Could not fix the draft: ${error.message}`);
      return;
    }
    if (text !== draft.value) return;  // typed over meanwhile: keep what was typed
    if (!result.fixed) {
      say("Nothing to fix safely.");
      return;
    }
    replaceDraft(result.text, draft.selectionStart);
    say(`Fixed ${result.fixed} problem${result.fixed === 1 ? "" : "s"}.`);
  }

  function undo() {
    const previous = undoStack.pop();
    if (!previous) return;
    undoButton.disabled = !undoStack.length;
    setDraft(previous.text, previous.caret);
    say("Undone.");
  }

  // Ctrl+Z (or Cmd+Z) right after a suggestion or a fix takes it back, as the Undo button
  // does; the browser's own undo knows nothing of text set by the page.
  function undoKey(event) {
    const last = undoStack[undoStack.length - 1];
    const isUndo = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z";
    if (isUndo && last && last.after === draft.value) {
      event.preventDefault();
      undo();
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(draft.value);
    } catch {
      draft.select();
      document.execCommand("copy");
    }
    say("Copied the draft.");
  }

  function say(message) {
    notice.textContent = message;
  }

  // --- the counter: characters or words against the channel's bounds ---------------------

  // The channel the length is judged by: the picked one, or the one the last check detected.
  function judgedChannel() {
    if (channel() !== "detect") return channel();
    if (current() && shown.channel) return shown.channel;
    return /^\s*subject\s*:/i.test(draft.value) ? "email" : "message";
  }

  function lengthLimit(channelName) {
    for (const rule of Object.values(rules)) {
      const limit = rule.scope === "message" && rule.limits[channelName];
      if (limit && (limit.measure === "characters" || limit.measure === "words")) return limit;
    }
    return null;
  }

  // As the length rule measures: the message without its Subject line and the space around it.
  function measure(text, unit) {
    const body = text.replace(/^\s*subject\s*:[^\n]*\n?/i, "").trim();
    if (unit === "characters") return [...body].length;
    return body ? body.split(/\s+/).length : 0;
  }

  function updateCounter() {
    const limit = lengthLimit(judgedChannel());
    if (!limit) {
      counter.textContent = "";
      return;
    }
    const value = measure(draft.value, limit.measure);
    const failed = limit.bounds.find((b) => (b.max !== null && value > b.max) || (b.min !== null && value < b.min));
    const maxes = limit.bounds.filter((b) => b.max !== null).map((b) => b.max);
    const mins = limit.bounds.filter((b) => b.min !== null).map((b) => b.min);
    let text;
    if (failed && draft.value.trim()) {
      text = `${value} ${limit.measure}: ` + (failed.max !== null && value > failed.max ? `over ${failed.max}` : `under ${failed.min}`);
    } else if (mins.length) {
      text = `${value} ${limit.measure} (aim for ${Math.max(...mins)}–${Math.min(...maxes)})`;
    } else {
      text = `${value} / ${Math.max(...maxes)} ${limit.measure}`;
    }
    counter.textContent = text;
    counter.dataset.severity = failed && draft.value.trim() ? failed.severity : "ok";
  }

  // --- wiring ---------------------------------------------------------------------------

  draft.addEventListener("input", scheduleCheck);
  draft.addEventListener("keydown", undoKey);
  draft.addEventListener("click", pointOutProblemAtCaret);
  draft.addEventListener("keyup", (event) => { if (event.key.startsWith("Arrow") || event.key === "Home" || event.key === "End") pointOutProblemAtCaret(); });
  draft.addEventListener("scroll", () => { highlights.scrollTop = draft.scrollTop; });
  channelPicker.addEventListener("change", () => { updateCounter(); check(); });
  fixAllButton.addEventListener("click", fixAll);
  undoButton.addEventListener("click", undo);
  copyButton.addEventListener("click", copy);

  api("/api/rules").then((list) => {
    rules = Object.fromEntries(list.map((rule) => [rule.id, rule]));
    updateCounter();
    if (draft.value.trim()) check();
  }, (error) => say(`Could not load the rules: ${error.message}`));
})();
