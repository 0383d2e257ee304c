"""test_ddp_torch_pure: the parts of cb-ddp-torch that need no torch (opts,
plan, results; bench/ddp_torch/), with /usr/bin/python3's unittest. The
package is read from $CB_BIN (the build's bin/, where schema.py is made)."""
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ.get("CB_BIN", "build/bin"))

from ddp_torch import opts as O  # noqa: E402
from ddp_torch import plan  # noqa: E402
from ddp_torch import results as R  # noqa: E402
from ddp_torch import schema  # noqa: E402

MiB = 1 << 20


class TestSizes(unittest.TestCase):
    def test_parse_size_like_c(self):
        # The cases of common/size.c's cb_size_parse.
        for text, want in (("0", 0), ("123", 123), ("123B", 123), ("4K", 4096), ("4KB", 4096),
                           ("4kb", 4096), ("100M", 100 * MiB), ("2G", 2 << 30), ("1T", 1 << 40)):
            self.assertEqual(O.parse_size(text), want, text)
        for bad in ("", "M", "1.5M", "-1", "12Q", "1MBB", "1BB", " 1", "1 "):
            with self.assertRaises(ValueError, msg=bad):
                O.parse_size(bad)
        with self.assertRaises(ValueError):
            O.parse_size("18446744073709551616")
        with self.assertRaises(ValueError):
            O.parse_size("17179869184G")

    def test_ms_and_size_lists(self):
        self.assertEqual(O.parse_ms_list("100, 400,1600,100", "--x"), [100.0, 400.0, 1600.0])
        for bad in ("0", "-1", "1,,2", "nan", "inf", "abc", "1e8"):
            with self.assertRaises(O.UsageError, msg=bad):
                O.parse_ms_list(bad, "--x")
        self.assertEqual(O.parse_size_list("4M,1M,4M", "--s"), [MiB, 4 * MiB])
        with self.assertRaises(O.UsageError):
            O.parse_size_list("1M,0", "--s")


class TestHostlist(unittest.TestCase):
    def test_expand(self):
        self.assertEqual(O.expand_hostlist("node[0-2]"), ["node0", "node1", "node2"])
        self.assertEqual(O.expand_hostlist("gpu[01-03,7],login"), ["gpu01", "gpu02", "gpu03", "gpu7", "login"])
        self.assertEqual(O.expand_hostlist("r[1-2]-n[1-2]"), ["r1-n1", "r1-n2", "r2-n1", "r2-n2"])
        self.assertEqual(O.expand_hostlist("a,b"), ["a", "b"])
        for bad in ("", "node[0-2", "node]0[", "node[3-1]", "node[a-b]"):
            with self.assertRaises(ValueError, msg=bad):
                O.expand_hostlist(bad)


class TestWorld(unittest.TestCase):
    slurm = {"SLURM_PROCID": "2", "SLURM_NTASKS": "3", "SLURM_LOCALID": "0",
             "SLURM_STEP_NODELIST": "node[0-2]", "SLURM_JOB_ID": "17", "SLURM_STEP_ID": "1"}

    def test_slurm(self):
        w = O.resolve_world(dict(self.slurm))
        self.assertEqual((w["rank"], w["world"], w["local_rank"], w["master_addr"], w["source"]),
                         (2, 3, 0, "node0", "slurm"))
        self.assertEqual(w["master_port"], 20000 + (17 * 16 + 1) % 40000)
        env = dict(self.slurm, MASTER_PORT="29999", MASTER_ADDR="head")
        w = O.resolve_world(env)
        self.assertEqual((w["master_addr"], w["master_port"]), ("head", 29999))
        # RANK/WORLD_SIZE/LOCAL_RANK that agree are fine.
        O.resolve_world(dict(self.slurm, RANK="2", WORLD_SIZE="3", LOCAL_RANK="0"))

    def test_slurm_disagreements(self):
        for extra in ({"RANK": "1"}, {"WORLD_SIZE": "4"}, {"LOCAL_RANK": "1"}):
            with self.assertRaises(O.UsageError, msg=str(extra)):
                O.resolve_world(dict(self.slurm, **extra))
        with self.assertRaisesRegex(O.UsageError, "--world-size 2 disagrees"):
            O.resolve_world(dict(self.slurm), world_size=2)
        with self.assertRaises(O.UsageError):
            O.resolve_world(dict(self.slurm, SLURM_PROCID="3"))
        with self.assertRaises(O.UsageError):
            O.resolve_world({"SLURM_PROCID": "0", "SLURM_NTASKS": "2"})  # no node list
        with self.assertRaises(O.UsageError):
            O.resolve_world(dict(self.slurm, SLURM_STEP_NODELIST="node[0-"))

    def test_env_and_single(self):
        w = O.resolve_world({"RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                             "MASTER_PORT": "29501"})
        self.assertEqual((w["rank"], w["world"], w["master_port"], w["source"]), (1, 2, 29501, "environment"))
        for env in ({"RANK": "0"}, {"RANK": "0", "WORLD_SIZE": "2"}, {"RANK": "2", "WORLD_SIZE": "2",
                                                                      "MASTER_ADDR": "x"}):
            with self.assertRaises(O.UsageError, msg=str(env)):
                O.resolve_world(env)
        w = O.resolve_world({})
        self.assertEqual((w["rank"], w["world"], w["source"]), (0, 1, "single process"))
        self.assertTrue(O.is_rank0({}))
        self.assertFalse(O.is_rank0({"SLURM_PROCID": "1"}))
        self.assertTrue(O.is_rank0({"RANK": "0"}))


class TestOptions(unittest.TestCase):
    def test_defaults(self):
        o = O.parse_args(["-g", "25M", "--emulate-step-ms", "100,400"])
        self.assertEqual((o.grad_bytes, o.step_ms, o.emulate, o.iters, o.warmup), (25 * MiB, [100.0, 400.0], True, 5, 3))
        self.assertAlmostEqual(o.bwd_frac, 2 / 3)
        self.assertEqual((o.bucket_cap_bytes, o.layer_bytes, o.backend), (25 * MiB, MiB, "auto"))
        o = O.parse_args(["-w", "ResNet-50", "--grad-dtype", "bf16"])
        self.assertEqual(o.preset[0], "resnet50")
        self.assertEqual(o.grad_bytes, o.preset[2] * 2)
        self.assertFalse(o.emulate)

    def test_bad_input(self):
        bad = [[], ["-g", "1M", "-w", "resnet50"], ["-w", "nope"], ["-g", "0"], ["-g", "1.5M"],
               ["-g", "1M", "--emulate-step-ms", "0"], ["-g", "1M", "--emulate-step-ms", "-5"],
               ["-g", "1M", "--emulate-step-ms", "10", "--bwd-frac", "0"],
               ["-g", "1M", "--emulate-step-ms", "10", "--bwd-frac", "1"],
               ["-g", "1M", "--emulate-step-ms", "10", "--bwd-frac", "x"],
               ["-g", "1M", "--bwd-frac", "0.5"], ["-g", "1M", "--sweep"],
               ["-g", "1M", "--warmup", "1"], ["-g", "1M", "--iters", "0"], ["-g", "1M", "--grad-dtype", "fp8"],
               ["-g", "1M", "--backend", "mpi"], ["-g", "1M", "--no-such-option"], ["-g", "65G"],
               ["-g", "1M", "--allreduce-sizes", "1M", "--no-allreduce"], ["-g", "1M", "--ar-time", "0"],
               ["-g", "1M", "--emulate-step-ms", "10", "--sweep", "--sweep-lo-ms", "9", "--sweep-hi-ms", "3"],
               ["-g", "1", "--grad-dtype", "fp32"]]
        for argv in bad:
            with self.assertRaises(O.UsageError, msg=" ".join(argv)):
                O.parse_args(argv)

    def test_workloads_from_the_c_table(self):
        names = [w[0] for w in schema.WORKLOADS]
        self.assertIn("resnet50", names)
        self.assertEqual(O.find_workload("vit_b_16")[0], "vit-b16")
        self.assertIsNone(O.find_workload("nope"))
        self.assertEqual(schema.GRAD_DTYPE_BYTES, {"fp32": 4, "bf16": 2, "fp16": 2})
        self.assertIn("resnet50", O.list_workloads())


class TestPlan(unittest.TestCase):
    def test_layers(self):
        self.assertEqual(plan.layer_elems(25 * MiB, 4, MiB), [MiB // 4] * 25)
        self.assertEqual(plan.layer_elems(MiB + 8, 4, MiB), [MiB // 4, 2])
        self.assertEqual(plan.layer_elems(6, 4, MiB), [2])  # rounded up to whole elements

    def test_deadlines(self):
        f, b = plan.deadlines([1, 1, 2], 1.0, 0.75)
        # forward 0.25 s in proportion to elements: 1/4, 2/4, 4/4 of it
        self.assertEqual([round(x, 12) for x in f], [0.0625, 0.125, 0.25])
        # backward from the last layer: ready at 0.25 + 0.75 * (elements of i..n-1) / 4
        self.assertEqual([round(x, 12) for x in b], [1.0, 0.8125, 0.625])

    def test_bucket_plan_as_ddp_logs_it(self):
        # DDP 1.13 logged rebuilt_bucket_sizes '1048576, 26214400, 4194304' for
        # 30 layers of 1 MiB (measured: bench note in the commit).
        self.assertEqual(plan.bucket_plan([MiB] * 30, 25 * MiB), [MiB, 25 * MiB, 4 * MiB])
        self.assertEqual(plan.bucket_plan([MiB] * 25, 25 * MiB), [MiB, 24 * MiB])
        # a bucket closes once it holds at least its cap
        self.assertEqual(plan.bucket_plan([3 * MiB, 30 * MiB, MiB], 25 * MiB), [3 * MiB, 30 * MiB, MiB])

    def test_bucket_end_layers(self):
        # 30 layers of 1 MiB (forward order 0..29, ready 29..0): buckets close
        # at layer 29 (1 MiB), 4 (25 MiB more), and 0 ends the last one.
        self.assertEqual(plan.bucket_end_layers([MiB // 4] * 30, 4, 25 * MiB), {29, 4, 0})
        self.assertEqual(plan.bucket_end_layers([1], 4, 25 * MiB), {0})

    def test_stats_like_c(self):
        st = plan.stats([4.0, 1.0, 3.0, 2.0])
        self.assertEqual((st["min"], st["median"], st["mean"], st["max"]), (1.0, 2.5, 2.5, 4.0))
        self.assertAlmostEqual(st["p95"], 3.85)
        self.assertAlmostEqual(st["stddev"], math.sqrt(5 / 3))
        self.assertAlmostEqual(st["ci95"], 3.182 * math.sqrt(5 / 3) / 2)
        one = plan.stats([7.0])
        self.assertEqual((one["median"], one["stddev"], one["ci95"]), (7.0, 0.0, 0.0))
        self.assertTrue(math.isnan(plan.stats([])["median"]))

    def test_ar_time(self):
        curve = [(MiB, 0.01), (4 * MiB, 0.04)]
        self.assertAlmostEqual(plan.ar_time(curve, 2 * MiB), 0.02)
        self.assertAlmostEqual(plan.ar_time(curve, 8 * MiB), 0.08)  # the end segment's slope
        self.assertIsNone(plan.ar_time(curve[:1], MiB))
        self.assertAlmostEqual(plan.comm_estimate(curve, [MiB, 4 * MiB]), 0.05)
        self.assertEqual(plan.comm_estimate([], [MiB]), 0.0)

    def test_bisect(self):
        b = plan.Bisect(10.0, 1000.0, None, 20, 0.01)
        truth = 123.0
        while not b.done():
            t = b.next()
            b.result(t, t >= truth)
        self.assertTrue(b.lo_seen and b.hi_seen)
        self.assertLessEqual(b.lo, truth)
        self.assertGreaterEqual(b.hi, truth)
        self.assertLess(abs(b.answer() - truth) / truth, 0.01)
        b = plan.Bisect(10.0, 1000.0, 50.0, 3)
        self.assertEqual(b.next(), 50.0)  # the guess first
        with self.assertRaises(ValueError):
            plan.Bisect(5.0, 5.0)

    def test_flags_and_budget(self):
        self.assertTrue(plan.overrun_flagged(0.0051, 0.1))
        self.assertFalse(plan.overrun_flagged(0.005, 0.1))
        self.assertEqual(plan.forecast(0.1, 0.2, 8, ["plain", "ddp1", "ddpN"]), 8 * 0.5)
        self.assertEqual(plan.watchdog_s(0, 2.0), 100.0)
        self.assertEqual(plan.watchdog_s(7, 2.0), 7)


class TestResults(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "sub", "r.csv")
        self.ctx = R.Context("vc", env={"SLURM_JOB_ID": "5"}, run_id="run-1")

    def test_header_rows_and_append(self):
        w = R.Writer(self.path)
        row = R.make_row(self.ctx, benchmark="ddp-torch", bytes=26214400, value=0.1234567891,
                         note='a, "quoted" note', status="ok")
        R.set_stats(row, plan.stats([0.5, 0.25]))
        w.write(row)
        w.close()
        w = R.Writer(self.path)  # appends to a file of ours
        w.write(R.make_row(self.ctx, benchmark="ddp-torch", status="skipped"))
        w.close()
        with open(self.path) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], ",".join(schema.COLUMNS))
        self.assertEqual(len(lines), 3)
        import csv
        with open(self.path) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(rows[0]["value"], "0.123457")  # %.6g as cb_row_set_num
        self.assertEqual(rows[0]["bytes"], "26214400")
        self.assertEqual(rows[0]["note"], 'a, "quoted" note')
        self.assertEqual(rows[0]["time_us_median"], "375000")
        self.assertEqual((rows[0]["cluster"], rows[0]["slurm_job_id"], rows[0]["schema_version"]),
                         ("vc", "5", str(schema.SCHEMA_VERSION)))
        self.assertEqual(rows[1]["status"], "skipped")

    def test_refuses_foreign_and_torn_files(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w") as f:
            f.write("a,b\n1,2\n")
        with self.assertRaises(R.ResultsError) as e:
            R.Writer(self.path)
        self.assertTrue(e.exception.usage)
        self.assertIn(":1: not a clusterbench results file", str(e.exception))
        with open(self.path, "w") as f:
            f.write(R.HEADER + "1,partial")
        with self.assertRaisesRegex(R.ResultsError, "partial row"):
            R.Writer(self.path)

    def test_unknown_column(self):
        with self.assertRaises(KeyError):
            R.make_row(self.ctx, no_such_column=1)

    def test_numbers(self):
        self.assertEqual(R.fmt_num(float("nan")), "")
        self.assertEqual(R.fmt_num(float("inf")), "")
        self.assertEqual(R.fmt_num(None), "")
        self.assertEqual(R.fmt_num(1e-7), "1e-07")
        self.assertEqual(R.fmt_num(12), "12")


if __name__ == "__main__":
    unittest.main(verbosity=1)
