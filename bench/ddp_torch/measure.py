"""What cb-ddp-torch measures, on every rank together: the all-reduce sweep
through torch.distributed (DDP's own backend), and steps of one kind (plain,
ddp1, ddpN). Also the watchdog and the signal thread that mark the row in
flight. Needs torch.

Timing: before every step a barrier over all ranks; the step is timed on
each rank from its start until backward (and, on CUDA, the device) is done;
a step's time is the slowest rank's. Before the barrier, outside the timed
region, gradients are reset: an emulated model recycles them (see emulate),
a real one drops them (zero_grad(set_to_none=True)), so autograd adopts the
new ones without an accumulation pass. Data checks run after the timed
steps."""
import os
import signal
import sys
import threading
import time

import torch
import torch.distributed as dist

from . import plan


class Watchdog:
    """A thread that ends the process (exit 3) when an armed measurement
    outlives its limit, after printing which and writing the row in flight
    (rank 0: bytes formatted beforehand, one write(2))."""

    def __init__(self, describe):
        self._describe = describe  # () -> "rank R on HOST"
        self._cv = threading.Condition()
        self._deadline = None
        self._what = ""
        self._limit = 0.0
        self.inflight = None       # (fd, bytes) or None
        threading.Thread(target=self._run, name="cb-watchdog", daemon=True).start()

    def arm(self, seconds, what):
        with self._cv:
            self._deadline = time.monotonic() + seconds
            self._what, self._limit = what, seconds
            self._cv.notify()

    def disarm(self):
        with self._cv:
            self._deadline = None
            self._cv.notify()

    def _run(self):
        with self._cv:
            while True:
                if self._deadline is None:
                    self._cv.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cv.wait(left)
                    continue
                sys.stderr.write("cb-ddp-torch: watchdog: %s: %s did not finish in %.0f s; a rank or link "
                                 "is dead or hung; aborting\n" % (self._describe(), self._what, self._limit))
                sys.stderr.flush()
                write_inflight(self.inflight, "timeout")
                os._exit(3)


def write_inflight(inflight, status):
    """Write the prepared row of the measurement in flight with this status
    (rows are prepared per status: {status: bytes})."""
    if not inflight:
        return
    fd, rows = inflight
    data = rows.get(status)
    if fd >= 0 and data:
        try:
            os.write(fd, data)
        except OSError:
            pass


def start_signal_thread(watchdog):
    """SIGTERM/SIGINT/SIGHUP (srun ending the step) are blocked in every
    thread (call this before torch starts its own threads) and taken here:
    the row in flight is marked 'failed', then exit 128 + signal."""
    sigs = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)

    def run():
        sig = signal.sigwait(sigs)
        sys.stderr.write("cb-ddp-torch: %s received; marking the measurement in flight failed\n" %
                         signal.Signals(sig).name)
        sys.stderr.flush()
        write_inflight(watchdog.inflight, "failed")
        os._exit(128 + int(sig))

    threading.Thread(target=run, name="cb-signals", daemon=True).start()


class Session:
    """The process group and what every measurement needs."""

    def __init__(self, world, device, backend):
        self.rank, self.world = world["rank"], world["world"]
        self.device, self.backend = device, backend
        self.cuda = device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def barrier(self):
        dist.barrier()

    def max_over_ranks(self, values):
        """Element-wise max over ranks of a list of floats (every rank gets it)."""
        t = torch.tensor(values, dtype=torch.float64)
        if self.backend == "nccl":
            t = t.to(self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return t.cpu().tolist()

    def min_over_ranks(self, value):
        return -self.max_over_ranks([-float(value)])[0]

    def sum_over_ranks(self, value):
        t = torch.tensor([float(value)], dtype=torch.float64)
        if self.backend == "nccl":
            t = t.to(self.device)
        dist.all_reduce(t)
        return t.item()

    # -------------------------------------------------------- all-reduce

    def allreduce(self, nbytes, dtype, elem_bytes, budget_s, min_iters=3, max_iters=100, warmup=2):
        """All-reduce (sum, in place) of nbytes; returns (per-iteration
        seconds, slowest rank each, timed iterations; wrong elements over all
        ranks, checked after the timed loop)."""
        count = max(1, nbytes // elem_bytes)
        buf = torch.ones(count, dtype=dtype, device=self.device)
        t_warm = 0.0
        for _ in range(warmup):
            self.barrier()
            t0 = time.perf_counter()
            dist.all_reduce(buf)
            self.sync()
            t_warm = max(t_warm, time.perf_counter() - t0)
        t_warm = self.max_over_ranks([t_warm])[0]
        iters = int(min(max_iters, max(min_iters, budget_s / max(t_warm, 1e-9))))
        times = []
        for _ in range(iters):
            self.barrier()
            t0 = time.perf_counter()
            dist.all_reduce(buf)
            self.sync()
            times.append(time.perf_counter() - t0)
        times = self.max_over_ranks(times)
        buf.fill_(self.rank + 1)
        dist.all_reduce(buf)
        expect = self.world * (self.world + 1) / 2
        wrong = int((buf.float() != expect).sum())
        return times, int(self.sum_over_ranks(wrong))

    # -------------------------------------------------------- steps

    def steps(self, model, x, clock, warmup, iters):
        """warmup + iters steps of this model on every rank; returns
        ([step seconds], [overrun seconds]) of the timed steps, each the
        slowest rank's."""
        t, late = [], []
        net = getattr(model, "module", model)
        for i in range(warmup + iters):
            if hasattr(net, "recycle"):
                net.recycle()
            else:
                model.zero_grad(set_to_none=True)
            self.barrier()
            if clock:
                clock.start()
                t0 = clock.t0
            else:
                t0 = time.perf_counter()
            out = model(x)
            out.float().sum().backward()
            self.sync()
            dt = time.perf_counter() - t0
            if i >= warmup:
                t.append(dt)
                late.append(clock.late if clock else 0.0)
        both = self.max_over_ranks(t + late)
        return both[:iters], both[iters:]

    def check_step(self, model, x, clock, fill, expect):
        """One untimed step with every gradient set to `fill` on this rank;
        the wrong gradient elements over all ranks (expect: DDP's average)."""
        from . import emulate
        net = getattr(model, "module", model)
        net.fill(fill)
        self.barrier()
        clock.start()
        model(x).float().sum().backward()
        return int(self.sum_over_ranks(emulate.wrong_elements(net, expect)))
