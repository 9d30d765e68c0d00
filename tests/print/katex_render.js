// Renders every display formula (\[ ... \]) of a LaTeX document read from a file with KaTeX,
// failing on the first formula KaTeX rejects. Usage: node katex_render.js DOCUMENT.tex
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
const re = /\\\[([\s\S]*?)\\\]/g;
let m;
while ((m = re.exec(text)) !== null) formulas.push(m[1].trim());
let errors = 0;
for (const f of formulas) {
  try {
    katex.renderToString(f, {throwOnError: true, displayMode: true, strict: 'error'});
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
