"""cb-ddp-torch: real PyTorch DistributedDataParallel measured on this cluster,
the ground truth for clusterbench's DDP break-even model (common/cb_ddp.h).

Modules:
  opts     options, sizes, Slurm host lists, where this rank comes from (pure)
  plan     layer sizes, emulated-compute deadlines, bucket plan, statistics,
           bisection, forecasts (pure)
  results  the one results CSV schema (schema.py, generated from the C
           library at build time) and its crash-safe writer (pure)
  emulate  the emulated model: layers whose forward/backward sleep to fixed
           deadlines (needs torch)
  measure  the measurements: all-reduce sweep, plain / one-node DDP / N-node
           DDP steps, watchdog (needs torch)
  main     the program

Only opts, plan and results are imported before torch is known to import, so
bad input and a missing torch are reported without it.
"""
