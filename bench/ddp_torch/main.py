"""cb-ddp-torch, the program: options, rendezvous, the all-reduce sweep, then per
T1 the plain step, DDP on one rank and DDP on all ranks, then (--sweep) the
measured break-even T1; rows into the results CSV as they are measured (rank
0 writes them). See opts.HELP_EPILOG for what users read."""
import datetime
import os
import socket
import sys
import time

from . import opts as O
from . import plan
from . import results as R

PROG = O.PROG
CSV_DTYPE = {"fp32": "float", "bf16": "bfloat16", "fp16": "half"}


def err(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.stderr.flush()


def default_output(ctx):
    return os.path.join("results", ctx.cluster, "%s-%s.csv" % (PROG, ctx.run_id))


# ------------------------------------------------------------ no torch

def no_torch(o, world, why):
    """torch (or torch.distributed) does not import here: a skipped row naming
    this host and rank, then 0 (3 with --require-torch or --check-torch)."""
    host = socket.gethostname()
    text = "torch does not import with %s on %s: %s" % (sys.executable, host, why)
    err(text + ("" if (o.require_torch or o.check_torch) else "; skipping the torch DDP step"))
    ctx = R.Context(o.cluster)
    ctx.ranks = world["world"]
    ctx.hosts = host
    path = o.output or default_output(ctx)
    try:
        w = R.Writer(path)
        w.write(R.make_row(ctx, benchmark="ddp-torch", transport="none", host=host, rank=world["rank"],
                           bytes=getattr(o, "grad_bytes", None), status="skipped",
                           note="no torch: " + text))
        w.close()
    except R.ResultsError as e:
        err(str(e))
        return 2 if e.usage else 3
    return 3 if (o.require_torch or o.check_torch) else 0


# ------------------------------------------------------------ the run

class Run:
    def __init__(self, o, world, torch, dist):
        self.o, self.world, self.torch, self.dist = o, world, torch, dist
        self.rank0 = world["rank"] == 0
        self.n = world["world"]
        self.writer = None
        self.failures = 0
        self.capped = False
        self.ctx = None
        self.host = socket.gethostname()
        self.curve = []  # (bytes, seconds) of the all-reduce sweep, ascending
        self.inflight_note = None  # note of the T1 being measured

    # ---- output

    def out(self, text):
        if self.rank0:
            print(text, flush=True)

    def progress(self, text):
        if self.rank0 and not self.o.quiet:
            err(text)

    def write(self, row):
        if not self.rank0:
            return
        try:
            self.writer.write(row)
        except R.ResultsError as e:
            err(str(e))
            self.failures += 1

    def point_row(self, metric, value, unit, note, status="ok", st=None, **extra):
        o = self.o
        row = R.make_row(self.ctx, benchmark="ddp-torch", transport=self.backend, memory=self.memory,
                         dtype=CSV_DTYPE[o.grad_dtype], op="overlap", bytes=self.grad_bytes,
                         metric=metric, value=value, unit=unit, status=status, note=note, **extra)
        if st is not None:
            row["iters"] = str(st["n"])
            row["warmup_iters"] = str(o.warmup)
            R.set_stats(row, st)
        return row

    def arm(self, seconds, what, note=None):
        """Watchdog on; rank 0 prepares the rows a timeout or a signal writes."""
        rows = None
        if note is not None and self.rank0:
            rows = {s: R.format_row(self.point_row("tn_ms", None, "ms", "%s; %s" % (note, why), status=s)).encode()
                    for s, why in (("timeout", "watchdog: did not finish in time"),
                                   ("failed", "ended by a signal while measuring"))}
        self.wd.inflight = (self.writer.raw_fd(), rows) if rows else None
        self.inflight_note = note
        self.wd.arm(seconds, what)

    def disarm(self):
        self.wd.disarm()
        self.wd.inflight = None
        self.inflight_note = None

    # ---- start-up

    def start(self, wd):
        """Rendezvous, device, results file. Returns an exit code or None."""
        torch, dist, o, w = self.torch, self.dist, self.o, self.world
        self.wd = wd
        cuda = torch.cuda.is_available()
        self.backend = o.backend if o.backend != "auto" else ("nccl" if cuda else "gloo")
        if self.backend == "nccl" and not cuda:
            err("--backend nccl needs a CUDA device and none is visible (torch %s, CUDA %s)" %
                (torch.__version__, torch.version.cuda))
            return 3
        on_gpu = self.backend == "nccl" or (cuda and not o.emulate)
        if on_gpu:
            dev = w["local_rank"] % torch.cuda.device_count()
            torch.cuda.set_device(dev)
            self.device = torch.device("cuda", dev)
        else:
            self.device = torch.device("cpu")
        self.memory = "cuda" if on_gpu else "host"
        threads = o.threads or (1 if o.emulate else None)
        if threads:
            torch.set_num_threads(threads)
        if o.iface:
            os.environ.setdefault("GLOO_SOCKET_IFNAME", o.iface)
            os.environ.setdefault("NCCL_SOCKET_IFNAME", o.iface)
        port = w["master_port"]
        if port == 0:  # one process alone: any free local port
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        wd.arm(plan.watchdog_s(o.timeout, 30.0), "the rendezvous at %s:%d (%s)" %
               (w["master_addr"], port, w["source"]))
        dist.init_process_group(self.backend, init_method="tcp://%s:%d" % (w["master_addr"], port),
                                rank=w["rank"], world_size=self.n,
                                timeout=datetime.timedelta(seconds=max(1800.0, 2 * o.timeout)))
        names = [None] * self.n
        dist.all_gather_object(names, self.host)
        ids = [R.new_run_id()]
        dist.broadcast_object_list(ids, src=0)
        wd.disarm()
        hosts = list(dict.fromkeys(names))
        self.ctx = R.Context(o.cluster, run_id=ids[0])
        self.ctx.nodes, self.ctx.ranks = len(hosts), self.n
        self.ctx.ranks_per_node = max(names.count(h) for h in hosts)
        self.ctx.hosts = ",".join(hosts)
        code = 0
        if self.rank0:
            try:
                self.writer = R.Writer(o.output or default_output(self.ctx))
            except R.ResultsError as e:
                err(str(e))
                code = 2 if e.usage else 3
        from . import measure
        self.sess = measure.Session(w, self.device, self.backend)
        code = int(self.sess.max_over_ranks([code])[0])
        if code:
            return code
        self.out("# %s: %d rank(s) on %d node(s) (%s), %d per node; rendezvous %s at %s:%d" %
                 (PROG, self.n, self.ctx.nodes, self.ctx.hosts, self.ctx.ranks_per_node, w["source"],
                  w["master_addr"], port))
        self.out("# torch %s (%s), backend %s, %s memory%s" %
                 (torch.__version__, sys.executable, self.backend, self.memory,
                  ", socket interface %s" % (os.environ.get("GLOO_SOCKET_IFNAME") or
                                             os.environ.get("NCCL_SOCKET_IFNAME"))
                  if self.backend == "gloo" and os.environ.get("GLOO_SOCKET_IFNAME") else ""))
        if self.rank0:
            self.out("# results: %s (run %s, cluster %s%s)" %
                     (self.writer.path, self.ctx.run_id, self.ctx.cluster,
                      ", job " + self.ctx.slurm_job_id if self.ctx.slurm_job_id else ""))
        return None

    # ---- models

    def build(self):
        """The layer plan and the three models (plain, DDP on this rank alone,
        DDP on all ranks)."""
        torch, o = self.torch, self.o
        from . import emulate as E
        from torch.nn.parallel import DistributedDataParallel as DDP
        dtype = E.DTYPES[o.grad_dtype]
        desc, real = None, None
        if o.preset:
            real, desc = E.real_definition(o.preset[0])
        if o.emulate:
            if real is not None:
                elems = [p.numel() for p in real.parameters()]
                self.model_desc = "%s's %d parameter tensors" % (desc, len(elems))
            else:
                elems = plan.layer_elems(o.grad_bytes, o.dtype_bytes, o.layer_bytes)
                self.model_desc = "%d layers of %s%s" % (
                    len(elems), O.format_bytes(elems[0] * o.dtype_bytes),
                    "" if not o.preset else " (%s's gradient size; %s)" % (o.preset[0], desc))
            self.clock = E.Clock(elems, plan.bucket_end_layers(elems, o.dtype_bytes, o.bucket_cap_bytes))
            make = lambda fill: E.EmulatedNet(elems, self.clock, dtype, fill, self.device)
            self.x = torch.ones(1, dtype=dtype, device=self.device)
            self.compute = "emulated compute"
        else:
            self.clock = None
            width = None
            if real is None:
                stack, width = E.linear_stack(o.grad_bytes, o.dtype_bytes, o.layer_bytes)
                self.model_desc = "%d Linear(%d, %d) layers" % (len(stack), width, width)
                first = stack
            else:
                self.model_desc = desc
                first = real
            models = [first]
            make = lambda fill: models.pop() if models else self._copy(first)
            self.x = E.synthetic_input(self.model_desc, o.batch, width, self.device, dtype)
            self.compute = "real compute (batch %d)" % o.batch
            elems = [p.numel() for p in first.parameters()]
        self.grad_bytes = sum(elems) * o.dtype_bytes
        self.buckets = plan.bucket_plan([n * o.dtype_bytes for n in reversed(elems)], o.bucket_cap_bytes)
        dev_ids = [self.device.index] if self.device.type == "cuda" else None
        solo = [self.dist.new_group([r]) for r in range(self.n)][self.world["rank"]]
        self.models = {"plain": make(self.world["rank"] + 1).to(self.device, dtype)}
        self.models["ddp1"] = DDP(make(self.world["rank"] + 1).to(self.device, dtype), device_ids=dev_ids,
                                  process_group=solo, bucket_cap_mb=o.bucket_cap_mb)
        if self.n > 1:
            self.models["ddpN"] = DDP(make(self.world["rank"] + 1).to(self.device, dtype), device_ids=dev_ids,
                                      bucket_cap_mb=o.bucket_cap_mb)
        self.out("# model: %s = %s of %s gradients (%d B); DDP buckets (planned): %s" %
                 (self.model_desc, O.format_bytes(self.grad_bytes), o.grad_dtype, self.grad_bytes,
                  "+".join(O.format_bytes(b) for b in self.buckets)))

    @staticmethod
    def _copy(model):
        import copy
        return copy.deepcopy(model)

    # ---- all-reduce sweep

    def allreduce_sweep(self):
        o = self.o
        from . import emulate as E
        dtype = E.DTYPES[o.grad_dtype]
        sizes = sorted(set((o.ar_sizes or O.DEFAULT_AR_SIZES) +
                           ([] if o.ar_sizes else self.buckets)))
        sizes = [max(o.dtype_bytes, s - s % o.dtype_bytes) for s in sizes]
        sizes = sorted(set(sizes))
        self.out("#\n# all-reduce through torch.distributed (%s, in place, %s, %g s per size):" %
                 (self.backend, CSV_DTYPE[o.grad_dtype], o.ar_time))
        self.out("# %12s %6s %12s %12s %10s %10s %8s" % ("size(B)", "iters", "median_us", "mean_us",
                                                          "algbw_GB/s", "busbw_GB/s", "#wrong"))
        for i, nbytes in enumerate(sizes):
            t0 = time.monotonic()
            guess = plan.ar_time(self.curve, nbytes) or 0.0
            if not self.fits(o.ar_time + 5 * guess):
                self.capped = True
                row = R.make_row(self.ctx, benchmark="allreduce", transport=self.backend, memory=self.memory,
                                 dtype=CSV_DTYPE[o.grad_dtype], op="sum", placement="in-place", bytes=nbytes,
                                 status="skipped", note="skipped: total time budget (--total-time) reached")
                self.write(row)
                self.out("  %12d  (skipped: --total-time reached)" % nbytes)
                continue
            self.wd.arm(plan.watchdog_s(o.timeout, o.ar_time + 5 * (guess or 1.0)),
                        "the %s all-reduce" % O.format_bytes(nbytes))
            times, wrong = self.sess.allreduce(nbytes, dtype, o.dtype_bytes, o.ar_time)
            self.wd.disarm()
            st = plan.stats(times)
            algbw = nbytes / st["mean"] / 1e9
            busbw = algbw * 2 * (self.n - 1) / self.n
            status = "failed" if wrong else "ok"
            if wrong:
                self.failures += 1
            row = R.make_row(self.ctx, benchmark="allreduce", transport=self.backend, memory=self.memory,
                             dtype=CSV_DTYPE[o.grad_dtype], op="sum", placement="in-place", bytes=nbytes,
                             algbw_gbps=algbw, busbw_gbps=busbw, wrong_elements=wrong, status=status,
                             note="measured by cb-ddp-torch: torch.distributed.all_reduce (%s)" % self.backend)
            row["iters"], row["warmup_iters"] = str(st["n"]), "2"
            R.set_stats(row, st)
            self.write(row)
            self.out("  %12d %6d %12.1f %12.1f %10.3f %10.3f %8d" %
                     (nbytes, st["n"], st["median"] * 1e6, st["mean"] * 1e6, algbw, busbw, wrong))
            self.progress("all-reduce [%d/%d] %s: %d iters, median %.1f us, %.1f s" %
                          (i + 1, len(sizes), O.format_bytes(nbytes), st["n"], st["median"] * 1e6,
                           time.monotonic() - t0))
            if not wrong:
                self.curve.append((nbytes, st["median"]))

    # ---- one T1

    def note(self, t1_ms, extra=None):
        o = self.o
        parts = ["step_ms=%g" % t1_ms, "bwd_frac=%.6g" % o.bwd_frac if o.emulate else "bwd_frac=",
                 "bucket_cap_mb=%g" % o.bucket_cap_mb, self.compute, self.model_desc]
        if self.n == 1:
            parts.append("1 rank: tn_ms is DDP on this rank alone")
        if extra:
            parts.append(extra)
        return "; ".join(parts)

    def measure_point(self, t1_ms, kinds, extra=None):
        """Measure one T1; returns the point (dict) or raises."""
        o, sess = self.o, self.sess
        if self.clock:
            self.clock.configure(t1_ms / 1e3, o.bwd_frac)
        comm = plan.comm_estimate(self.curve, self.buckets)
        expect = plan.forecast(t1_ms / 1e3, comm, o.warmup + o.iters, kinds)
        note = self.note(t1_ms, extra)
        self.arm(plan.watchdog_s(o.timeout, expect), "the DDP steps at T1 %g ms" % t1_ms, note)
        p = {"t1_ms": t1_ms, "note": note}
        for k in kinds:
            times, late = sess.steps(self.models[k], self.x, self.clock, o.warmup, o.iters)
            p[k] = plan.stats(times)
            p[k + "_overrun"] = plan.stats(late)["median"]
        self.disarm()
        # Data check, outside the timing: one more step of known gradients.
        fill = self.world["rank"] + 1
        expect_grad = {"plain": fill, "ddp1": fill, "ddpN": (self.n + 1) / 2}
        p["wrong"] = 0
        if self.clock:
            self.arm(plan.watchdog_s(o.timeout, expect / (o.warmup + o.iters)),
                     "the data check at T1 %g ms" % t1_ms, note)
            for k in kinds:
                p["wrong"] += sess.check_step(self.models[k], self.x, self.clock, fill, expect_grad[k])
            self.disarm()
        tn_kind = "ddpN" if self.n > 1 else "ddp1"
        if "plain" in p and tn_kind in p:
            p["t1"] = p["plain"]["median"]
            p["tn"] = p[tn_kind]["median"]
            p["speedup"] = self.n * p["t1"] / p["tn"]
            p["efficiency"] = p["t1"] / p["tn"]
        p["overrun"] = max(p[k + "_overrun"] for k in kinds)
        p["flagged"] = bool(self.clock) and plan.overrun_flagged(p["overrun"], t1_ms / 1e3)
        return p

    def write_point(self, p, kinds):
        if not self.rank0:
            return
        status, note = "ok", p["note"]
        if p["wrong"]:
            status = "failed"
            note += "; %d wrong gradient elements after the steps" % p["wrong"]
        elif p["flagged"]:
            status = "flagged"
            note += ("; FLAGGED: emulated compute ran up to %.1f ms late (more than 5%% of T1): not "
                     "used by the model" % (p["overrun"] * 1e3))
        names = {"plain": "t1_ms", "ddp1": "ddp1_ms", "ddpN": "tn_ms"}
        for k in kinds:
            self.write(self.point_row(names[k], p[k]["median"] * 1e3, "ms", note, status, p[k],
                                      wrong_elements=p["wrong"] if k != "plain" else None))
        if self.n == 1 and "ddp1" in kinds:
            self.write(self.point_row("tn_ms", p["ddp1"]["median"] * 1e3, "ms", note, status, p["ddp1"]))
        self.write(self.point_row("speedup", p["speedup"], "x", note, status))
        self.write(self.point_row("efficiency", p["efficiency"], "ratio", note, status))
        self.write(self.point_row("overrun_ms", p["overrun"] * 1e3, "ms", note, status))

    def print_point(self, p):
        d1 = p["ddp1"]["median"] * 1e3 if "ddp1" in p else float("nan")
        self.out("  %9s %4d %9g %10.3f %10.3f %10.3f %8.3f %9.1f%% %10.2f  %s" %
                 (O.format_bytes(self.grad_bytes), self.n, p["t1_ms"], p["t1"] * 1e3, d1, p["tn"] * 1e3,
                  p["speedup"], 100 * p["efficiency"], p["overrun"] * 1e3,
                  "FLAGGED" if p["flagged"] else ("WRONG" if p["wrong"] else "")))

    def table_header(self):
        self.out("# %9s %4s %9s %10s %10s %10s %8s %10s %10s" %
                 ("G", "N", "step_ms", "t1_ms", "ddp1_ms", "tn_ms", "speedup", "efficiency", "overrun_ms"))

    def fits(self, expect):
        ok = 1.0
        if self.o.total_time > 0:
            ok = float(time.monotonic() - self.t_start + expect <= self.o.total_time)
        return self.sess.min_over_ranks(ok) > 0

    def run_points(self):
        o = self.o
        kinds = ["plain", "ddp1"] + (["ddpN"] if self.n > 1 else [])
        self.out("#")
        self.table_header()
        values = o.step_ms if o.emulate else [None]
        for i, t1_ms in enumerate(values):
            comm = plan.comm_estimate(self.curve, self.buckets)
            if t1_ms is not None and not self.fits(plan.forecast(t1_ms / 1e3, comm, o.warmup + o.iters, kinds)):
                self.capped = True
                self.write(self.point_row("tn_ms", None, "ms", self.note(t1_ms, "skipped: total time "
                                          "budget (--total-time) reached"), "skipped"))
                self.out("  (T1 %g ms skipped: --total-time reached)" % t1_ms)
                continue
            t0 = time.monotonic()
            p = self.measure_point(t1_ms if t1_ms is not None else 0.0, kinds)
            if t1_ms is None:  # real compute: T1 is what the plain step measured
                p["t1_ms"] = p["t1"] * 1e3
                p["note"] = self.note(round(p["t1_ms"], 3))
            self.write_point(p, kinds)
            self.print_point(p)
            if p["wrong"]:
                self.failures += 1
            self.progress("[%d/%d] T1 %g ms: T_N %.3f ms, speedup %.3f%s, %.1f s" %
                          (i + 1, len(values), p["t1_ms"], p["tn"] * 1e3, p["speedup"],
                           " (flagged: compute ran %.1f ms late)" % (p["overrun"] * 1e3) if p["flagged"] else "",
                           time.monotonic() - t0))

    # ---- break-even sweep

    def run_sweep(self):
        o = self.o
        if self.n == 1:
            self.out("#\n# sweep: 1 rank: no communication, every T1 breaks even; nothing to search")
            return
        comm = plan.comm_estimate(self.curve, self.buckets)
        base = comm / (self.n - 1) * 1e3 if comm > 0 else 100.0  # no-overlap break-even, ms
        lo = o.sweep_lo_ms or base / 8
        hi = o.sweep_hi_ms or base * 2
        if not lo < hi:
            hi = lo * 16
        b = plan.Bisect(lo, hi, None, o.sweep_probes)
        self.out("#\n# sweep: measured break-even T1 (smallest T1 with speedup >= 1) by bisection in "
                 "%.3f..%.3f ms, at most %d probes" % (lo, hi, o.sweep_probes))
        self.table_header()
        kinds = ["plain", "ddpN"]
        flagged = cut = 0
        end_flagged = {"lo": False, "hi": False}  # the bracket's ends from flagged probes
        while not b.done():
            t_ms = b.next()
            if not self.fits(plan.forecast(t_ms / 1e3, comm, o.warmup + o.iters, kinds)):
                cut = 1
                self.capped = True
                self.progress("--total-time %g s reached: sweep stops after %d probes" % (o.total_time, b.probes))
                break
            extra = "sweep probe %d/%d" % (b.probes + 1, o.sweep_probes)
            p = self.measure_point(t_ms, kinds, extra)
            be = p["speedup"] >= 1
            flagged += p["flagged"]
            self.out("  probe %d: T1 %.3f ms -> %s" % (b.probes + 1, t_ms,
                                                      "breaks even" if be else "does not break even"))
            self.write_point(p, kinds)
            self.print_point(p)
            if p["wrong"]:
                self.failures += 1
            lo, hi = b.lo, b.hi
            b.result(t_ms, be)
            if b.lo != lo:
                end_flagged["lo"] = p["flagged"]
            if b.hi != hi:
                end_flagged["hi"] = p["flagged"]
        if b.probes == 0:
            self.write(self.point_row("breakeven_t1_ms", None, "ms", "step_ms=; sweep; skipped: total "
                                      "time budget (--total-time) reached before the first probe", "skipped"))
            self.out("# sweep: no probe fitted in --total-time: no measured break-even")
            return
        ans = b.answer()
        note = "sweep; %d probes; bracket %.3f..%.3f ms%s%s%s%s" % (
            b.probes, b.lo, b.hi, "" if b.lo_seen else "; lower end not measured (may lie below)",
            "" if b.hi_seen else "; upper end not measured (may lie above)",
            "; cut by --total-time" if cut else "",
            "; %d probe(s) flagged (compute ran late)%s" % (
                flagged, ", one of them an end of the bracket" if any(end_flagged.values()) else
                ", neither end of the bracket") if flagged else "")
        note = "step_ms=; bwd_frac=%.6g; bucket_cap_mb=%g; %s; %s; %s" % (
            o.bwd_frac, o.bucket_cap_mb, self.compute, self.model_desc, note)
        self.write(self.point_row("breakeven_t1_ms", ans, "ms", note,
                                  "flagged" if any(end_flagged.values()) else "ok"))
        self.out("# measured break-even T1 %.3f ms (bracket %.3f..%.3f ms%s%s)" %
                 (ans, b.lo, b.hi, "" if b.lo_seen else ", lower end not measured",
                  "" if b.hi_seen else ", upper end not measured"))


def main(argv, env=None):
    env = os.environ if env is None else env
    try:
        o = O.parse_args(argv)
        if o.help:
            sys.stdout.write(O.help_text())
            return 0
        if o.list_workloads:
            print(O.list_workloads())
            return 0
        world = O.resolve_world(env, o.world_size)
    except O.UsageError as e:
        if O.is_rank0(env):
            err("%s (try '%s --help')" % (e, PROG))
        return 2
    try:
        import torch
        import torch.distributed as dist
        if not dist.is_available():
            raise ImportError("torch.distributed is not available in this build of torch")
    except Exception as e:  # noqa: BLE001 - any failure to import is "no torch"
        return no_torch(o, world, "%s: %s" % (type(e).__name__, e))
    if o.check_torch:
        print("%s: torch %s (%s), distributed, CUDA %s" % (socket.gethostname(), torch.__version__,
                                                         sys.executable, torch.cuda.is_available()))
        return 0
    from . import measure
    run = Run(o, world, torch, dist)
    run.t_start = time.monotonic()
    wd = measure.Watchdog(lambda: "rank %d on %s" % (world["rank"], run.host))
    measure.start_signal_thread(wd)
    code = run.start(wd)
    if code:
        return code
    try:
        run.build()
        if run.n > 1 and not o.no_allreduce:
            run.allreduce_sweep()
        run.run_points()
        if o.sweep:
            run.run_sweep()
    except RuntimeError as e:  # a collective failed: a peer died, or a link
        what = (str(e).splitlines() or [type(e).__name__])[0][:200]
        note = run.inflight_note
        run.disarm()
        err("rank %d on %s: %s" % (world["rank"], run.host, what))
        if run.rank0 and run.writer:
            run.write(run.point_row("tn_ms", None, "ms", "%sfailed: %s" % (note + "; " if note else "", what),
                                    "failed"))
        run.failures += 1
        sys.stdout.flush()
        os._exit(3)  # the process group cannot be torn down with a dead peer
    if run.rank0:
        print("# wrote %s" % run.writer.path)
        print("# %s: %s in %.1f s%s" % (PROG, "FAILED" if run.failures else "done",
                                         time.monotonic() - run.t_start,
                                         " (some T1 skipped by --total-time, see above)" if run.capped else ""),
              flush=True)
        run.writer.close()
    # Tear down in order: the DDP wrappers hold their process groups, whose
    # C++ threads abort the process ("terminate called without an active
    # exception") when they are destroyed at interpreter exit instead.
    run.models = None
    import gc
    gc.collect()
    dist.destroy_process_group()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(3 if run.failures else 0)
