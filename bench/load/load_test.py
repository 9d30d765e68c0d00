#!/usr/bin/python3
"""Load test of `nabla serve` (a benchmark script, not a unit test): N concurrent clients for S
seconds on the loopback interface, a mix of the exercise sheet's questions, the corpus queries
(tests/data/*.nabla) and hostile requests. Every request must get its expected answer: a
well-formed question the same 200 answer as when asked alone, a hostile one its 4xx refusal;
anything else (a dropped connection, a timeout, a 5xx, a 503, another answer) is a failure.
Reports throughput, p50/p99 latency per kind, and the server's resident memory at rest (2 s
after the last request) after warm-up and after the run, and every 10 s during the run.

  /usr/bin/python3 bench/load/load_test.py --nabla build/nabla [--clients 32] [--seconds 60]
Exit status 0 when there was no failure, no crash and memory grew less than 10%, else 1.
"""
import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def paragraphs(path):
    """Blank-line separated paragraphs with their code lines (comments dropped)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for para in re.split(r"\n\s*\n", text):
        code = [l for l in para.split("\n") if l.strip() and not l.lstrip().startswith("#")]
        if code:
            yield code


QUERY = re.compile(r"^(grad|jacobian|hessian|diff|simplify|check)\b")


def sheet_questions():
    """Each sheet question and check with the declarations in force (carried as in the script)."""
    out, decls = [], []
    for code in paragraphs(os.path.join(ROOT, "examples", "exercise-01.nabla")):
        own = [l for l in code if not QUERY.match(l.strip())]
        if own:
            decls = own
        for q in (l for l in code if QUERY.match(l.strip())):
            out.append("\n".join(decls + [q]))
    return out


def corpus_queries():
    """Each corpus check, and the query on its left side."""
    out = []
    for name in ("identities.nabla", "textbook.nabla"):
        for code in paragraphs(os.path.join(ROOT, "tests", "data", name)):
            decls = [l for l in code if not QUERY.match(l.strip())]
            for q in (l for l in code if QUERY.match(l.strip())):
                out.append("\n".join(decls + [q]))
                m = re.match(r"^check (.*?) == ", q)
                if m:
                    out.append("\n".join(decls + [m.group(1)]))
    return out


def nest(open_, middle, close, n):
    return open_ * n + middle + close * n


def doubling(n, step, query):
    s = "x in R^n\ne0 = x'*x\n"
    for i in range(1, n + 1):
        s += "e%d = %s\n" % (i, step.replace("P", "e%d" % (i - 1)))
    return s + query.replace("E", "e%d" % n) + "\n"


def body(script):
    return json.dumps({"script": script}).encode()


def hostile_requests():
    """(name, body bytes, content type, expected statuses): the hostile-input table's kinds of
    script (tests/hostile/hostile_table.h: deep nesting, huge names and numbers, budgets) and
    malformed requests."""
    j = "application/json"
    return [
        ("deep parentheses (over 64 KiB)", body("x in R\n" + nest("(", "x", ")", 100000)), j, {413}),
        ("parentheses at the limit", body("x in R\n" + nest("(", "x", ")", 990)), j, {200, 422}),
        ("deep parentheses in 60 KiB", body("x in R\n" + nest("(", "x", ")", 30000)), j, {422}),
        ("deep unary minus", body("x in R\n" + "-" * 50000 + "x"), j, {422}),
        ("long identifier", body("x" * 60000 + " in R\n" + "grad(x, x)"), j, {200, 422}),
        ("huge number", body("x in R\ngrad(" + "9" * 50000 + "*x, x)"), j, {200, 422}),
        ("NUL bytes", body("x in R\ngrad(x\u0000^2, x)"), j, {422}),
        ("empty script", body(""), j, {422}),
        ("undeclared function", body("grad(sigmod(x), x)"), j, {422}),
        ("derivation over its time budget", body(doubling(60, "P*P + sin(P)", "grad(E, x)")), j,
         {422}),
        ("many statements", body("x in R^n\n" + "grad(x'*x, x)\n" * 2000), j, {200, 422}),
        ("oversized body", b'{"script": "' + b"x" * (70 << 10) + b'"}', j, {413}),
        ("invalid JSON", b'{"script": "x in R', j, {400}),
        ("invalid UTF-8", b'{"script": "x in R\\ngrad(\xc3\x28, x)"}', j, {400}),
        ("wrong field type", b'{"script": 7}', j, {400}),
        ("unknown field", b'{"script": "x in R", "rm": "-rf"}', j, {400}),
        ("not JSON content type", body("x in R\nx"), "text/plain", {415}),
    ]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}  # kind -> [seconds]
        self.failures = []
        self.count = 0

    def add(self, kind, seconds, failure=None):
        with self.lock:
            self.count += 1
            self.latency.setdefault(kind, []).append(seconds)
            if failure:
                self.failures.append(failure)


def request(port, payload, content_type, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/api/run", body=payload, headers={"Content-Type": content_type})
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nabla", default=os.path.join(ROOT, "build", "nabla"))
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    server = subprocess.Popen([args.nabla, "serve", "--port", "0"], stdout=subprocess.PIPE,
                              text=True)
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
    if not m:
        print("load_test: nabla serve printed no URL", file=sys.stderr)
        server.kill()
        return 1
    port = int(m.group(1))

    questions = [("sheet", q) for q in sheet_questions()] + \
                [("corpus", q) for q in corpus_queries()]
    # The answer to each well-formed question asked alone: under load it must be the same.
    expected = {}
    for _, q in questions:
        status, answer = request(port, body(q), "application/json")
        expected[q] = (status, answer)
    hostile = hostile_requests()
    for name, payload, ctype, statuses in hostile:
        status, _ = request(port, payload, ctype)
        if status not in statuses:
            print("load_test: %s answered %d alone, expected %s" % (name, status, statuses),
                  file=sys.stderr)

    def client(index, stats, until):
        rng = random.Random(args.seed * 1000 + index)
        while time.monotonic() < until:
            r = rng.random()
            if r < 0.85:
                kind, q = questions[rng.randrange(len(questions))]
                payload, ctype = body(q), "application/json"
                want = expected[q]
                name = q.splitlines()[-1][:60]
            else:
                name, payload, ctype, statuses = hostile[rng.randrange(len(hostile))]
                kind, want = "hostile", None
            start = time.monotonic()
            failure = None
            try:
                status, answer = request(port, payload, ctype)
                if want is not None and (status, answer) != want:
                    failure = "%s: %d %s (alone: %d)" % (name, status, answer[:120], want[0])
                elif want is None and status not in statuses:
                    failure = "%s: %d %s" % (name, status, answer[:120])
            except Exception as e:  # a dropped connection, a timeout
                failure = "%s: %s" % (name, e)
            stats.add(kind, time.monotonic() - start, failure)

    def phase(seconds):
        stats = Stats()
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(i, stats, until))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return stats

    def rss_at_rest():
        """The server's RSS 2 s after the last request: it gives freed memory back when idle."""
        time.sleep(2)
        return rss_kib(server.pid)

    warm = phase(args.warmup)
    rss_warm = rss_at_rest()
    samples = []  # the server's RSS every 10 s of the run: a leak climbs, a plateau does not
    sampling = threading.Event()

    def sample():
        while not sampling.wait(10):
            samples.append(rss_kib(server.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.monotonic()
    stats = phase(args.seconds)
    elapsed = time.monotonic() - start
    sampling.set()
    sampler.join()
    rss_end = rss_at_rest()
    alive = server.poll() is None
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        alive = False
    clean_exit = server.returncode == 0

    everything = [s for v in stats.latency.values() for s in v]
    report = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": stats.count,
        "throughput_per_s": round(stats.count / elapsed, 1),
        "failures": len(stats.failures) + len(warm.failures),
        "p50_ms": round(1000 * percentile(everything, 50), 1),
        "p99_ms": round(1000 * percentile(everything, 99), 1),
        "by_kind": {k: {"requests": len(v), "p50_ms": round(1000 * percentile(v, 50), 1),
                        "p99_ms": round(1000 * percentile(v, 99), 1)}
                    for k, v in sorted(stats.latency.items())},
        "rss_after_warmup_kib": rss_warm,
        "rss_after_run_kib": rss_end,
        "rss_growth_percent": round(100.0 * (rss_end - rss_warm) / rss_warm, 1),
        "rss_every_10s_kib": samples,
        "server_alive_after_run": alive,
        "server_exit_status": server.returncode,
        "distinct_questions": len(questions),
        "hostile_kinds": len(hostile),
    }
    print(json.dumps(report, indent=2))
    for f in (warm.failures + stats.failures)[:20]:
        print("failure:", f, file=sys.stderr)
    ok = (report["failures"] == 0 and alive and clean_exit and report["rss_growth_percent"] < 10)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
