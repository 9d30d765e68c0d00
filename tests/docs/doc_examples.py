#!/usr/bin/python3
"""The doc test: runs every command example of README.md and docs/*.md and compares its output.

Convention (DEVELOPERS.md, "Tested documentation"): a fenced block opened with ```sh holds
examples. A line starting with `$ ` is a command (it continues on the next lines, as in a shell,
while a quote is open or the line ends in a backslash); the lines after it, up to the next `$ ` line or the closing fence, are its exact
output, standard output and standard error together. In an expected line, `...` stands for any
text within that line; a line that is only `...` stands for any number of lines. Blocks with any
other info string (```console, ```text, ```cpp, ...) are not run: ```console is for commands
that are shown but not run (benchmarks, builds, anything that takes minutes or another machine).

Each block runs in a scratch folder that looks like the repository root: every top-level entry
of the repository is linked there, and build/nabla is the program under test. Commands of a
block share that folder (a file one writes, the next reads); nothing is written into the
repository.

  tests/docs/doc_examples.py --nabla build/nabla            check (exit 1 on any difference)
  tests/docs/doc_examples.py --nabla build/nabla --update   rewrite the expected outputs
  ... [FILE.md ...]                                          only these files
"""
import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMAND_TIMEOUT_S = 120


class Command:
    def __init__(self, line, text, expected):
        self.line = line  # 1-based line of the `$ ` in the file
        self.text = text  # the command, continuations joined
        self.expected = expected  # expected output lines
        self.out_begin = 0  # index range of the expected lines in the file's lines
        self.out_end = 0


class Block:
    def __init__(self, line):
        self.line = line
        self.commands = []


def fence_of(line):
    """The info string when the line opens or closes a fence (``` at any indentation), else None."""
    stripped = line.lstrip()
    if not stripped.startswith("```"):
        return None
    return stripped[3:].strip()


def parse(path, lines):
    """The ```sh blocks of a Markdown file; raises ValueError on a malformed block."""
    blocks = []
    i = 0
    while i < len(lines):
        info = fence_of(lines[i])
        if info is None:
            i += 1
            continue
        opening = i
        indent = len(lines[i]) - len(lines[i].lstrip())
        i += 1
        body_begin = i
        while i < len(lines) and fence_of(lines[i]) != "":
            i += 1
        if i == len(lines):
            raise ValueError("%s:%d: unclosed code fence" % (path, opening + 1))
        body_end = i
        i += 1
        if info.split()[0:1] != ["sh"]:
            if info.split()[0:1] in ([], ["bash"], ["shell"], ["shell-session"]) and any(
                    lines[j].lstrip().startswith("$ ") for j in range(body_begin, body_end)):
                raise ValueError(
                    "%s:%d: `$ ` commands in a ```%s block: write ```sh to have them run and "
                    "compared, ```console to show them without running" % (path, opening + 1, info))
            continue
        block = Block(opening + 1)
        k = body_begin
        body = lambda j: lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j]
        while k < body_end:
            text = body(k)
            if not text.startswith("$ "):
                if text.strip() == "" and not block.commands:
                    k += 1
                    continue
                raise ValueError(
                    "%s:%d: a ```sh block holds `$ COMMAND` lines each followed by its output; "
                    "this line comes before any command (show commands that are not run in a "
                    "```console block)" % (path, k + 1))
            line = k + 1
            command = text[2:]
            while (command.endswith("\\") or unclosed_quote(command)) and k + 1 < body_end:
                k += 1
                command += "\n" + body(k)  # bash reads backslash-newline as a shell does
            k += 1
            out_begin = k
            while k < body_end and not body(k).startswith("$ "):
                k += 1
            cmd = Command(line, command, [body(j) for j in range(out_begin, k)])
            cmd.out_begin, cmd.out_end = out_begin, k
            block.commands.append(cmd)
        if not block.commands:
            raise ValueError("%s:%d: empty ```sh block" % (path, opening + 1))
        blocks.append(block)
    return blocks


def unclosed_quote(command):
    """Whether a shell would read on after this text (a quote left open)."""
    try:
        shlex.split(command)
        return False
    except ValueError:
        return True


def line_pattern(expected_line):
    return re.compile("^" + ".*".join(re.escape(p) for p in expected_line.split("...")) + "$")


def matches(expected, actual):
    """Whether the actual lines fit the expected ones (with the `...` wildcards)."""
    memo = {}

    def fit(e, a):
        if (e, a) in memo:
            return memo[(e, a)]
        if e == len(expected):
            r = a == len(actual)
        elif expected[e] == "...":
            r = any(fit(e + 1, b) for b in range(a, len(actual) + 1))
        else:
            r = a < len(actual) and line_pattern(expected[e]).match(actual[a]) is not None and \
                fit(e + 1, a + 1)
        memo[(e, a)] = r
        return r

    return fit(0, 0)


def updated(expected, actual):
    """New expected lines: the actual output, keeping an old line with `...` where it still fits."""
    out = []
    for i, a in enumerate(actual):
        old = expected[i] if i < len(expected) else None
        if old is not None and "..." in old and old != "..." and line_pattern(old).match(a):
            out.append(old)
        else:
            out.append(a)
    return out


def scratch_root(nabla):
    """A folder that looks like the repository root, with build/nabla the program under test."""
    d = tempfile.mkdtemp(prefix="nabla-doc-")
    for entry in os.listdir(ROOT):
        if entry == ".git" or entry.startswith("build"):
            continue
        os.symlink(os.path.join(ROOT, entry), os.path.join(d, entry))
    os.mkdir(os.path.join(d, "build"))
    os.symlink(os.path.abspath(nabla), os.path.join(d, "build", "nabla"))
    return d


def run(command, cwd):
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    try:
        p = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=COMMAND_TIMEOUT_S)
        text = p.stdout.decode("utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        text = "<timed out after %d s>\n" % COMMAND_TIMEOUT_S
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nabla", required=True, help="the nabla program under test")
    ap.add_argument("--update", action="store_true", help="rewrite expected outputs from the tool")
    ap.add_argument("files", nargs="*", help="Markdown files (default: README.md, docs/*.md)")
    args = ap.parse_args()
    if not os.access(args.nabla, os.X_OK):
        print("doc_examples: %s is not an executable" % args.nabla, file=sys.stderr)
        return 2
    files = args.files or ["README.md"] + sorted(
        os.path.join("docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))

    failures = 0
    total = 0
    for rel in files:
        path = os.path.join(ROOT, rel)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        try:
            blocks = parse(rel, lines)
        except ValueError as e:
            print("FAIL " + str(e))
            failures += 1
            continue
        replacements = []  # (begin, end, new lines)
        count = 0
        for block in blocks:
            cwd = scratch_root(args.nabla)
            try:
                for cmd in block.commands:
                    count += 1
                    actual = run(cmd.text, cwd)
                    if matches(cmd.expected, actual):
                        continue
                    if args.update:
                        indent = lines[cmd.line - 1][:len(lines[cmd.line - 1]) -
                                                    len(lines[cmd.line - 1].lstrip())]
                        new = [indent + l if l else l for l in updated(cmd.expected, actual)]
                        replacements.append((cmd.out_begin, cmd.out_end, new))
                        print("updated %s:%d: $ %s" % (rel, cmd.line, cmd.text))
                        continue
                    failures += 1
                    print("FAIL %s:%d: $ %s" % (rel, cmd.line, cmd.text))
                    for d in difflib.unified_diff(cmd.expected, actual, "expected (%s)" % rel,
                                                  "actual", lineterm="", n=2):
                        print("    " + d)
            finally:
                subprocess.run(["rm", "-rf", cwd])
        if replacements:
            for begin, end, new in sorted(replacements, reverse=True):
                lines[begin:end] = new
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
        print("%s: %d commands in %d blocks" % (rel, count, len(blocks)))
        total += count
    if total == 0:
        print("FAIL no command examples found")
        return 1
    if failures:
        print("%d of %d command examples differ from the documentation (update them with "
              "tests/docs/doc_examples.py --nabla build/nabla --update)" % (failures, total))
        return 1
    print("all %d command examples %s" % (total, "recorded" if args.update else "match"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
