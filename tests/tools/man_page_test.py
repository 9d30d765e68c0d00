#!/usr/bin/python3
"""The manual page (tools/nabla/nabla.1): it renders (man -l, else groff) without a groff
warning, has the sections of a manual page, names every command of the completion script and
every option the program's --help lists, and each example of its EXAMPLES section prints what
the page says.

  tests/tools/man_page_test.py NABLA_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "tools", "nabla", "nabla.1")
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS", "EXAMPLES",
            "SEE ALSO"]


def render():
    """The page as plain text (man -l, else groff), and groff's warnings (-ww: all of them)."""
    env = dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8")
    env.pop("MAN_KEEP_FORMATTING", None)
    if not shutil.which("man") and not shutil.which("groff"):
        sys.exit("FAIL: neither man nor groff is installed (scripts/setup installs groff-base)")
    warnings = ""
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-man", "-ww", "-z", PAGE], env=env, stderr=subprocess.PIPE)
        warnings = p.stderr.decode("utf-8").strip()
        if p.returncode != 0:
            warnings += " (groff exited %d)" % p.returncode
    if shutil.which("man"):
        cmd = ["man", "-l", PAGE]
    else:
        cmd = ["groff", "-man", "-Tutf8", "-P-cbou", "-rLL=200n", PAGE]
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0 or p.stderr.strip():
        sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode()))
    text = p.stdout.decode("utf-8")
    text = re.sub(r".\x08", "", text)  # overstrike bold/underline, should a pager leave any
    return " ".join(cmd[:2]), text, warnings


def help_options(nabla, *command):
    out = subprocess.run([nabla, *command, "--help"], stdout=subprocess.PIPE).stdout.decode()
    opts, on = set(), False
    for line in out.split("\n"):
        if line.startswith("Options:"):
            on = True
        elif on and not line.strip():
            on = False
        elif on and line.startswith("  -"):
            opts.update(o for o in line.split()[0].split(",") if o.startswith("-"))
    return opts


def completion_commands():
    with open(os.path.join(ROOT, "tools", "nabla", "completion.bash")) as f:
        m = re.search(r'^_nabla_commands="([^"]*)"', f.read(), re.M)
    return m.group(1).split()


def main():
    nabla = os.path.abspath(sys.argv[1])
    failures = []
    renderer, text, warnings = render()
    if warnings:
        failures.append("groff -ww warns: %s" % warnings)
    lines = text.split("\n")
    headings = [l.strip() for l in lines if l and not l[0].isspace()]
    for s in SECTIONS:
        if s not in headings:
            failures.append("no %s section" % s)

    def section(name):
        if name not in headings:
            return []
        i = [l.strip() for l in lines].index(name) + 1
        out = []
        while i < len(lines) and (not lines[i] or lines[i][0].isspace()):
            out.append(lines[i].strip())
            i += 1
        return out

    words = set(re.findall(r"[-\w.]+", text))
    commands = completion_commands()
    if len(commands) < 5:
        failures.append("completion.bash lists only %s" % commands)
    for c in commands:
        if c not in words:
            failures.append("command %s is not in the page" % c)
    options = help_options(nabla)
    for c in commands:
        if c != "run":
            options |= help_options(nabla, c)
    if "--format" not in options:
        failures.append("could not read the options from %s --help" % nabla)
    for o in sorted(options):
        if o not in words:
            failures.append("option %s (in --help) is not in the page" % o)

    # EXAMPLES: "$ COMMAND" lines, each followed by its output, run with nabla on PATH.
    examples = [l for l in section("EXAMPLES")]
    scratch = tempfile.mkdtemp(prefix="nabla-man-")
    env = dict(os.environ, PATH=os.path.dirname(nabla) + os.pathsep + os.environ["PATH"],
               LC_ALL="C.UTF-8")
    ran = 0
    try:
        i = 0
        while i < len(examples):
            if not examples[i].startswith("$ "):
                i += 1
                continue
            command = examples[i][2:]
            j = i + 1
            while j < len(examples) and not examples[j].startswith("$ "):
                j += 1
            expected = [l for l in examples[i + 1:j] if l]
            p = subprocess.run(["bash", "-c", command], cwd=scratch, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
            actual = [l.strip() for l in p.stdout.decode().split("\n") if l.strip()]
            ran += 1
            if actual != expected:
                failures.append("example `%s` prints %s, the page says %s" %
                                (command, actual, expected))
            i = j
    finally:
        shutil.rmtree(scratch)
    if ran < 3:
        failures.append("only %d examples found in EXAMPLES" % ran)
    for f in failures:
        print("FAIL: " + f)
    if failures:
        return 1
    print("nabla.1 renders (%s), %d sections, %d commands, %d options, %d examples checked" %
          (renderer, len(SECTIONS), len(commands), len(options), ran))
    return 0


if __name__ == "__main__":
    sys.exit(main())
