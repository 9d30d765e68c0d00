// Renders every formula of a LaTeX document read from a file with KaTeX in strict mode: display
// formulas (\[ ... \]), align* chains and inline $...$ math; fails when KaTeX rejects any.
// Usage: node katex_render.js DOCUMENT.tex
'use strict';
const fs = require('fs');
const katexPaths = ['/usr/share/nodejs/katex', 'katex'];
let katex = null;
for (const p of katexPaths) {
  try { katex = require(p); break; } catch (e) { /* try the next */ }
}
if (!katex) {
  console.error('katex_render: KaTeX not found (apt-get install katex)');
  process.exit(2);
}
const text = fs.readFileSync(process.argv[2], 'utf8');
const formulas = [];
const patterns = [
  {re: /\\\[([\s\S]*?)\\\]/g, wrap: (f) => f, display: true},
  {re: /\\begin\{align\*\}([\s\S]*?)\\end\{align\*\}/g,
   wrap: (f) => '\\begin{aligned}' + f + '\\end{aligned}', display: true},
  {re: /(?<!\\)\$([^$]+?)\$/g, wrap: (f) => f, display: false},
];
const items = [];
for (const p of patterns) {
  let m;
  while ((m = p.re.exec(text)) !== null) items.push({f: p.wrap(m[1].trim()), display: p.display});
}
for (const it of items) formulas.push(it);
let errors = 0;
for (const {f, display} of formulas) {
  try {
    katex.renderToString(f, {throwOnError: true, displayMode: display, strict: 'error'});
  } catch (e) {
    errors++;
    console.error('KaTeX error: ' + e.message + '\n  in: ' + f);
  }
}
console.log(`${formulas.length} formulas rendered, ${errors} errors`);
if (formulas.length === 0) {
  console.error('katex_render: no formulas found');
  process.exit(1);
}
process.exit(errors === 0 ? 0 : 1);
