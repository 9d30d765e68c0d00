#!/usr/bin/env python3
"""The interactive mode, driven through a pseudo-terminal as a user would: declarations persist
between lines, :steps / :format / :help work, history recalls a line with the up arrow and is
kept in ~/.nabla_history, :quit ends the session with status 0. Without a terminal, `nabla`
reads standard input as a script.

usage: repl_pty_test.py NABLA_BINARY
"""
import atexit
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
home = tempfile.mkdtemp(prefix="nabla-repl-")
_parent = os.getpid()  # a forked child that fails to exec must not remove it
atexit.register(lambda: os.getpid() == _parent and shutil.rmtree(home, ignore_errors=True))
failures = []


def check(condition, what, seen=""):
    if not condition:
        failures.append(what + ("\n--- seen ---\n" + seen if seen else ""))


def wait_exit(pid, timeout=20.0):
    """The child's wait status, or None (and the child killed) when it does not end in time."""
    end = time.time() + timeout
    while time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None


class Session:
    def __init__(self):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["HOME"] = home
            os.environ["TERM"] = "xterm"
            os.execv(binary, [binary])
        self.seen = ""

    def read_until(self, pattern, timeout=20.0):
        """Reads until the regex pattern occurs in what came since the last call."""
        end = time.time() + timeout
        buffer = ""
        while time.time() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.fd, 4096).decode("utf-8", "replace")
                except OSError as e:
                    if os.environ.get("REPL_DEBUG"):
                        print("read error", e, file=sys.stderr, flush=True)
                    break
                if not data:
                    if os.environ.get("REPL_DEBUG"):
                        print("  eof", file=sys.stderr, flush=True)
                    break
                buffer += data
                # Terminal control sequences are not text.
                plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r", "", buffer)
                if re.search(pattern, plain):
                    if os.environ.get("REPL_DEBUG"):
                        print("  got", repr(plain), file=sys.stderr, flush=True)
                    self.seen += plain
                    return plain
        plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r", "", buffer)
        self.seen += plain
        return None

    def send(self, line):
        os.write(self.fd, line.encode())

    def ask(self, line, pattern):
        if os.environ.get("REPL_DEBUG"): print("ask", repr(line), time.time(), file=sys.stderr, flush=True)
        self.send(line + "\n")
        return self.read_until(pattern)


s = Session()
out = s.read_until(r"nabla> ")
check(out is not None and ":help" in out, "banner and prompt", out or s.seen)

# Declarations persist from line to line.
s.ask("x in R^n", r"nabla> ")
s.ask("A in R^(n x n)", r"nabla> ")
out = s.ask("grad(x'*A*x, x)", r"= \(A \+ A'\)\*x[\s\S]*nabla> ")
check(out is not None, "grad(x'*A*x, x) with x and A declared on earlier lines", s.seen)

# A definition persists too, and is used by a later line.
s.ask("f(u) = u'*u", r"nabla> ")
out = s.ask("grad f", r"grad f = 2\*u[\s\S]*nabla> ")
check(out is not None, "a function defined on an earlier line", s.seen)

# An open bracket asks for the next line.
out = s.ask("y = (x'*", r"\.\.\.> ")
check(out is not None, "continuation prompt inside brackets", s.seen)
s.ask("A*x)", r"nabla> ")
out = s.ask("grad(y, x)", r"grad\(y, x\) = \(A \+ A'\)\*x[\s\S]*nabla> ")
check(out is not None, "a definition over two lines", s.seen)

# Errors: position and hint, and the session goes on.
out = s.ask("g = sigmod(x)", r"did you mean 'sigmoid'\?[\s\S]*nabla> ")
check(out is not None, "did you mean for a misspelled built-in", s.seen)
out = s.ask("grad(g, x)", r"uses the failed definition g \(line \d+\)[\s\S]*nabla> ")
check(out is not None, "a failed definition named by its users", s.seen)

# :steps on shows the derivation; :steps off hides it.
s.ask(":steps on", r"nabla> ")
out = s.ask("grad(x'*x, x)", r"= 2\*x\s+= [\s\S]*nabla> ")
check(out is not None and "# product rule" in out, ":steps on", s.seen)
s.ask(":steps off", r"nabla> ")
out = s.ask("grad(x'*x, x)", r"= 2\*x[\s\S]*nabla> ")
check(out is not None and "# " not in out, ":steps off", s.seen)

# :format latex, then back to text.
s.ask(":format latex", r"nabla> ")
out = s.ask("grad(x'*x, x)", r"\\\[ .* = 2 x \\\][\s\S]*nabla> ")
check(out is not None, ":format latex prints the formula", s.seen)
s.ask(":format text", r"nabla> ")

# :help, and a misspelled command.
out = s.ask(":help", r":quit[\s\S]*nabla> ")
check(out is not None and ":format" in out, ":help lists the commands", s.seen)
out = s.ask(":stpes on", r"did you mean ':steps'\?[\s\S]*nabla> ")
check(out is not None, "did you mean for a misspelled REPL command", s.seen)

# History: the up arrow brings back the last line, which runs again.
s.ask("diff(t^3, t)", r"= 3\*t\^2[\s\S]*nabla> ")
s.send("\x1b[A\n")
out = s.read_until(r"diff\(t\^3, t\) = 3\*t\^2[\s\S]*nabla> ")
check(out is not None, "the up arrow recalls the previous line", s.seen)

s.send(":quit\n")
s.read_until(r"$^", timeout=1.0)  # drain what is left
status = wait_exit(s.pid)
check(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
      ":quit ends with status 0", s.seen)
history = os.path.join(home, ".nabla_history")
# editline writes a space as \040.
kept = open(history, errors="replace").read().replace("\\040", " ") if os.path.exists(history) else ""
check("grad(x'*A*x, x)" in kept, "history kept in ~/.nabla_history", kept)

# Ctrl-D ends a session too.
s2 = Session()
s2.read_until(r"nabla> ")
# A Ctrl-D typed before the line editor has put the terminal in raw mode is the terminal's
# end-of-file of a line nobody reads yet, and is lost (as it would be for a user typing ahead):
# press it again until the session ends.
time.sleep(0.3)  # as a person would: the prompt is shown, then the key is pressed
status = None
for attempt in range(10):
    s2.send("\x04")
    s2.read_until(r"$^", timeout=0.5)
    done, status = os.waitpid(s2.pid, os.WNOHANG)
    if done:
        break
    status = None
if status is None:
    status = wait_exit(s2.pid, timeout=1.0)
check(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
      "Ctrl-D ends with status 0", s2.seen)

# Without a terminal, standard input is the script.
r = subprocess.run([binary], input="x in R^n\ngrad(x'*x, x)\n", capture_output=True, text=True,
                   timeout=20)
check(r.returncode == 0 and r.stdout == "grad(x'*x, x) = 2*x\n",
      "no terminal: standard input is read as a script", r.stdout + r.stderr)

if failures:
    print("FAILED:\n" + "\n\n".join(failures))
    sys.exit(1)
print("repl: all checks passed")
