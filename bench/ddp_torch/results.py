"""The results CSV of cb-ddp-torch: clusterbench's one schema (schema.py, made
from common/cb_results.h at build time) and the same crash-safe contract as
cb_results_open()/cb_results_write() in common/results.c:
  - a new file gets its header atomically (temp file, fsync, link());
  - an existing file is appended to only when its first line is exactly our
    header and it ends in a newline;
  - every row is appended with one write(2) of the whole row, and a short
    write is undone with ftruncate(), so a killed job leaves whole rows only.
Quoting is Python's csv module's (minimal quoting, '\n' line ends); numbers
are written as C's %.6g. Pure apart from the file it writes."""
import csv
import io
import math
import os
import random
import time

from . import schema


def fmt_num(v):
    """A number as cb_row_set_num() writes it: %.6g; NaN/inf and None empty."""
    if v is None:
        return ""
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return ""
    return "%.6g" % v


def format_line(fields):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(["" if f is None else f for f in fields])
    return buf.getvalue()


HEADER = format_line(schema.COLUMNS)


def new_run_id(now=None, pid=None):
    """<UTC time>-<pid hex>-<4 hex>, as cb_results_ctx_init()."""
    now = time.time() if now is None else now
    pid = os.getpid() if pid is None else pid
    return "%s-%x-%04x" % (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)), pid,
                           random.getrandbits(16))


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Context:
    """What every row of one run shares."""

    def __init__(self, cluster=None, env=None, run_id=None):
        env = os.environ if env is None else env
        self.run_id = run_id or new_run_id()
        self.cluster = cluster or env.get("CB_CLUSTER") or "local"
        self.slurm_job_id = env.get("SLURM_JOB_ID", "")
        self.nodes = self.ranks = self.ranks_per_node = 1
        self.hosts = ""


def make_row(ctx, **fields):
    """A row (dict by column name) with the context filled in; keyword
    arguments name columns, numbers are formatted, None leaves a field empty."""
    row = {c: "" for c in schema.COLUMNS}
    row.update(schema_version=str(schema.SCHEMA_VERSION), run_id=ctx.run_id,
               timestamp_utc=utc_now(), cluster=ctx.cluster, slurm_job_id=ctx.slurm_job_id,
               nodes=str(ctx.nodes), ranks=str(ctx.ranks), ranks_per_node=str(ctx.ranks_per_node),
               hosts=ctx.hosts)
    for k, v in fields.items():
        if k not in row:
            raise KeyError("no column '%s' in the results schema" % k)
        row[k] = v if isinstance(v, str) else fmt_num(v)
    return row


def set_stats(row, st):
    """time_us_* from stats in seconds (plan.stats over steps)."""
    for col, key in (("time_us_min", "min"), ("time_us_median", "median"), ("time_us_mean", "mean"),
                     ("time_us_p95", "p95"), ("time_us_max", "max"), ("time_us_stddev", "stddev"),
                     ("time_us_ci95", "ci95")):
        row[col] = fmt_num(st[key] * 1e6)
    return row


def format_row(row):
    return format_line([row[c] for c in schema.COLUMNS])


class ResultsError(Exception):
    """The file cannot be written: the message names it and why."""

    def __init__(self, message, usage=False):
        super().__init__(message)
        self.usage = usage  # bad input (exit 2), not a runtime failure


class Writer:
    def __init__(self, path):
        self.path = path
        self.fd = -1
        parent = os.path.dirname(path)
        try:
            if parent:
                os.makedirs(parent, exist_ok=True)
        except OSError as e:
            raise ResultsError("%s: cannot create its directory: %s" % (path, e.strerror), True) from None
        hdr = HEADER.encode()
        if not os.path.exists(path):
            tmp = "%s.tmp.%d" % (path, os.getpid())
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
                try:
                    if os.write(fd, hdr) != len(hdr):
                        raise OSError(0, "short write")
                    os.fsync(fd)
                finally:
                    os.close(fd)
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass  # another writer won the race: append to theirs
            except OSError as e:
                raise ResultsError("%s: cannot write: %s" % (path, e.strerror), True) from None
            finally:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        except OSError as e:
            raise ResultsError("%s: cannot open for writing: %s" % (path, e.strerror), True) from None
        first = os.pread(self.fd, len(hdr), 0)
        if first != hdr:
            self.close()
            raise ResultsError("%s:1: not a clusterbench results file (schema_version %d header "
                               "expected); choose another output file" % (path, schema.SCHEMA_VERSION), True)
        end = os.lseek(self.fd, 0, os.SEEK_END)
        if end > 0 and os.pread(self.fd, 1, end - 1) != b"\n":
            self.close()
            raise ResultsError("%s: ends in a partial row; not appending to it" % path, True)

    def write(self, row):
        """Append one whole row (one write(2); a short one is undone)."""
        data = format_row(row).encode()
        before = os.lseek(self.fd, 0, os.SEEK_END)
        try:
            n = os.write(self.fd, data)
        except OSError as e:
            os.ftruncate(self.fd, before)
            raise ResultsError("%s: %s" % (self.path, e.strerror)) from None
        if n != len(data):
            os.ftruncate(self.fd, before)
            raise ResultsError("%s: short write (disk full?)" % self.path)

    def raw_fd(self):
        return self.fd

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
