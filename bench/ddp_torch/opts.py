"""Options of cb-ddp-torch, size and list parsing, Slurm host lists, and where
this process's rank comes from. Pure: no torch, no I/O beyond what the
caller passes in (the environment as a dict)."""
import argparse
import re

from . import schema

PROG = "cb-ddp-torch"

MAX_STEP_MS = 1e7          # one step longer than 10^4 s is a typo
MAX_GRAD_BYTES = 64 << 30  # per rank, as cb-ddp
DEFAULT_AR_SIZES = [1 << (10 + 2 * i) for i in range(9)]  # 1 KiB .. 64 MiB, x4


class UsageError(Exception):
    """Bad option or input: one line, exit 2, nothing written."""


# ------------------------------------------------------------ sizes, lists

def parse_size(text):
    """A byte count as cb_size_parse() (common/size.c) reads it: digits, then
    an optional B, K, M, G or T (binary: 1K = 1024), then an optional B
    after a multiplier. ValueError otherwise."""
    m = re.fullmatch(r"([0-9]+)(?:([BbKkMmGgTt])([Bb]?))?", text or "")
    if not m:
        raise ValueError("not a size (e.g. 100M, 4G, 123456)")
    value = int(m.group(1))
    unit = (m.group(2) or "").upper()
    if unit in ("", "B") and m.group(3):
        raise ValueError("not a size (e.g. 100M, 4G, 123456)")
    shift = {"": 0, "B": 0, "K": 10, "M": 20, "G": 30, "T": 40}[unit]
    value <<= shift
    if value >= 1 << 64:
        raise ValueError("too large")
    return value


def format_bytes(n):
    """1048576 -> '1 MiB', 1536 -> '1.5 KiB' (people's text, not CSV)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    v, i = float(n), 0
    while v >= 1024 and i < len(units) - 1:
        v /= 1024
        i += 1
    return "%d B" % n if i == 0 else "%.4g %s" % (v, units[i])


def _number(text, what):
    try:
        v = float(text)
    except ValueError:
        raise UsageError("%s '%s': not a number" % (what, text)) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise UsageError("%s '%s': not a finite number" % (what, text))
    return v


def parse_ms_list(text, opt):
    """Comma-separated step times in ms, each > 0 and <= MAX_STEP_MS."""
    out = []
    for tok in (text or "").split(","):
        tok = tok.strip()
        if not tok:
            raise UsageError("%s '%s': empty value in the list" % (opt, text))
        v = _number(tok, opt)
        if not v > 0:
            raise UsageError("%s '%s': %s must be > 0" % (opt, text, tok))
        if v > MAX_STEP_MS:
            raise UsageError("%s '%s': %s is out of range (at most %g ms)" % (opt, text, tok, MAX_STEP_MS))
        if v not in out:
            out.append(v)
    return out


def parse_size_list(text, opt):
    out = []
    for tok in (text or "").split(","):
        try:
            v = parse_size(tok.strip())
        except ValueError as e:
            raise UsageError("%s '%s': '%s': %s" % (opt, text, tok, e)) from None
        if v == 0:
            raise UsageError("%s '%s': sizes must be > 0" % (opt, text))
        out.append(v)
    return sorted(set(out))


# ------------------------------------------------------------ workloads

def _alnum(s):
    return "".join(c.lower() for c in s if c.isalnum())


def find_workload(name):
    """A preset of common/workload.c by name, ignoring case and punctuation
    ('ResNet-50', 'vit_b_16'): (name, model, params, source), or None."""
    key = _alnum(name)
    for w in schema.WORKLOADS:
        if _alnum(w[0]) == key:
            return w
    return None


def list_workloads():
    lines = ["%-15s %-16s %14s %10s  %s" % ("workload", "model", "params", "fp32 grad", "source")]
    for name, model, params, source in schema.WORKLOADS:
        lines.append("%-15s %-16s %14d %10s  %s" % (name, model, params, format_bytes(4 * params), source))
    return "\n".join(lines)


# ------------------------------------------------------------ Slurm host lists

def _split_top(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced ']'")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise ValueError("unbalanced '['")
    parts.append(cur)
    return [p for p in parts if p]


def _expand_one(item):
    m = re.search(r"\[([^\[\]]*)\]", item)
    if not m:
        return [item]
    pre, body, post = item[:m.start()], m.group(1), item[m.end():]
    out = []
    for rng in body.split(","):
        if re.fullmatch(r"[0-9]+", rng):
            out.extend(_expand_one(pre + rng + post))
            continue
        r = re.fullmatch(r"([0-9]+)-([0-9]+)", rng)
        if not r or int(r.group(2)) < int(r.group(1)):
            raise ValueError("bad range '%s'" % rng)
        width = len(r.group(1))
        for i in range(int(r.group(1)), int(r.group(2)) + 1):
            out.extend(_expand_one(pre + str(i).zfill(width) + post))
    return out


def expand_hostlist(text):
    """Slurm's compressed host list ('node[0-2,5],gpu[01-02]-ib') as a list of
    names, in order. ValueError for a malformed list."""
    out = []
    for part in _split_top(text or ""):
        out.extend(_expand_one(part))
    if not out:
        raise ValueError("empty host list")
    return out


# ------------------------------------------------------------ the world

def _env_int(env, key, lo=0):
    try:
        v = int(env[key])
    except (KeyError, ValueError):
        raise UsageError("%s='%s': not an integer" % (key, env.get(key, ""))) from None
    if v < lo:
        raise UsageError("%s=%d: must be >= %d" % (key, v, lo))
    return v


def resolve_world(env, world_size=None):
    """Rank, world size, local rank and rendezvous of this process, as a dict
    (rank, world, local_rank, master_addr, master_port, source).

    Under srun (SLURM_PROCID set): RANK, WORLD_SIZE and LOCAL_RANK are
    SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID; MASTER_ADDR is the first
    host of the step's node list (SLURM_STEP_NODELIST, else the job's),
    MASTER_PORT the environment's or one derived from the job and step ids.
    RANK/WORLD_SIZE/LOCAL_RANK already in the environment must agree.
    Else a torchrun-style environment (RANK, WORLD_SIZE, MASTER_ADDR,
    MASTER_PORT), else one process alone. world_size (--world-size) must
    agree with whichever applies. UsageError otherwise."""
    if "SLURM_PROCID" in env:
        ntasks_key = "SLURM_NTASKS" if "SLURM_NTASKS" in env else "SLURM_NPROCS"
        if ntasks_key not in env:
            raise UsageError("SLURM_PROCID is set but neither SLURM_NTASKS nor SLURM_NPROCS is")
        rank = _env_int(env, "SLURM_PROCID")
        world = _env_int(env, ntasks_key, 1)
        local = _env_int(env, "SLURM_LOCALID") if "SLURM_LOCALID" in env else 0
        if rank >= world:
            raise UsageError("SLURM_PROCID=%d is not below %s=%d" % (rank, ntasks_key, world))
        for var, slurm_var, val in (("RANK", "SLURM_PROCID", rank), ("WORLD_SIZE", ntasks_key, world),
                                    ("LOCAL_RANK", "SLURM_LOCALID", local)):
            if var in env and env[var].strip() != str(val):
                raise UsageError("%s=%s disagrees with Slurm's %s=%d" % (var, env[var], slurm_var, val))
        nodelist = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST")
        if env.get("MASTER_ADDR"):
            master = env["MASTER_ADDR"]
        elif nodelist:
            try:
                master = expand_hostlist(nodelist)[0]
            except ValueError as e:
                raise UsageError("node list '%s': %s" % (nodelist, e)) from None
        elif world == 1:
            master = "127.0.0.1"
        else:
            raise UsageError("no SLURM_STEP_NODELIST/SLURM_JOB_NODELIST and no MASTER_ADDR: "
                             "cannot find the rendezvous host")
        if env.get("MASTER_PORT"):
            port = _env_int(env, "MASTER_PORT", 1)
        else:
            job = int(env.get("SLURM_JOB_ID", "0") or 0) if env.get("SLURM_JOB_ID", "").isdigit() else 0
            step = int(env.get("SLURM_STEP_ID", "0")) if env.get("SLURM_STEP_ID", "").isdigit() else 0
            port = 20000 + (job * 16 + step) % 40000
        src = "slurm"
    elif "RANK" in env or "WORLD_SIZE" in env:
        for k in ("RANK", "WORLD_SIZE"):
            if k not in env:
                raise UsageError("%s is set but %s is not" % ("RANK" if k == "WORLD_SIZE" else "WORLD_SIZE", k))
        rank = _env_int(env, "RANK")
        world = _env_int(env, "WORLD_SIZE", 1)
        local = _env_int(env, "LOCAL_RANK") if "LOCAL_RANK" in env else 0
        if rank >= world:
            raise UsageError("RANK=%d is not below WORLD_SIZE=%d" % (rank, world))
        if world > 1 and not env.get("MASTER_ADDR"):
            raise UsageError("WORLD_SIZE=%d needs MASTER_ADDR (the rendezvous host)" % world)
        master = env.get("MASTER_ADDR") or "127.0.0.1"
        port = _env_int(env, "MASTER_PORT", 1) if env.get("MASTER_PORT") else 29500
        src = "environment"
    else:
        rank, world, local, master, port, src = 0, 1, 0, "127.0.0.1", 0, "single process"
    if port > 65535:
        raise UsageError("MASTER_PORT=%d: not a port" % port)
    if world_size is not None and world_size != world:
        raise UsageError("--world-size %d disagrees with the %s world size %d" %
                         (world_size, "Slurm" if src == "slurm" else src, world))
    return {"rank": rank, "world": world, "local_rank": local, "master_addr": master,
            "master_port": port, "source": src}


def is_rank0(env):
    """Whether this process prints a usage error (one line per job, not per
    rank): rank 0 of Slurm's or torchrun's numbering, or a lone process."""
    for key in ("SLURM_PROCID", "RANK"):
        if key in env:
            return env[key].strip() == "0"
    return True


# ------------------------------------------------------------ options

HELP_EPILOG = """\
What it measures, per single-node step time T1 (every rank at once):
  plain    the step without DDP on every rank alone: the measured T1
  ddp1     DDP on a process group of this rank alone: the reducer's own cost
           (copies into buckets, division, copies back) without a network
  ddpN     DDP on all ranks: the step the model predicts
  then speedup = N*T1/T_N and efficiency = T1/T_N (N = ranks), the median over
  timed steps of the slowest rank's time, after a warm-up that covers DDP's
  bucket rebuild (the first iteration reduces every parameter in one bucket).
Before the steps: torch.distributed.all_reduce over a size sweep (1K..64M x4 and
the bucket sizes), written as benchmark=allreduce rows with transport gloo or
nccl: the all-reduce as DDP's own backend performs it, the model's input.

Compute: --emulate-step-ms runs layers whose forward and backward sleep to fixed
deadlines (gradients become ready layer by layer through backward, in
proportion to their bytes), so a CPU-only cluster measures communication
honestly; how late the emulated compute ran where the model's schedule
depends on it (the end of forward, each gradient that closes a DDP bucket) is
recorded, and a point whose compute overran by more than 5%% of T1 is written
with status 'flagged' and is not used by the model. Without it: real forward/backward on synthetic data
(on the GPU of this rank's LOCAL_RANK when CUDA is available).

Rendezvous: under srun from SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID and the
first host of the node list; else RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT;
else one process. Backend: nccl on CUDA devices, gloo otherwise, on --iface
(NCCL_SOCKET_IFNAME / GLOO_SOCKET_IFNAME).

CSV: the results schema of every clusterbench program; benchmark=ddp-torch rows
with metrics t1_ms, ddp1_ms, tn_ms (time_us_* = statistics over steps), speedup,
efficiency, overrun_ms; with --sweep breakeven_t1_ms. Rows of one T1 share a
note that begins 'step_ms=<T1>; bwd_frac=<F>; bucket_cap_mb=<MB>;'.
No torch: a 'skipped' row per rank, exit 0 (3 with --require-torch).

exit: 0 ok, 2 bad option or input (one line, nothing written), 3 runtime error.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _parser():
    p = _Parser(prog=PROG, add_help=False, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="Real PyTorch DDP on this cluster: plain step, DDP on one rank, DDP on "
                            "all ranks, and the all-reduce of DDP's own backend.",
                epilog=HELP_EPILOG)
    a = p.add_argument
    a("-w", "--workload", metavar="NAME", help="a preset (--list-workloads); its real definition "
      "when torchvision has it, else a stack of layers of its gradient size")
    a("-g", "--grad-bytes", metavar="SIZE", help="gradient bytes: a stack of layers of this size "
      "(100M = 100 MiB, 4G, or a byte count)")
    a("--grad-dtype", default="fp32", metavar="DT", help="fp32 (default), bf16 or fp16")
    a("--emulate-step-ms", metavar="T1[,T1...]", help="emulate compute: single-node step times in ms")
    a("--bwd-frac", metavar="F", default=None, help="backward share of an emulated step, in (0,1) "
      "(default 2/3)")
    a("--sweep", action="store_true", help="search the measured break-even T1 (emulated compute)")
    a("--sweep-lo-ms", metavar="MS", help="sweep bracket, low end (default: from the all-reduce)")
    a("--sweep-hi-ms", metavar="MS", help="sweep bracket, high end")
    a("--sweep-probes", metavar="N", default="8", help="at most N probes (default 8)")
    a("--iters", metavar="N", default="5", help="timed steps per kind and T1 (default 5)")
    a("--warmup", "--warmup-iters", dest="warmup", metavar="N", default="3",
      help="warm-up steps, >= 2 to cover DDP's bucket rebuild (default 3)")
    a("--bucket-cap-mb", metavar="MB", default="25", help="DDP bucket_cap_mb (PyTorch's default 25)")
    a("--layer-bytes", metavar="SIZE", default="1M", help="layer size of a stack (default 1M)")
    a("--batch", metavar="N", default="32", help="per-rank batch of real compute (default 32)")
    a("--threads", metavar="N", help="torch intra-op threads (default: 1 with emulated compute, "
      "whose only CPU work is DDP's copies; torch's own otherwise)")
    a("--allreduce-sizes", metavar="LIST", help="all-reduce sweep sizes (default 1K..64M x4 and the "
      "bucket sizes)")
    a("--no-allreduce", action="store_true", help="skip the all-reduce sweep")
    a("--ar-time", metavar="S", default="0.5", help="seconds of timed all-reduces per size (0.5)")
    a("--backend", default="auto", metavar="B", help="auto (default: nccl on CUDA, else gloo), gloo, nccl")
    a("--iface", metavar="IF", help="network interface (sets GLOO_SOCKET_IFNAME/NCCL_SOCKET_IFNAME "
      "unless set)")
    a("--world-size", metavar="N", help="expected world size; exit 2 when Slurm's differs")
    a("-o", "--output", metavar="FILE", help="results CSV (default results/<cluster>/cb-ddp-torch-<run>.csv)")
    a("--cluster", metavar="NAME", help="cluster name in the rows (default $CB_CLUSTER or 'local')")
    a("--total-time", metavar="S", default="0", help="budget for the run; T1s that would not fit are "
      "skipped (0 = none)")
    a("--timeout", metavar="S", default="0", help="watchdog per measurement (default 60 s + 20x the "
      "expected time)")
    a("--require-torch", action="store_true", help="no torch is an error (exit 3), not a skip")
    a("--check-torch", action="store_true", help="only check that torch imports: print it, write a "
      "'skipped' row when it does not; exit 0 / 3")
    a("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    a("--list-workloads", action="store_true", help="print the presets and exit")
    a("-h", "--help", action="store_true", help="this text")
    return p


def help_text():
    return _parser().format_help()


def _int_opt(text, opt, lo, hi):
    try:
        v = int(text)
    except (TypeError, ValueError):
        raise UsageError("%s '%s': not an integer" % (opt, text)) from None
    if v < lo or v > hi:
        raise UsageError("%s %d: must be in %d..%d" % (opt, v, lo, hi))
    return v


def _float_opt(text, opt, lo, hi, lo_open=False):
    v = _number(text, opt)
    if v < lo or (lo_open and v == lo) or v > hi:
        raise UsageError("%s '%s': must be in %s%g, %g]" % (opt, text, "(" if lo_open else "[", lo, hi))
    return v


def parse_args(argv):
    """The options as a namespace with checked, typed values. UsageError for
    anything wrong; o.help / o.list_workloads mean: print and exit 0."""
    o = _parser().parse_args(argv)
    if o.help or o.list_workloads:
        return o
    o.grad_dtype = o.grad_dtype.lower()
    if o.grad_dtype not in schema.GRAD_DTYPE_BYTES:
        raise UsageError("--grad-dtype '%s': unknown (fp32, bf16, fp16)" % o.grad_dtype)
    o.dtype_bytes = schema.GRAD_DTYPE_BYTES[o.grad_dtype]
    o.iters = _int_opt(o.iters, "--iters", 1, 1000)
    o.warmup = _int_opt(o.warmup, "--warmup", 2, 1000)
    o.sweep_probes = _int_opt(o.sweep_probes, "--sweep-probes", 1, 64)
    o.batch = _int_opt(o.batch, "--batch", 1, 1 << 20)
    o.world_size = _int_opt(o.world_size, "--world-size", 1, 1 << 20) if o.world_size else None
    o.threads = _int_opt(o.threads, "--threads", 1, 4096) if o.threads else None
    o.ar_time = _float_opt(o.ar_time, "--ar-time", 0, 3600, lo_open=True)
    o.total_time = _float_opt(o.total_time, "--total-time", 0, 1e7)
    o.timeout = _float_opt(o.timeout, "--timeout", 0, 1e7)
    cap = _float_opt(o.bucket_cap_mb, "--bucket-cap-mb", 0, 1 << 20, lo_open=True)
    o.bucket_cap_mb = cap
    o.bucket_cap_bytes = int(round(cap * (1 << 20)))
    try:
        o.layer_bytes = parse_size(o.layer_bytes)
    except ValueError as e:
        raise UsageError("--layer-bytes '%s': %s" % (o.layer_bytes, e)) from None
    if o.layer_bytes < o.dtype_bytes:
        raise UsageError("--layer-bytes '%s': smaller than one %s element" % (o.layer_bytes, o.grad_dtype))
    o.backend = o.backend.lower()
    if o.backend not in ("auto", "gloo", "nccl"):
        raise UsageError("--backend '%s': expected auto, gloo or nccl" % o.backend)
    if o.check_torch:
        return o
    # What is measured: a preset or a gradient size, exactly one.
    if bool(o.workload) == bool(o.grad_bytes):
        raise UsageError("give one of --workload NAME or --grad-bytes SIZE")
    o.preset = None
    if o.workload:
        o.preset = find_workload(o.workload)
        if o.preset is None:
            raise UsageError("--workload '%s': unknown workload (--list-workloads shows them)" % o.workload)
        o.grad_bytes = o.preset[2] * o.dtype_bytes
    else:
        try:
            o.grad_bytes = parse_size(o.grad_bytes)
        except ValueError as e:
            raise UsageError("--grad-bytes '%s': %s" % (o.grad_bytes, e)) from None
        if o.grad_bytes == 0:
            raise UsageError("--grad-bytes '0': must be > 0")
    if o.grad_bytes > MAX_GRAD_BYTES:
        raise UsageError("gradient size %s is over the %s limit per rank" %
                         (format_bytes(o.grad_bytes), format_bytes(MAX_GRAD_BYTES)))
    if o.grad_bytes < o.dtype_bytes:
        raise UsageError("gradient size %d B is smaller than one %s element" % (o.grad_bytes, o.grad_dtype))
    o.step_ms = parse_ms_list(o.emulate_step_ms, "--emulate-step-ms") if o.emulate_step_ms else []
    o.emulate = bool(o.step_ms)
    if o.bwd_frac is not None:
        if not o.emulate:
            raise UsageError("--bwd-frac needs --emulate-step-ms (real compute has its own)")
        o.bwd_frac = _number(o.bwd_frac, "--bwd-frac")
        if not 0 < o.bwd_frac < 1:
            raise UsageError("--bwd-frac '%g': must be in (0, 1)" % o.bwd_frac)
    else:
        o.bwd_frac = 2.0 / 3.0
    if o.sweep and not o.emulate:
        raise UsageError("--sweep needs --emulate-step-ms (it varies the emulated T1)")
    for k in ("sweep_lo_ms", "sweep_hi_ms"):
        v = getattr(o, k)
        if v is not None:
            v = parse_ms_list(v, "--" + k.replace("_", "-"))
            if len(v) != 1:
                raise UsageError("--%s: one value" % k.replace("_", "-"))
            setattr(o, k, v[0])
    if o.sweep_lo_ms and o.sweep_hi_ms and not o.sweep_lo_ms < o.sweep_hi_ms:
        raise UsageError("--sweep-lo-ms %g must be below --sweep-hi-ms %g" % (o.sweep_lo_ms, o.sweep_hi_ms))
    o.ar_sizes = None
    if o.allreduce_sizes:
        if o.no_allreduce:
            raise UsageError("--allreduce-sizes and --no-allreduce contradict each other")
        o.ar_sizes = parse_size_list(o.allreduce_sizes, "--allreduce-sizes")
    return o
