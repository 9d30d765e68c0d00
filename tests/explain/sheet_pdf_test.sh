#!/bin/sh
# The LaTeX documents of the exercise sheet and both corpora compile with pdflatex, and nothing
# in them is wider than the text block (pdflatex reports no Overfull \hbox); the sheet's pages
# are rendered as images (pdftoppm) for a person to look at.
#   tests/explain/sheet_pdf_test.sh NABLA OUTPUT_DIR
set -u
nabla=$1
out=$2
mkdir -p "$out"
status=0
for script in examples/exercise-01.nabla tests/data/identities.nabla tests/data/textbook.nabla; do
  name=$(basename "$script" .nabla)
  "$nabla" --format latex "$script" > "$out/$name.tex"
  rc=$?
  if [ "$rc" -gt 1 ]; then echo "nabla failed on $script ($rc)"; status=1; continue; fi
  if ! (cd "$out" && pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" > "$name.pdflatex" 2>&1); then
    echo "pdflatex failed on $script:"; grep -A5 '^!' "$out/$name.log"; status=1; continue
  fi
  if grep -n -A3 'Overfull' "$out/$name.log"; then echo "$script: a line leaves the text block"; status=1; fi
  pages=$(grep -o 'Output written on .*(\([0-9]*\) page' "$out/$name.log" | grep -o '[0-9]* page')
  echo "$script: $pages, no overfull lines"
done
if command -v pdftoppm > /dev/null; then
  pdftoppm -png -r 60 "$out/exercise-01.pdf" "$out/exercise-01-page"
  echo "pages as images: $out/exercise-01-page-*.png"
fi
exit $status
