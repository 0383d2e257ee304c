"""Models cb-ddp-torch trains: the emulated one (layers whose forward and
backward sleep to fixed deadlines) and real ones (a torchvision definition
when importable, else a stack of Linear layers). Needs torch.

Emulated compute: every layer is one parameter tensor and one
autograd.Function. Its forward waits until the layer's forward deadline, its
backward until the layer's backward deadline (plan.deadlines()), then hands
autograd a gradient tensor it keeps no reference to, so autograd adopts it as
the parameter's .grad without a copy, as it adopts a freshly computed one
(recycle() takes last step's .grad back for that: no allocation, no
accumulation pass that real compute would not make on the CPU). fill()
sets every gradient to rank + 1 so DDP's average is checkable ((N + 1) / 2
on N ranks). Deadlines are absolute within the step, so the time
Python, autograd and DDP's reducer spend between layers is absorbed as real
compute would absorb it; when they take longer than the slot, the layer's
compute ends late. The Clock records by how much at the moments the model's
schedule depends on (common/cb_ddp.h): the end of forward and each layer
whose gradient closes a DDP bucket (the bucket is ready then; the last one
ends backward). The largest of those in a step is its overrun; lateness
inside a bucket that is caught up before the bucket closes is absorbed as
real compute would absorb it."""
import math
import time

import torch

from . import plan

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
TORCHVISION_NAMES = {"resnet50": "resnet50", "vit-b16": "vit_b_16"}


class Clock:
    """Deadlines of the emulated step and how late it ran."""

    def __init__(self, elems, watched):
        self.elems = elems
        self.fwd, self.bwd = [], []
        self.fwd_watch = [i == len(elems) - 1 for i in range(len(elems))]
        self.bwd_watch = [i in watched for i in range(len(elems))]
        self.t0 = 0.0
        self.late = 0.0

    def configure(self, t1, bwd_frac):
        self.fwd, self.bwd = plan.deadlines(self.elems, t1, bwd_frac)

    def start(self):
        self.late = 0.0
        self.t0 = time.perf_counter()

    def wait(self, deadline, watched):
        now = time.perf_counter() - self.t0
        if now >= deadline:
            if watched:
                self.late = max(self.late, now - deadline)
        else:
            time.sleep(deadline - now)


class _Layer(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, layer):
        layer.clock.wait(layer.clock.fwd[layer.index], layer.clock.fwd_watch[layer.index])
        ctx.layer = layer
        return x.clone()

    @staticmethod
    def backward(ctx, grad_out):
        layer = ctx.layer
        layer.clock.wait(layer.clock.bwd[layer.index], layer.clock.bwd_watch[layer.index])
        return grad_out, layer.take(), None


class _LayerInfo:
    __slots__ = ("clock", "index", "grad")

    def __init__(self, clock, index, grad):
        self.clock, self.index, self.grad = clock, index, grad

    def take(self):
        g, self.grad = self.grad, None
        return g


class EmulatedNet(torch.nn.Module):
    """One parameter per layer (elems[i] elements of dtype); forward takes a
    one-element tensor and returns it through every layer."""

    def __init__(self, elems, clock, dtype, fill, device):
        super().__init__()
        self.weights = torch.nn.ParameterList(
            [torch.nn.Parameter(torch.zeros(n, dtype=dtype, device=device)) for n in elems])
        self.layers = [_LayerInfo(clock, i, torch.full((n,), float(fill), dtype=dtype, device=device))
                       for i, n in enumerate(elems)]

    def forward(self, x):
        for w, info in zip(self.weights, self.layers):
            x = _Layer.apply(x, w, info)
        return x

    def recycle(self):
        """Before a step: each parameter's .grad becomes the gradient its
        layer hands out next (the first time, the tensor made at start)."""
        for w, info in zip(self.weights, self.layers):
            if w.grad is not None:
                info.grad, w.grad = w.grad, None

    def fill(self, value):
        self.recycle()
        for info in self.layers:
            info.grad.fill_(value)


def wrong_elements(net, expect):
    """Gradient elements that are not `expect` (checked after a step of
    gradients set by fill(), outside the timing)."""
    bad = 0
    for w in net.parameters():
        if w.grad is None:
            bad += w.numel()
        else:
            bad += int((w.grad.float() != expect).sum())
    return bad


def real_definition(preset_name):
    """torchvision's model for a preset, or None when it has none or
    torchvision does not import; with the reason."""
    attr = TORCHVISION_NAMES.get(preset_name)
    if attr is None:
        return None, "torchvision has no definition of %s" % preset_name
    try:
        import torchvision.models as tvm
    except ImportError as e:
        return None, "torchvision does not import (%s)" % e
    return getattr(tvm, attr)(), "torchvision.models.%s" % attr


def linear_stack(grad_bytes, dtype_bytes, layer_bytes):
    """Square bias-free Linear layers of about layer_bytes each holding
    grad_bytes in all (at least one layer)."""
    d = max(1, int(math.isqrt(max(1, layer_bytes // dtype_bytes))))
    n = max(1, -(-grad_bytes // (d * d * dtype_bytes)))
    return torch.nn.Sequential(*[torch.nn.Linear(d, d, bias=False) for _ in range(n)]), d


def synthetic_input(model_desc, batch, width, device, dtype):
    if model_desc.startswith("torchvision"):
        return torch.randn(batch, 3, 224, 224, device=device, dtype=dtype)
    return torch.randn(batch, width, device=device, dtype=dtype)
