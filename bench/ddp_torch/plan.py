"""Pure helpers of cb-ddp-torch: the layers of an emulated model, the deadlines
its compute sleeps to, DDP's bucket plan, statistics over steps (as
common/stats.c computes them), all-reduce time lookups for forecasts, and the
bisection for the measured break-even T1. No torch, no I/O.

Times in seconds unless a name says _ms or _us; sizes in bytes or elements
as named."""
import math

from . import schema

FIRST_BUCKET_BYTES = 1 << 20  # PyTorch DDP's first bucket (dist._DEFAULT_FIRST_BUCKET_BYTES)
OVERRUN_FLAG_FRAC = 0.05      # a point whose compute ran late by more than 5% of T1 is flagged


def layer_elems(grad_bytes, dtype_bytes, layer_bytes):
    """Element counts of a stack of layers holding grad_bytes of gradients:
    full layers of layer_bytes, the last one the remainder (in forward order)."""
    total = -(-grad_bytes // dtype_bytes)
    per = max(1, layer_bytes // dtype_bytes)
    out = [per] * (total // per)
    if total % per:
        out.append(total % per)
    return out


def deadlines(elems, t1, bwd_frac):
    """(forward, backward) deadlines of each layer, seconds from the step's
    start. Forward runs (1 - f_b)*T1 through the layers in order; backward
    f_b*T1 in reverse, layer i's gradient complete at
    fwd + f_b*T1*(elements of layers i..n-1)/(all elements), so the first
    layer's backward ends at T1 exactly: gradients become ready in proportion
    to their bytes, as common/cb_ddp.h's model assumes."""
    total = float(sum(elems))
    fwd = (1.0 - bwd_frac) * t1
    f, b = [], [0.0] * len(elems)
    cum = 0
    for n in elems:
        cum += n
        f.append(fwd * cum / total)
    cum = 0
    for i in range(len(elems) - 1, -1, -1):
        cum += elems[i]
        b[i] = fwd + bwd_frac * t1 * cum / total
    b[0] = t1
    return f, b


def bucket_plan(ready_bytes, cap_bytes, first_bytes=FIRST_BUCKET_BYTES):
    """Bucket sizes DDP builds from parameters of these byte sizes, in the
    order their gradients become ready: a bucket closes once it holds at
    least its cap (the first one's cap is first_bytes, the others'
    cap_bytes); the last holds the rest."""
    out, cur, limit = [], 0, first_bytes
    for b in ready_bytes:
        cur += b
        if cur >= limit:
            out.append(cur)
            cur, limit = 0, cap_bytes
    if cur:
        out.append(cur)
    return out


def bucket_end_layers(elems, elem_bytes, cap_bytes, first_bytes=FIRST_BUCKET_BYTES):
    """Indices of the layers (forward order) whose gradient closes a bucket
    of bucket_plan(): the moments DDP can start an all-reduce. Layer 0's
    gradient, the last one ready, always closes the last bucket."""
    ends, cur, limit = set(), 0, first_bytes
    for i in range(len(elems) - 1, -1, -1):
        cur += elems[i] * elem_bytes
        if cur >= limit:
            ends.add(i)
            cur, limit = 0, cap_bytes
    ends.add(0)
    return ends


def t975(df):
    if df < 1:
        return float("nan")
    return schema.T975[min(df, len(schema.T975)) - 1]


def percentile_sorted(s, p):
    """As cb_stats_percentile_sorted(): linear between closest ranks."""
    if not s:
        return float("nan")
    if len(s) == 1:
        return s[0]
    pos = p / 100.0 * (len(s) - 1)
    lo = int(math.floor(pos))
    if lo >= len(s) - 1:
        return s[-1]
    return s[lo] + (pos - lo) * (s[lo + 1] - s[lo])


def stats(samples):
    """min, median, mean, p95, max, stddev (n-1), ci95 (Student t) of samples,
    as a dict: cb_stats_compute()'s definitions."""
    s = sorted(samples)
    n = len(s)
    nan = float("nan")
    if n == 0:
        return dict(n=0, min=nan, median=nan, mean=nan, p95=nan, max=nan, stddev=nan, ci95=nan)
    mean = sum(s) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in s) / (n - 1)) if n > 1 else 0.0
    return dict(n=n, min=s[0], median=percentile_sorted(s, 50), mean=mean,
                p95=percentile_sorted(s, 95), max=s[-1], stddev=sd,
                ci95=t975(n - 1) * sd / math.sqrt(n) if n > 1 else 0.0)


def ar_time(curve, nbytes):
    """Time of an all-reduce of nbytes from measured (bytes, seconds) points
    sorted by bytes: linear between neighbours, the end segments' slope
    outside (clamped at 0). None without two points."""
    if len(curve) < 2:
        return None
    if nbytes <= curve[0][0]:
        (b0, t0), (b1, t1) = curve[0], curve[1]
    elif nbytes >= curve[-1][0]:
        (b0, t0), (b1, t1) = curve[-2], curve[-1]
    else:
        i = next(k for k in range(1, len(curve)) if curve[k][0] >= nbytes)
        (b0, t0), (b1, t1) = curve[i - 1], curve[i]
    return max(0.0, t0 + (t1 - t0) * (nbytes - b0) / (b1 - b0))


def comm_estimate(curve, buckets):
    """Sum of the all-reduce times of the buckets (seconds; 0 without a curve):
    the most communication a DDP step can add, for forecasts and brackets."""
    if len(curve) < 2:
        return 0.0
    return sum(ar_time(curve, b) for b in buckets)


class Bisect:
    """Smallest T1 with speedup >= 1, on a log scale between lo and hi, as
    cb-ddp's sweep (bench/ddp_plan.c): probe next() (the guess first when it
    lies inside), tell result(); done() once hi/lo <= 1 + rel_tol or the
    probes are used up; answer() is the geometric middle of the bracket.
    lo_seen/hi_seen: whether each end was measured."""

    def __init__(self, lo, hi, guess=None, max_probes=8, rel_tol=0.05):
        if not (0 < lo < hi):
            raise ValueError("bracket must satisfy 0 < lo < hi")
        self.lo, self.hi, self.guess = lo, hi, guess
        self.lo_seen = self.hi_seen = False
        self.probes, self.max_probes, self.rel_tol = 0, max_probes, rel_tol

    def next(self):
        if self.probes == 0 and self.guess is not None and self.lo < self.guess < self.hi:
            return self.guess
        return math.sqrt(self.lo * self.hi)

    def result(self, t1, breaks_even):
        self.probes += 1
        if breaks_even:
            self.hi, self.hi_seen = min(self.hi, t1), True
        else:
            self.lo, self.lo_seen = max(self.lo, t1), True

    def done(self):
        return self.probes >= self.max_probes or self.hi / self.lo <= 1 + self.rel_tol

    def answer(self):
        return math.sqrt(self.lo * self.hi)


def overrun_flagged(overrun, t1):
    """A point whose emulated compute ran late by more than 5% of T1."""
    return overrun > OVERRUN_FLAG_FRAC * t1


def forecast(t1, comm, steps, kinds):
    """Seconds one T1 takes: `steps` steps of each kind ('plain', 'ddp1',
    'ddpN'); DDP on N ranks at most T1 plus every bucket's all-reduce."""
    per = {"plain": t1, "ddp1": t1, "ddpN": t1 + comm}
    return steps * sum(per[k] for k in kinds)


def watchdog_s(timeout, expect):
    """The watchdog's limit: --timeout when given, else 60 s + 20x the
    expected time (cb_bench_timeout_s())."""
    return timeout if timeout > 0 else 60.0 + 20.0 * max(expect, 0.0)
