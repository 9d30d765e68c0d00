#!/usr/bin/env python3
"""No `default:` in a switch on Op (issue 14): a switch that names `case Op::...` labels names
every op, so that -Werror=switch finds each switch a new op must be handled in. Scans the C++
sources under src/, include/ and tools/; exits 1 naming every switch on Op with a default.
Usage: tests/tools/op_switch_test.py [ROOT]"""
import pathlib
import re
import sys


def switch_bodies(text):
    """(offset, body) of every switch statement, nested ones included."""
    for m in re.finditer(r"\bswitch\s*\(", text):
        i, depth = m.end(), 1
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        j = text.find("{", i)
        if j < 0:
            continue
        k, depth = j + 1, 1
        while depth and k < len(text):
            depth += {"{": 1, "}": -1}.get(text[k], 0)
            k += 1
        yield m.start(), text[j + 1:k - 1]


def own_level(body):
    """The body with the bodies of switches nested in it blanked out."""
    for _, inner in sorted(switch_bodies(body), key=lambda s: -s[0]):
        start = body.find(inner)
        body = body[:start] + " " * len(inner) + body[start + len(inner):]
    return body


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: " " * len(m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", lambda m: " " * len(m.group(0)), text)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    bad = []
    for folder in ("src", "include", "tools"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".h", ".inc"):
                continue
            text = strip_comments(path.read_text(encoding="utf-8"))
            for offset, body in switch_bodies(text):
                mine = own_level(body)
                on_op = re.search(r"\bcase\s+Op::\w+\s*:", mine) or "function_cases.inc" in mine
                if on_op and re.search(r"\bdefault\s*:", mine):
                    line = text.count("\n", 0, offset) + 1
                    bad.append(f"{path.relative_to(root)}:{line}")
    if bad:
        print("switches on Op with a default (name every op instead; the entry-wise functions:")
        print('#include "ir/function_cases.inc"; a category question: a predicate of ir/op.h):')
        for b in bad:
            print("  " + b)
        return 1
    print("no default in a switch on Op")
    return 0


if __name__ == "__main__":
    sys.exit(main())
