"""The benchmarks.md data in Python, bit for bit as bench/problems.h makes them: splitmix64 with a
fixed seed per array, mapped to uniform [-1, 1), arrays column-major rows x cols."""
import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def uniform(seed, count):
    """The first `count` values of problems.h's Rng(seed).next(), as float64."""
    with np.errstate(over="ignore"):
        k = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) + k * GOLDEN  # s += golden before each draw; arithmetic mod 2^64
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * (2.0 / 9007199254740992.0) - 1.0


def make(rows, cols, seed, scale=1.0):
    """problems.h's make(name, rows, cols, seed, scale) as a rows x cols array."""
    v = scale * uniform(seed, rows * cols)
    return v.reshape(cols, rows).T.copy()  # column-major storage


def hess_logreg():
    """hess-logreg's X (5000 x 200) and w (200)."""
    return make(5000, 200, 21), make(200, 1, 22, 0.1)[:, 0]


def dump(path, a):
    """Writes a's entries column-major as raw float64 (problems.h's dump)."""
    np.asarray(a, dtype=np.float64).flatten(order="F").tofile(path)
