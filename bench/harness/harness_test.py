"""Unit tests of the benchmark's statistics, its reading of launch's timing line and its report.
No root needed: `python3 -m unittest bench/harness/harness_test.py` (meson: suite unit)."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import report, spawn, stats, timing  # noqa: E402


class StatsTest(unittest.TestCase):
    def test_quantiles_interpolate_and_skip_missing_samples(self):
        self.assertEqual(stats.median([3, None, 1, 2]), 2)
        self.assertEqual(stats.median([1, 2, 3, 4]), 2.5)
        self.assertAlmostEqual(stats.quantile(list(range(11)), 0.1), 1.0)
        self.assertIsNone(stats.median([None]))
        self.assertEqual(stats.summary([1, 2, None, 3])["n"], 3)

    def test_ratio_pairs_samples_of_the_same_round(self):
        a = [2, 4, None, 8, 10]
        b = [4, 8, 5, 16, None]
        r = stats.ratio(a, b)
        self.assertEqual(r["n"], 3)  # rounds 0, 1, 3
        self.assertEqual(r["median_ratio"], 0.5)
        self.assertEqual(r["ratio_of_medians"], 0.5)
        self.assertEqual((r["low"], r["high"]), (0.5, 0.5))

    def test_ratio_interval_holds_the_estimate(self):
        a = [1.0 + 0.1 * (i % 7) for i in range(60)]
        b = [2.0 + 0.3 * (i % 5) for i in range(60)]
        r = stats.ratio(a, b)
        self.assertLessEqual(r["low"], r["ratio_of_medians"])
        self.assertGreaterEqual(r["high"], r["ratio_of_medians"])
        self.assertIsNone(stats.ratio([1, 2], [None, None]))

    def test_ratio_to_best_takes_the_lowest_median(self):
        r = stats.ratio_to_best([10, 10, 10], {"x": [20, 20, 20], "y": [5, 5, 5]})
        self.assertEqual(r["best"], "y")
        self.assertEqual(r["ratio_of_medians"], 2.0)

    def test_drift_compares_the_last_tenth_with_the_first(self):
        d = stats.drift([1.0] * 10 + [1.5] * 80 + [2.0] * 10)
        self.assertEqual((d["first"], d["last"], d["ratio"]), (1.0, 2.0, 2.0))
        self.assertIsNone(stats.drift([1, 2, 3]))

    def test_drift_ratio_sets_one_drift_against_the_other_of_the_same_rounds(self):
        launch = [1.0] * 10 + [1.5] * 80 + [2.0] * 10
        crun = [2.0] * 10 + [3.0] * 80 + [3.0] * 10
        r = stats.drift_ratio(launch, crun)
        self.assertAlmostEqual(r["ratio"], 2.0 / 1.5)
        self.assertEqual((r["low"], r["high"]), (r["ratio"], r["ratio"]))
        self.assertAlmostEqual(stats.drift_ratio(crun, crun)["ratio"], 1.0)
        self.assertIsNone(stats.drift_ratio([1] * 20, [None] * 20))

    def test_verdict_says_by_how_much_a_goal_is_missed(self):
        self.assertEqual(stats.verdict(0.4, 0.5), "met")
        self.assertEqual(stats.verdict(0.62, 0.5), "not met by 24%")
        self.assertEqual(stats.verdict(0.55, 0.5, 0.45, 0.6),
                         "not met by 10% (CI from 0.45 spans 0.5)")
        self.assertEqual(stats.verdict(None, 1), "not measured")


class TimingTest(unittest.TestCase):
    LINE = ("[2026-12-01 13:00:00.000] [debug] timing: parse=158us prepare=138us cgroup=522us "
            "clone=609us mounts+pivot=893us run=705us total=5570us")

    def test_reads_the_text_line_in_order(self):
        phases = timing.parse_line(self.LINE)
        self.assertEqual(list(phases)[:3], ["parse", "prepare", "cgroup"])
        self.assertEqual(phases["mounts+pivot"], 893)
        self.assertEqual(phases["total"], 5570)

    def test_takes_units_and_skips_words_of_another_shape(self):
        phases = timing.parse_line("timing: a=1.5ms b=200 c=3000ns (note) d=x e=2us,")
        self.assertEqual(phases, {"a": 1500.0, "b": 200.0, "c": 3.0, "e": 2.0})

    def test_reads_json_log_records_and_json_timings(self):
        line = '{"level":"debug","msg":"timing: parse=10us clone=20us"}'
        self.assertEqual(timing.parse_line(line), {"parse": 10.0, "clone": 20.0})
        self.assertEqual(timing.parse_line('timing: {"parse_us": 10, "clone_ms": 0.5}'),
                         {"parse": 10.0, "clone": 500.0})

    def test_reads_launchs_own_line_skipping_its_notes(self):
        line = ('launch: debug: timing: {"verb":"run","seccomp":"cached","parse_us":180,'
                '"mounts_us":1400,"pivot_root_us":1900,"total_us":33024}')
        phases = timing.parse_line(line)
        self.assertEqual(list(phases), ["parse", "mounts", "pivot_root", "total"])
        self.assertEqual(phases["pivot_root"], 1900.0)

    def test_lines_without_timing_are_ignored(self):
        self.assertIsNone(timing.parse_line("peak rss: launch=1400KiB"))
        self.assertIsNone(timing.parse_line("timing: nothing here"))
        self.assertEqual(len(timing.parse_log("x\n" + self.LINE + "\ny\n" + self.LINE)), 2)


def fake_results():
    wall = {"launch": [5000, 5200, 5100, 4900], "crun": [9000, 9400, 9100, 8800],
            "unshare+chroot (kernel floor)": [3500, 3600, 3400, 3500]}
    tools_data = {k: {"wall_us": v, "cpu_us": [1000] * 4, "errors": []} for k, v in wall.items()}
    return {
        "meta": {"date": "d", "command": "scripts/bench --quick", "quick": True, "runs": 4,
                 "warmup": 1, "kernel": "6.18", "cpu": "cpu", "cpus": 2, "load_start": "1 2 3",
                 "load_end": "1 2 3", "host_cgroups": "hybrid", "bench_cgroups": "v1 only",
                 "layout_note": "note", "commit": "abc", "baseline": "crun",
                 "versions": {"crun": "crun 1.8"}, "skipped": ["youki: not installed"]},
        "startup": {"runc-spec": {
            "about": "runc spec", "baseline": "crun", "tools": tools_data, "leaks": {},
            "summary": {k: stats.summary(v) for k, v in wall.items()},
            "rss": {k: 1000 for k in wall},
            "ratios": {k: stats.ratio(v, wall["crun"]) for k, v in wall.items()},
            "launch_to_floor": stats.ratio(wall["launch"],
                                           wall["unshare+chroot (kernel floor)"])}},
        "phases": {"errors": [], "leaks": {}, "workloads": {"runc-spec": {
            "runs": [{"parse": 100.0, "cgroup": 500.0, "total": 600.0}],
            "median": {"parse": 100.0, "cgroup": 500.0, "total": 600.0}}},
            "verbs": {"create": {"runs": [{"parse": 90.0, "total": 700.0}],
                                 "median": {"parse": 90.0, "total": 700.0,
                                            "(wall, measured outside)": 900.0}},
                      "start": {"runs": [], "median": {}}}},
        "husk": {"size_kib": {"husk": 37.1, "tini": 27.1}, "leaks": {}, "metrics": {
            "reap1000": {"about": "reap 1,000 orphans", "unit": "ms", "errors": [],
                         "samples": {"husk": [4.0, 4.2], "tini": [5.0, 5.2]},
                         "cpu_ms": {"husk": [3.0, 3.1], "tini": [3.0, 3.0]}}}},
    }


class ReportTest(unittest.TestCase):
    def test_launch_beside_the_isolation_floor_step_by_step(self):
        spec = {"median": {"parse": 100.0, "prepare": 50.0, "cgroup": 500.0, "spawn": 10.0,
                           "clone": 700.0, "run": 900.0, "total": 3000.0}}
        floor = {"runs": [{}] * 3, "median": {"cgroup": 400.0, "clone": 650.0, "run": 700.0,
                                              "total": 2000.0}}
        rows = report.floor_steps_table(spec, floor)
        self.assertIn("(3 runs; µs, medians)", rows[2])
        self.assertIn("| before the clone (launch: config, plans, husk's memfd; both: the "
                      "cgroup) | 660 | 400 | +260 |", rows)
        self.assertIn("| hand-overs, the state record, capabilities and the exec (launch) | 0 | 0 "
                      "| +0 |", rows)
        self.assertIn("| total | 3000 | 2000 | +1000 |", rows)
        self.assertEqual(report.floor_steps_table(spec, None), [])

    def test_the_floor_goal_names_the_isolation_floor(self):
        results = fake_results()
        spec = results["startup"]["runc-spec"]
        floor = spec["tools"]["unshare+chroot (kernel floor)"]["wall_us"]
        launch = spec["tools"]["launch"]["wall_us"]
        for isolation, with_husk, reach in (
                ([4700, 4800, 4600, 4700], None, "the kernel's part alone is 1.34 × the floor"),
                ([3900, 4000, 3950, 3950], None, None),
                ([3900, 4000, 3950, 3950], [4700, 4800, 4600, 4700],
                 "out of reach without dropping isolation or husk as PID 1: the isolation floor "
                 "with husk alone is 1.34 × the floor"),
                ([3900, 4000, 3950, 3950], [4300, 4400, 4250, 4300],
                 "the isolation floor with husk as PID 1 (1.23 × the floor) leaves launch 7% of "
                 "the floor for its own work")):
            spec["to_isolation_floor"] = {"launch": stats.ratio(launch, isolation),
                                          "unshare+chroot (kernel floor)": stats.ratio(floor,
                                                                                       isolation)}
            spec.pop("to_isolation_husk", None)
            if with_husk:
                spec["to_isolation_husk"] = {"launch": stats.ratio(launch, with_husk),
                                             "unshare+chroot (kernel floor)": stats.ratio(
                                                 floor, with_husk)}
            rows = {g: (f, v) for g, f, v in report.goals(results)}
            figure, verdict = rows["launch start-up ≤ 1.3 × `unshare ... chroot` floor"]
            kernel = f"{1 / stats.ratio(floor, isolation)['ratio_of_medians']:.2f}"
            self.assertIn(f"(isolation floor) is {kernel} × the floor, and launch", figure)
            self.assertTrue(verdict.startswith("not met by 11%"), verdict)
            if with_husk:
                self.assertIn(f"; with husk as PID 1 it is "
                              f"{1 / stats.ratio(floor, with_husk)['ratio_of_medians']:.2f} × the "
                              f"floor, and launch 1.", figure)
            if reach:
                self.assertIn(reach, verdict)
            else:
                self.assertNotIn("out of reach", verdict)
                self.assertNotIn("husk", figure + verdict)

    def test_goals_carry_the_same_run_ratios(self):
        rows = {g: (f, v) for g, f, v in report.goals(fake_results())}
        figure, verdict = rows["launch start-up (runc spec config) ≤ 0.5 × crun"]
        self.assertTrue(figure.startswith("0.56 ["), figure)
        self.assertEqual(verdict.split(" (")[0], "not met by 12%")
        self.assertEqual(rows["husk binary ≤ 64 KiB"], ("37.1 KiB", "met"))
        self.assertEqual(rows["husk reap 1,000 orphans: no worse than the best"][1], "met")
        cpu = rows["husk reap 1,000 orphans, init CPU: no worse than the best"]
        self.assertIn("tini", cpu[0])

    def test_the_seccomp_goal_shows_the_cached_and_the_compiling_start(self):
        results = fake_results()
        wall = {"launch": [5000, 5200, 5100, 4900], "crun": [9000, 9400, 9100, 8800],
                report.COMPILING: [8000, 8200, 8100, 7900]}
        results["startup"]["seccomp"] = {
            "ratios": {k: stats.ratio(v, wall["crun"]) for k, v in wall.items()}}
        rows = {g: (f, v) for g, f, v in report.goals(results)}
        figure, verdict = rows["launch with a Docker-like seccomp profile, cached start ≤ 0.5 × "
                               "crun"]
        self.assertTrue(figure.startswith("0.56 ["), figure)
        self.assertIn("; every start compiling (no cache): 0.89 [", figure)
        self.assertEqual(verdict.split(" (")[0], "not met by 12%")

    def test_lifecycle_goals_wait_for_launch_and_compare_memory(self):
        results = fake_results()
        results["lifecycle"] = {"launch_missing": "launch not measured: no create verb",
                                "memory": {"crun": {"pss_kib": 489.0}}, "ratios": {}}
        rows = {g: (f, v) for g, f, v in report.goals(results)}
        self.assertEqual(rows["memory per created container ≤ crun"],
                         ("launch not measured: no create verb", "not measured"))
        results["lifecycle"]["memory"]["launch"] = {"pss_kib": 600.0}
        rows = {g: (f, v) for g, f, v in report.goals(results)}
        self.assertEqual(rows["memory per created container ≤ crun"],
                         ("PSS 600 KiB against 489 KiB", "not met by 23%"))

    def test_the_drift_goal_is_judged_against_the_baselines_drift(self):
        results = fake_results()
        launch = [1000] * 10 + [1100] * 80 + [1200] * 10
        crun = [2000] * 10 + [2200] * 80 + [2400] * 10
        results["scale"] = {"tools": ["launch", "crun"], "baseline": "crun", "concurrent": {},
                            "sequential": {1000: {
                                "launch": {"drift": stats.drift(launch)},
                                "crun": {"drift": stats.drift(crun)},
                                "drift_to_baseline": stats.drift_ratio(launch, crun)}}}
        rows = {g: (f, v) for g, f, v in report.goals(results)}
        figure, verdict = rows["1,000 sequential launch containers: no drift beyond noise nor "
                               "beyond crun's in the same sequence"]
        self.assertEqual(figure, "launch last 10% / first 10% = 1.20 [1.20, 1.20] (1.00 → 1.20 "
                         "ms); crun last 10% / first 10% = 1.20 [1.20, 1.20] (2.00 → 2.40 ms); "
                         "launch's drift / crun's = 1.00 [1.00, 1.00]")
        self.assertEqual(verdict, "met: 20% slower at the end, not significantly more than crun "
                         "(CI reaches 1)")
        worse = stats.drift_ratio(launch, [2000] * 100)
        self.assertEqual(report.drift_verdict(stats.drift(launch), worse, "crun"),
                         "not met: 20% slower at the end, 20% more drift than crun")

    def test_orphans_in_waves_get_their_rows_and_a_word_on_what_they_time(self):
        results = fake_results()
        results["husk"]["metrics"]["waves100000"] = {
            "about": "reap 100,000 orphans in 20 waves of 5,000", "unit": "ms", "errors": [],
            "samples": {"husk": [9000.0, 9100.0], "tini": [9500.0, 9400.0]},
            "cpu_ms": {"husk": [250.0, 260.0], "tini": [320.0, 330.0]}}
        text = report.render(results)
        self.assertIn("| init CPU, reap 100,000 orphans in 20 waves of 5,000 (ms) |", text)
        self.assertIn("husk reap 100,000 orphans in 20 waves of 5,000, init CPU: no worse than "
                      "the best", text)
        self.assertIn("the wall time is mostly the probe's forks", text)
        self.assertNotIn("the wall time is mostly the probe's forks",
                         report.render(fake_results()))

    def test_report_has_its_header_sections_and_what_did_not_run(self):
        text = report.render(fake_results())
        for needle in ("# husk benchmark report", "load average (1, 5, 15 min) | at the start "
                       "1 2 3", "**--quick**", "## Goals", "### runc-spec", "## Where launch's "
                       "time goes", "**cgroup** 500 µs", "| create | parse 90 | 700 | 900 |",
                       "## husk against the other inits",
                       "- youki: not installed"):
            self.assertIn(needle, text)


class StrayTest(unittest.TestCase):
    """Directories a runtime made below an unmounted cgroup mount point: found by the bench's
    prefix, told from cgroups by the mount table, removed with only the files the runtime
    writes."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="harness-test-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.mountinfo = os.path.join(self.root, "mountinfo")
        cgroups = os.path.join(self.root, "cg")
        with open(self.mountinfo, "w") as f:
            f.write(f"30 25 0:26 / {cgroups}/memory rw - cgroup cgroup rw,memory\n")
        for d in ("memory/hb1-seq-launch", "unified/hb1-seq-crun/sub", "unified/hb1-x-crun",
                  "unified/other-crun"):
            os.makedirs(os.path.join(cgroups, d))
        for f in ("unified/hb1-seq-crun/cgroup.procs", "unified/hb1-seq-crun/sub/cgroup.procs",
                  "unified/hb1-x-crun/notes", "unified/other-crun/cgroup.procs"):
            with open(os.path.join(cgroups, f), "w") as out:
                out.write("42\n")
        self.cgroups = cgroups

    def test_strays_are_told_from_cgroups_by_the_mount_table(self):
        real, stray = spawn.bench_dirs("hb1", self.cgroups, self.mountinfo)
        self.assertEqual(real, [f"{self.cgroups}/memory/hb1-seq-launch"])
        self.assertEqual(stray, [f"{self.cgroups}/unified/hb1-seq-crun",
                                 f"{self.cgroups}/unified/hb1-x-crun"])

    def test_a_stray_goes_with_its_pid_file_and_nothing_else(self):
        _, stray = spawn.bench_dirs("hb1", self.cgroups, self.mountinfo)
        left = spawn.remove_strays(stray)
        self.assertEqual(left, [f"{self.cgroups}/unified/hb1-x-crun"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.cgroups, "unified"))),
                         ["hb1-x-crun", "other-crun"])
        self.assertEqual(os.listdir(os.path.join(self.cgroups, "unified", "other-crun")),
                         ["cgroup.procs"])


if __name__ == "__main__":
    unittest.main()
