#!/usr/bin/env python3
"""Turns confab_bench's JSON (Google Benchmark, with repetitions) into the short report of
scripts/bench: each pipeline figure beside its raw-library baseline, and the ratio pipeline/raw
against the target "the pipeline within 80% of the raw primitives" (ratio >= 0.80).

usage: report.py RESULTS.json
"""
import json
import sys

TARGET = 0.80

# (label, pipeline benchmark, raw benchmark, unit); raw baselines are described in
# bench/bench_pipeline.cpp.
PAIRS = [
    ("a) ECDSA P-256 verify", "Verify_Confab", "Verify_Raw", "verifies/s"),
    ("b) message event, pre-decoded (raw: verify + secretbox open)",
     "Event_Process", "Event_RawCrypto", "events/s"),
    ("b) message event, from base64 (raw: + base64 + 2 Thrift decodes)",
     "Event_ProcessBase64", "Event_RawFull", "events/s"),
    ("c) media 16 MiB, MediaDecryptor 64 KiB pieces", "Media_Decryptor64KiB", "Media_Raw", "MB/s"),
    ("c) media 16 MiB, MediaDecryptor one piece", "Media_DecryptorOnePiece", "Media_Raw", "MB/s"),
    ("c) media 16 MiB, decryptMedia QBuffer->QBuffer", "Media_DecryptMediaQBuffer", "Media_Raw", "MB/s"),
]


def rate(run, unit):
    if unit == "MB/s":
        return run["bytes_per_second"] / 1e6
    return run["items_per_second"]


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    medians = {}
    for run in data["benchmarks"]:
        if run.get("error_occurred"):
            sys.exit(f"report.py: {run['name']} failed: {run.get('error_message')}")
        name = run.get("run_name", run["name"])
        if run.get("run_type") == "aggregate":
            if run.get("aggregate_name") == "median":
                medians[name] = run
        elif name not in medians and data["benchmarks"][-1].get("run_type") != "aggregate":
            medians[name] = run  # no repetitions: the single run

    ctx = data["context"]
    print(f"Confab pipeline vs raw primitives  ({ctx.get('date', '')}, {ctx.get('num_cpus')} CPUs "
          f"@ {ctx.get('mhz_per_cpu')} MHz, {ctx.get('library_build_type', '')} libbenchmark)")
    reps = next(iter(medians.values()), {}).get("repetitions", 1)
    print(f"median of {reps} repetition(s); target: pipeline/raw >= {TARGET:.2f}")
    print()
    print(f"{'work':<66} {'pipeline':>12} {'raw':>12} {'ratio':>6}  verdict")
    misses = 0
    for label, pipeline, raw, unit in PAIRS:
        if pipeline not in medians or raw not in medians:
            print(f"{label:<66} {'(not run)':>12}")
            continue
        p, r = rate(medians[pipeline], unit), rate(medians[raw], unit)
        ratio = p / r
        ok = ratio >= TARGET
        misses += not ok
        fmt = "{:>12,.0f}" if unit != "MB/s" else "{:>12,.1f}"
        print(f"{label:<66} {fmt.format(p)} {fmt.format(r)} {ratio:>6.2f}  "
              f"{'meets' if ok else 'MISSES'} ({unit})")
    print()
    print(f"{len(PAIRS) - misses} of {len(PAIRS)} pairs meet the 80% target. "
          "Reported only; nothing here is a test.")


if __name__ == "__main__":
    main()
