#!/usr/bin/python3
"""The page of `nabla serve` in a real browser: headless Chromium driven by Selenium opens the
page served by a test instance on a free loopback port and works it with the keyboard as a user
would: types x'*A*x and x, presses Enter and reads the typeset result; runs an exercise-sheet
example; triggers an error and finds the caret under the right character; runs a failing check
and reads its counterexample table. Expected values come from the nabla binary itself
(--format json). A screenshot of each state goes to --screenshots.

  /usr/bin/python3 tests/serve/browser_test.py --nabla build/nabla --screenshots build/serve-screenshots
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ARGS = None


def driver_objects(script, steps=None):
    """What `nabla --format json` prints for the script: its JSON lines that answer something
    (queries, checks, errors; not the declarations and definitions it also reports); with
    steps, the worked solution in that method (--steps=METHOD)."""
    extra = [] if steps is None else ["--steps=" + steps]
    r = subprocess.run([ARGS.nabla, "--format", "json"] + extra + ["-"], input=script,
                       capture_output=True, text=True, timeout=60)
    objects = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return [o for o in objects if o.get("kind") not in ("declaration", "definition")], r.stderr


class Page(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = subprocess.Popen([ARGS.nabla, "serve", "--port", "0"], stdout=subprocess.PIPE,
                                      text=True)
        line = cls.server.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if not m:
            cls.server.kill()
            raise RuntimeError("nabla serve printed no URL: " + line)
        cls.url = m.group(1)
        cls.profile = tempfile.mkdtemp(prefix="nabla-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     "--window-size=1100,900", "--user-data-dir=" + cls.profile]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        cls.browser = webdriver.Chrome(service=service, options=options)
        cls.browser.set_page_load_timeout(30)
        os.makedirs(ARGS.screenshots, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.server.send_signal(signal.SIGTERM)
        try:
            rest = cls.server.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            cls.server.kill()
            raise
        shutil.rmtree(cls.profile, ignore_errors=True)
        assert cls.server.returncode == 0, cls.server.returncode
        assert "stopped" in rest, rest

    # ---- helpers
    def open(self, fragment=""):
        self.browser.get("about:blank")  # a new page, not a fragment change of the old one
        self.browser.get(self.url + fragment)
        self.wait(lambda b: b.execute_script("return typeof katex") == "object"
                  and len(b.find_elements(By.CSS_SELECTOR, "#examples option")) > 5)

    def wait(self, condition, seconds=20):
        return WebDriverWait(self.browser, seconds).until(condition)

    def runs(self):
        return int(self.browser.find_element(By.TAG_NAME, "body").get_attribute("data-runs") or 0)

    def wait_for_run(self, before):
        self.wait(lambda b: self.runs() > before)

    def field(self, name):
        return self.browser.find_element(By.ID, name)

    def fill(self, decls, kind, expr, wrt=""):
        for name, value in (("decls", decls), ("expr", expr), ("wrt", wrt)):
            f = self.field(name)
            f.clear()
            if value:
                f.send_keys(value)
        Select(self.field("kind")).select_by_value(kind)

    def screenshot(self, name):
        self.browser.execute_script("return document.fonts.ready")
        path = os.path.join(ARGS.screenshots, name)
        self.browser.save_screenshot(path)
        return path

    def script_of_fields(self):
        decls = self.field("decls").get_attribute("value").rstrip()
        kind = Select(self.field("kind")).first_selected_option.get_attribute("value")
        expr = self.field("expr").get_attribute("value").strip()
        wrt = self.field("wrt").get_attribute("value").strip()
        query = {"check": "check " + expr, "statement": expr,
                 "simplify": "simplify(%s)" % expr}.get(kind, "%s(%s, %s)" % (kind, expr, wrt))
        return (decls + "\n" if decls else "") + query

    def typeset(self):
        """The first result: its LaTeX, the TeX KaTeX typeset (MathML annotation), the text."""
        card = self.browser.find_element(By.CSS_SELECTOR, "#results .card.result")
        math = card.find_element(By.CSS_SELECTOR, ".math")
        annotation = math.find_element(By.CSS_SELECTOR, ".katex-mathml annotation")
        html = math.find_element(By.CSS_SELECTOR, ".katex-html")
        return (math.get_attribute("data-latex"), annotation.get_attribute("textContent"),
                html.text)

    def csp_violations(self):
        return [e["message"] for e in self.browser.get_log("browser")
                if "Content Security Policy" in e["message"] or "Refused" in e["message"]]

    # ---- the must-shows
    def test_1_type_and_press_enter(self):
        self.open()
        before = self.runs()
        self.fill("", "grad", "x'*A*x")
        wrt = self.field("wrt")
        wrt.send_keys("x")
        self.assertIn("x: vector in ℝⁿ", self.field("hint").text)
        self.assertIn("A: matrix", self.field("hint").text)
        wrt.send_keys(Keys.ENTER)
        self.wait_for_run(before)
        self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#results .card.result .katex"))
        latex, annotation, text = self.typeset()
        expected, _ = driver_objects("grad(x'*A*x, x)")
        self.assertEqual(latex, expected[0]["latex"])
        self.assertEqual(annotation, expected[0]["latex"])  # what KaTeX typeset
        self.assertEqual(self.browser.find_element(By.CSS_SELECTOR, "#results .card .text").text,
                         expected[0]["result"])
        self.assertIn("A", text)
        self.assertIn("⊤", text)  # A' typeset as a transpose
        self.assertIn("e=x%27*A*x", self.browser.current_url.replace("%27", "%27"))
        print("typed result:", repr(text), "from", latex)
        self.screenshot("1-gradient.png")
        self.assertEqual(self.csp_violations(), [])

    def test_2_sheet_example_and_code(self):
        self.open()
        before = self.runs()
        select = Select(self.field("examples"))
        option = next(o for o in select.options if o.text.startswith("3c)"))
        select.select_by_visible_text(option.text)
        self.wait_for_run(before)
        self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#results .card.result .katex"))
        script = self.script_of_fields()
        self.assertEqual(script, "x in R^n; A in R^(n x n)\ngrad(<x, A*x>, x)")
        latex, annotation, text = self.typeset()
        expected, _ = driver_objects(script)
        self.assertEqual(latex, expected[0]["latex"])
        self.assertEqual(annotation, expected[0]["latex"])
        self.wait(lambda b: b.find_element(By.ID, "code-text").text.strip())
        self.assertIn("import numpy", self.field("code-text").text)
        print("sheet example 3c:", repr(text))
        self.screenshot("2-sheet-example.png")
        self.browser.find_element(By.CSS_SELECTOR, "[data-language=torch]").click()
        self.wait(lambda b: "import torch" in b.find_element(By.ID, "code-text").text)
        self.browser.find_element(By.CSS_SELECTOR, "[data-language=cpp]").click()
        self.wait(lambda b: "Eigen" in b.find_element(By.ID, "code-text").text)
        # The state is in the URL: opening the link again reproduces the question.
        link = self.browser.current_url
        self.browser.get("about:blank")
        self.browser.get(link)
        self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#results .card.result .katex"))
        self.assertEqual(self.typeset()[0], expected[0]["latex"])

    def test_3_error_caret(self):
        self.open()
        before = self.runs()
        expr = "x'*x + )"
        self.fill("x in R^n", "grad", expr, "x")
        self.field("expr").send_keys(Keys.ENTER)
        self.wait_for_run(before)
        box = self.wait(lambda b: b.find_element(By.ID, "error") if b.find_element(
            By.ID, "error").is_displayed() else None)
        lines = self.field("error-text").text.split("\n")
        self.assertEqual(lines[0], expr)
        caret = lines[1].index("^")
        self.assertEqual(expr[caret], ")")
        # ... where the driver says the error is (its column in `grad(EXPR, x)`).
        objects, _ = driver_objects(self.script_of_fields())
        error = [o for o in objects if o.get("kind") == "error"][0]
        self.assertEqual(error["line"], 2)
        column = error["column"]
        self.assertEqual(caret, column - 1 - len("grad("))
        self.assertIn("error:", lines[2])
        print("error shown:", lines)
        self.screenshot("3-error-caret.png")
        self.assertEqual(box.get_attribute("data-column"), str(caret))

    def test_4_failing_check_counterexample(self):
        self.open()
        before = self.runs()
        select = Select(self.field("examples"))
        option = next(o for o in select.options if o.text.startswith("check 4a)"))
        select.select_by_visible_text(option.text)
        self.wait_for_run(before)
        self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "table.counterexample tbody tr"))
        self.assertIn("FAILS", self.browser.find_element(By.CSS_SELECTOR, ".card.check").text)
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in self.browser.find_elements(By.CSS_SELECTOR,
                                                     "table.counterexample tbody tr")]
        expected, _ = driver_objects(self.script_of_fields())
        check = [o for o in expected if "holds" in o][0]
        self.assertFalse(check["holds"])
        want = [line.split(" = ", 1) for line in check["counterexample"]["text"].splitlines()
                if line]
        self.assertEqual(rows, [w if len(w) == 2 else [w[0], ""] for w in want])
        names = [r[0] for r in rows]
        for name in ("x", "y", "z"):
            self.assertIn(name, names)
        self.assertTrue(any(n.startswith("lhs") for n in names))
        print("counterexample rows:", rows)
        self.screenshot("4-failing-check.png")

    def test_5_phone_sized_screen(self):
        self.browser.set_window_size(390, 844)
        try:
            self.open("#q=hessian&e=x%27*A*x&wrt=x&steps=1")
            self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#results .card.result .katex"))
            self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "ol.steps li"))
            width = self.browser.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            self.assertLessEqual(width[0], width[1] + 1, "no sideways scrolling on a phone")
            self.screenshot("5-phone-hessian-steps.png")
        finally:
            self.browser.set_window_size(1100, 900)

    def test_7_worked_solution_methods(self):
        """Pick each method of the worked solution and read the typeset chain."""
        self.open()
        self.fill("a, x in R^n", "grad", "<a, x>", "x")
        chains = {}
        for method, needle, shot in (
                ("index", "\\delta_{ik}", "7-index-method.png"),
                ("rule", "a", "8-rule-method.png")):
            before = self.runs()
            Select(self.field("method")).select_by_value(method)  # runs at once
            self.wait_for_run(before)
            self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "details.worked .chain .katex"))
            summary = self.browser.find_element(By.CSS_SELECTOR, "details.worked > summary").text
            self.assertIn(method + " method", summary)
            annotation = self.browser.find_element(
                By.CSS_SELECTOR, "details.worked .chain .katex-mathml annotation")
            tex = annotation.get_attribute("textContent")
            self.assertIn(needle, tex)
            # the typeset chain is the driver's: each line's LaTeX, in order
            objects, _ = driver_objects(self.script_of_fields(), method)
            steps = [o for o in objects if o["kind"] == "query"][0]["steps"]
            at = 0
            for s in steps:
                found = tex.find(s["latex"], at)
                self.assertGreaterEqual(found, 0, (s["latex"], tex))
                at = found
            chains[method] = tex
            self.screenshot(shot)
        self.assertNotEqual(chains["index"], chains["rule"])
        # the differential method for a matrix function, from the URL
        self.open("#let=X%20in%20R%5E(n%20x%20n)&q=grad&e=logdet(X)&wrt=X&steps=1&method=differential")
        self.wait(lambda b: b.find_elements(By.CSS_SELECTOR, "details.worked .chain .katex"))
        tex = self.browser.find_element(
            By.CSS_SELECTOR, "details.worked .chain .katex-mathml annotation").get_attribute("textContent")
        self.assertIn("\\mathrm{d}", tex)
        self.assertIn("\\operatorname{tr}", tex)
        self.assertEqual(Select(self.field("method")).first_selected_option.get_attribute("value"),
                         "differential")
        self.screenshot("9-differential-method.png")

    def test_6_everything_from_the_server(self):
        self.open()
        urls = self.browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        self.assertTrue(urls)
        for u in urls:
            self.assertTrue(u.startswith(self.url), u)  # no CDN: works with the network unplugged


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--nabla", required=True)
    parser.add_argument("--screenshots", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
