// nabla's page: builds a script from the fields, posts it to /api/run, shows the objects the
// driver answers (results typeset with KaTeX, checks with their counterexample, errors with a
// caret under the character), the generated code, and keeps the question in the URL.
"use strict";

const $ = (id) => document.getElementById(id);
const fields = { decls: $("decls"), kind: $("kind"), expr: $("expr"), wrt: $("wrt"), steps: $("steps"),
                 method: $("method") };
const QUERY_KINDS = ["grad", "jacobian", "hessian", "diff", "simplify"];
// Built-in names (src/parse/builtins.cpp) and the Greek names that spell a scalar.
const BUILTINS = new Set(["exp", "log", "ln", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu",
  "softplus", "log1p", "expm1", "abs", "sign", "sum", "norm2", "norm", "tr", "trace", "det", "logdet",
  "inv", "diag", "softmax", "logsumexp", "vec", "I", "ones", "zeros", "pi", "e", "grad", "jacobian",
  "hessian", "diff", "simplify", "partial", "check", "J", "in", "R", "Sym"]);
const GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
  "lambda", "mu", "nu", "xi", "omicron", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
  "varepsilon", "vartheta", "varphi"];
let codeLanguage = "numpy";
let lastScript = null;
let generation = 0;

function isGreek(name) {
  return GREEK.some((g) => name === g || (name.startsWith(g) && /^[0-9_]/.test(name.slice(g.length))));
}

// Names the declarations give (x, y in R^n; f : R^d -> R; f(x) = ...; c = 2).
function declaredNames(text) {
  const names = new Set();
  for (const statement of text.split(/[;\n]/)) {
    const s = statement.replace(/#.*/, "").trim();
    let m = s.match(/^([A-Za-z_][\w\s,]*?)\s+in\s/) || s.match(/^([A-Za-z_][\w\s,]*?)\s*:/);
    if (!m) m = s.match(/^([A-Za-z_]\w*)\s*(\(|=(?!=))/);
    if (m) for (const n of m[1].split(",")) names.add(n.trim());
  }
  return names;
}

// "x: vector in ℝⁿ (by its spelling)" for every undeclared name of the expression.
function spellingHint() {
  const declared = declaredNames(fields.decls.value);
  const text = fields.expr.value;
  const seen = new Set();
  const parts = [];
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const name = m[0];
    const next = text.slice(m.index + name.length).trimStart();
    if (seen.has(name) || declared.has(name) || BUILTINS.has(name) || next.startsWith("(")) continue;
    seen.add(name);
    const kind = isGreek(name) ? "scalar in ℝ" : /^[A-Z]/.test(name) ? "matrix in ℝ^(m×n)" : "vector in ℝⁿ";
    parts.push(`${name}: ${kind}`);
  }
  $("hint").textContent = parts.length ? parts.join(", ") + " (by its spelling; declare it to choose)" : "";
}

// The query line for the fields, and where the expression starts in it.
function queryLine() {
  const kind = fields.kind.value;
  const expr = fields.expr.value.trim();
  const wrt = fields.wrt.value.trim();
  if (kind === "check") return { text: "check " + expr, offset: 6 };
  if (kind === "statement") return { text: expr, offset: 0 };
  if (kind === "simplify") return { text: `simplify(${expr})`, offset: 9 };
  return { text: `${kind}(${expr}, ${wrt})`, offset: kind.length + 1 };
}

function buildScript() {
  const decls = fields.decls.value.replace(/\s+$/, "");
  const q = queryLine();
  const declLines = decls ? decls.split("\n").length : 0;
  return { script: decls ? decls + "\n" + q.text : q.text, queryLine: declLines + 1, offset: q.offset,
           leadingSpaces: fields.expr.value.length - fields.expr.value.trimStart().length };
}

function saveState() {
  const p = new URLSearchParams();
  if (fields.decls.value.trim()) p.set("let", fields.decls.value);
  p.set("q", fields.kind.value);
  p.set("e", fields.expr.value);
  if (fields.wrt.value) p.set("wrt", fields.wrt.value);
    if (fields.steps.checked) p.set("steps", "1");
  if (fields.method.value !== "auto") p.set("method", fields.method.value);
  history.replaceState(null, "", "#" + p.toString());
}

function loadState() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (!p.has("e")) return false;
  fields.decls.value = p.get("let") || "";
  fields.kind.value = p.get("q") || "grad";
  fields.expr.value = p.get("e");
  fields.wrt.value = p.get("wrt") || "";
    fields.steps.checked = p.get("steps") === "1";
  fields.method.value = p.get("method") || "auto";
  return true;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function typeset(latex) {
  const box = el("div", { class: "math", "data-latex": latex });
  try {
    katex.render(latex, box, { displayMode: true, throwOnError: true, output: "htmlAndMathml" });
  } catch (e) {
    box.textContent = latex;
  }
  return box;
}

// "name = value" lines (or an object, or a list of pairs) as a two-column table.
function counterexampleTable(c) {
  const rows = [];
  // The driver's counterexample is data (dims, values, lhs, rhs, ...) with its text beside it:
  // the text's "name = value" lines read best.
  if (c && typeof c === "object" && !Array.isArray(c) && typeof c.text === "string") c = c.text;
  if (typeof c === "string") {
    for (const line of c.split("\n")) {
      if (!line.trim()) continue;
      const at = line.indexOf(" = ");
      rows.push(at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 3)]);
    }
  } else if (Array.isArray(c)) {
    for (const r of c) rows.push(Array.isArray(r) ? r.map(String) : [String(r.name), JSON.stringify(r.value)]);
  } else if (c && typeof c === "object") {
    for (const [k, v] of Object.entries(c)) rows.push([k, typeof v === "string" ? v : JSON.stringify(v)]);
  }
  const table = el("table", { class: "counterexample" },
    el("thead", {}, el("tr", {}, el("th", {}, "at"), el("th", {}, "value"))));
  const body = el("tbody");
  for (const [k, v] of rows) body.append(el("tr", {}, el("td", {}, k), el("td", {}, v)));
  table.append(body);
  return table;
}

// \text{...} of a rule's words: the characters LaTeX treats specially, escaped.
function latexText(t) {
  return t.replace(/[\\{}$&#%_^~]/g, (c) => ({ "\\": "\\textbackslash{}", "^": "\\hat{}", "~": "\\sim{}" }[c] || "\\" + c));
}

// The worked solution: the chain of equalities typeset with KaTeX (one aligned block, the rule
// of each line beside it), and the same lines as text (they parse back) for copying.
function steps(item) {
  if (!Array.isArray(item.steps) || !item.steps.length) return null;
  const rows = [];
  const list = el("ol", { class: "steps" });
  for (const s of item.steps) {
    if (typeof s !== "object") continue;
    let left = "&= ";
    let text = "= ";
    if (s.kind === "start") { left = s.lhs_latex + " &= "; text = s.lhs + " = "; }
    if (s.kind === "hence") { left = "\\Longrightarrow\\ " + s.lhs_latex + " &= "; text = "hence " + s.lhs + " = "; }
    const note = "\\text{" + latexText(s.rule) + (s.detail_latex ? ": }" + s.detail_latex : "}");
    rows.push(left + s.latex + " && " + note);
    list.append(el("li", {}, text + s.expression + (s.detail ? `   (${s.rule}: ${s.detail})` : `   (${s.rule})`)));
  }
  const chain = typeset("\\begin{aligned}" + rows.join(" \\\\ ") + "\\end{aligned}");
  chain.classList.add("chain");
  const method = item.method ? ` (${item.method} method)` : "";
  return el("details", { open: "", class: "worked" }, el("summary", {}, "Worked solution" + method), chain,
            el("details", { class: "as-text" }, el("summary", {}, "as text"), list));
}

// An error with its position: the line of the field it came from, a caret under the character.
function showError(item, built) {
  const box = $("error");
  const message = item.error || item.message || JSON.stringify(item);
  let where = "";
  if (item.line === built.queryLine && item.column) {
    const col = item.column - 1 - built.offset + built.leadingSpaces;
    if (col >= 0 && col <= fields.expr.value.length) {
      where = fields.expr.value + "\n" + " ".repeat(col) + "^";
      box.dataset.field = "expr";
      box.dataset.column = String(col);
    }
  } else if (item.line && item.line < built.queryLine && item.column) {
    const line = fields.decls.value.split("\n")[item.line - 1] || "";
    where = line + "\n" + " ".repeat(item.column - 1) + "^";
    box.dataset.field = "decls";
    box.dataset.column = String(item.column - 1);
  }
  $("error-text").textContent = (where ? where + "\n" : "") + "error: " + message;
  $("error-hint").textContent = item.hint ? "hint: " + item.hint : "";
  box.hidden = false;
}

function clearError() {
  const box = $("error");
  box.hidden = true;
  delete box.dataset.field;
  delete box.dataset.column;
}

function render(items, built) {
  const out = $("results");
  out.replaceChildren();
  let errors = 0;
  for (const item of items) {
    if (item.kind === "error" || item.error !== undefined) {
      if (errors++ === 0) showError(item, built);
      continue;
    }
    // The driver also reports each declaration and definition: nothing to show for them.
    if (item.kind === "declaration" || item.kind === "definition") continue;
    const card = el("article", { class: "card" });
    if (item.query !== undefined) card.append(el("div", { class: "query" }, item.query));
    if (item.holds !== undefined) {
      card.classList.add("check");
      const verdict = item.holds
        ? el("div", { class: "holds" }, `holds (${item.trials} trials, max rel. error ${Number(item.max_error).toExponential(1)})`)
        : el("div", { class: "fails" }, "FAILS: a counterexample");
      card.append(verdict);
      if (!item.holds && item.counterexample !== undefined) card.append(counterexampleTable(item.counterexample));
    } else if (item.result !== undefined) {
      card.classList.add("result");
      card.append(item.latex ? typeset(item.latex) : el("div", { class: "math" }, item.result));
      card.append(el("div", { class: "text", title: "the result as text (parses back)" }, item.result));
    }
    for (const n of item.notes || []) card.append(el("div", { class: "note" }, "note: " + n));
    const s = steps(item);
    if (s) card.append(s);
    out.append(card);
  }
}

async function post(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (e) { data = { error: `the server answered ${res.status}` }; }
  return { status: res.status, data };
}

async function showCode(script) {
  const { data } = await post("/api/code", { script, language: codeLanguage });
  $("code-text").textContent = data.code || "";
  $("code").hidden = !data.code;
}

async function run() {
  const built = buildScript();
  const mine = ++generation;
  saveState();
  clearError();
  document.body.classList.add("busy");
  try {
    const steps = fields.steps.checked ? fields.method.value : false;
    const { status, data } = await post("/api/run", { script: built.script, steps });
    if (mine !== generation) return;
    if (Array.isArray(data)) {
      render(data, built);
      lastScript = built.script;
      if (status === 200) showCode(built.script); else $("code").hidden = true;
    } else {
      $("results").replaceChildren();
      showError(data || { error: "no answer" }, built);
    }
  } catch (e) {
    showError({ error: "the server cannot be reached: " + e.message }, built);
  } finally {
    document.body.classList.remove("busy");
    document.body.dataset.runs = String(mine);
  }
}

// The sheet: paragraphs under "# 1a) ..." comments, declarations carried to the next paragraph
// as in the script; each question and each check becomes an example.
async function loadExamples() {
  const res = await fetch("/examples/exercise-01.nabla");
  if (!res.ok) return;
  const text = await res.text();
  const select = $("examples");
  let decls = [];
  for (const para of text.split(/\n\s*\n/)) {
    const lines = para.split("\n");
    const title = lines.filter((l) => /^#\s*\d+[a-z]\)/.test(l)).map((l) => l.replace(/^#\s*/, ""))[0];
    const code = lines.filter((l) => l.trim() && !l.trim().startsWith("#"));
    if (!title || !code.length) continue;
    const isQuery = (l) => /^(grad|jacobian|hessian|diff|simplify|check)\b/.test(l.trim());
    const own = code.filter((l) => !isQuery(l));
    if (own.length) decls = own;
    for (const q of code.filter(isQuery)) {
      const option = el("option", { value: JSON.stringify({ decls: decls.join("\n"), query: q.trim() }) },
                        (q.startsWith("check") ? "check " : "") + title.replace(/:.*/, ""));
      select.append(option);
    }
  }
}

function splitTopLevel(s) {
  const parts = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ("([<".includes(c)) depth++;
    else if (")]>".includes(c) && depth > 0 && !(c === ">" && s[i - 1] === "-")) depth--;
    else if (c === "," && depth === 0) { parts.push(s.slice(start, i).trim()); start = i + 1; }
  }
  parts.push(s.slice(start).trim());
  return parts;
}

function useExample(value) {
  const { decls, query } = JSON.parse(value);
  fields.decls.value = decls;
  const m = query.match(/^(grad|jacobian|hessian|diff|simplify)\((.*)\)$/);
  const args = m ? splitTopLevel(m[2]) : [];
  if (query.startsWith("check ")) {
    fields.kind.value = "check";
    fields.expr.value = query.slice(6);
    fields.wrt.value = "";
  } else if (m && (m[1] === "simplify" ? args.length === 1 : args.length >= 2)) {
    fields.kind.value = m[1];
    fields.expr.value = args[0];
    fields.wrt.value = args.slice(1).join(", ");
  } else {
    fields.kind.value = "statement";
    fields.expr.value = query;
    fields.wrt.value = "";
  }
  updateFields();
  run();
}

function updateFields() {
  const kind = fields.kind.value;
  $("wrt-field").hidden = kind === "check" || kind === "simplify" || kind === "statement";
  $("expr").placeholder = kind === "check" ? "grad(x'*A*x, x) == (A + A')*x" : "x'*A*x";
  spellingHint();
}

$("query").addEventListener("submit", (e) => { e.preventDefault(); run(); });
fields.decls.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
});
fields.kind.addEventListener("change", updateFields);
// Picking a method shows the worked solution in it at once.
fields.method.addEventListener("change", () => { fields.steps.checked = true; run(); });
fields.expr.addEventListener("input", spellingHint);
fields.decls.addEventListener("input", spellingHint);
$("examples").addEventListener("change", (e) => { if (e.target.value) useExample(e.target.value); });
for (const tab of document.querySelectorAll(".tabs [role=tab]")) {
  tab.addEventListener("click", () => {
    codeLanguage = tab.dataset.language;
    for (const t of document.querySelectorAll(".tabs [role=tab]"))
      t.setAttribute("aria-selected", String(t === tab));
    if (lastScript) showCode(lastScript);
  });
}
$("copy").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText($("code-text").textContent);
    $("copy").textContent = "Copied";
  } catch (e) {
    $("copy").textContent = "Select and copy";
  }
  setTimeout(() => { $("copy").textContent = "Copy"; }, 1500);
});

// A link pasted into the address bar (or the back button) changes only the fragment.
window.addEventListener("hashchange", () => { if (loadState()) { updateFields(); run(); } });

loadExamples();
updateFields();
if (loadState()) { updateFields(); run(); } else { fields.expr.focus(); }
