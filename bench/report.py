#!/usr/bin/env python3
"""Turns confab_bench's JSON (Google Benchmark, with repetitions) into the short report of
scripts/bench: each pipeline figure beside its raw-library baseline, and the ratio pipeline/raw
against the target "the pipeline within 80% of the raw primitives" (ratio >= 0.80).
With --store, the same for confab_bench_store's JSON: the store at scale (insert rate, page reads
at 10,000 and 1,000,000 messages against the 5 ms target, the conversation list, search, the
outbox).
With --xchat, confab_bench_xchat's JSON: the X Chat account engine against confab-localserver
(the first sync with the default initial history and with all of it; requests and CPU of an idle
account per minute, window inactive and active).

usage: report.py RESULTS.json
       report.py --store STORE.json
       report.py --xchat XCHAT.json
"""
import json
import sys

TARGET = 0.80
PAGE_TARGET_MS = 5.0

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
    ("c) media 16 MiB, the app's pipeline: cached file -> memory", "Media_AppDecryptFile", "Media_Raw", "MB/s"),
]


def rate(run, unit):
    if unit == "MB/s":
        return run["bytes_per_second"] / 1e6
    return run["items_per_second"]


def pipeline_report(path):
    with open(path) as f:
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


# ---- the store (confab_bench_store) --------------------------------------------------------

TIME_UNIT_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def store_runs(data):
    """Median run of each benchmark, by its short name ("Store_PageNewest/Large"); one-off
    benchmarks (a single repetition) by their only run."""
    runs = {}
    for run in data["benchmarks"]:
        if run.get("error_occurred"):
            sys.exit(f"report.py: {run['name']} failed: {run.get('error_message')}")
        parts = run.get("run_name", run["name"]).split("/")
        short = "/".join(p for p in parts if not p.startswith(("iterations:", "repeats:", "manual_time",
                                                                   "real_time")))
        if run.get("run_type") == "aggregate":
            if run.get("aggregate_name") == "median":
                runs[short] = run
        elif short not in runs:
            runs[short] = run
    return runs


def seconds(run):
    return run["real_time"] * TIME_UNIT_S[run.get("time_unit", "ns")]


def ms(run):
    return seconds(run) * 1e3


def mib(n):
    return f"{n / 1048576:,.1f} MiB"


def store_report(path):
    with open(path) as f:
        data = json.load(f)
    runs = store_runs(data)
    ctx = data["context"]
    reps = max((r.get("repetitions", 1) for r in runs.values()), default=1)
    print(f"Confab store at scale  ({ctx.get('date', '')}, {ctx.get('num_cpus')} CPUs "
          f"@ {ctx.get('mhz_per_cpu')} MHz; SQLite file under {ctx.get('store_dir', '?')})")
    print(f"median of {reps} repetition(s); the caller's view: submit, store thread, future. "
          "Reported only; nothing here is a test.")

    def get(name):
        return runs.get(name)

    print()
    print("building the histories (one-off, through insertMessages)")
    print(f"  {'':<52} {'messages':>10} {'batch':>6} {'msgs/s':>10} {'seconds':>8}  file")
    for name, label in [("Store_Build/Large", "one conversation"),
                        ("Store_Build/Small", "one conversation (the small history)"),
                        ("Store_BuildSpread", "spread over {conversations:,.0f} conversations")]:
        r = get(name)
        if not r:
            print(f"  {label.format(conversations=1000):<52} {'(not run)':>10}")
            continue
        print(f"  {label.format(**r):<52} {r['messages']:>10,.0f} {r['batch']:>6,.0f} "
              f"{r['items_per_second']:>10,.0f} {seconds(r):>8.1f}  {mib(r['file_bytes'])} "
              f"({r['bytes_per_message']:,.0f} B/message)")
    for size in ("Small", "Large"):
        r, built = get("Store_Append/" + size), get("Store_Build/" + size)
        if r:
            start = built["messages"] if built else r["history"]
            label = f"appending 1,000-message batches to the {start:,.0f}-message history"
            print(f"  {label:<70} {r['items_per_second']:>10,.0f} {'':>8}  {ms(r):.1f} ms a batch")

    small, large = get("Store_PageNewest/Small"), get("Store_PageNewest/Large")
    small_n = f"{small['history']:,.0f} msgs" if small else "small"
    large_n = f"{large['history']:,.0f} msgs" if large else "large"
    print()
    overhead = get("Store_CallOverhead")
    print(f"page reads: 50 messages, decrypted; target < {PAGE_TARGET_MS:g} ms at any history size"
          + (f" (any call costs {ms(overhead) * 1e3:,.0f} us: the hop to the store thread and back)"
             if overhead else ""))
    print(f"  {'':<40} {small_n:>14} {large_n:>16} {'large/small':>12}  target")
    misses = 0
    for what, label in [("Store_PageNewest", "newest page"),
                        ("Store_PageMiddle", "page half the history back"),
                        ("Store_PageRandom", "page at a random position")]:
        s, l = get(what + "/Small"), get(what + "/Large")
        if what == "Store_PageMiddle" and l:
            label = f"page {l['back']:,.0f} back" + (f" ({s['back']:,.0f} in the small)" if s else "")
        cells = [f"{ms(x):>11.2f} ms" if x else f"{'(not run)':>14}" for x in (s, l)]
        ratio = f"{ms(l) / ms(s):>12.2f}" if s and l else f"{'':>12}"
        worst = max((ms(x) for x in (s, l) if x), default=None)
        if worst is None:
            verdict = ""
        elif worst < PAGE_TARGET_MS:
            verdict = f"< {PAGE_TARGET_MS:g} ms: meets"
        else:
            verdict = f"< {PAGE_TARGET_MS:g} ms: MISSES"
            misses += 1
        print(f"  {label:<40} {cells[0]} {cells[1]:>16} {ratio}  {verdict}")

    print()
    print("conversation list (conversations(): titles, avatars, previews decrypted; unread counts)")
    for name, label in [("Store_ConversationList/All", "all of the account"),
                        ("Store_ConversationList/First50", "first 50 of the account"),
                        ("Store_ConversationList/First50AllAccounts", "first 50 of all accounts")]:
        r = get(name)
        if r:
            print(f"  {label:<25} {r['conversations']:>6,.0f} conversations: {ms(r):>8.2f} ms "
                  f"({r['with_preview']:,.0f} with a preview, {r['with_unread']:,.0f} with unread messages)")

    print()
    rare = get("Store_Search/RarePhrase")
    common = get("Store_Search/CommonWord")
    n = (rare or common or {}).get("history")
    print("search (SearchRun: sealed bodies read and decrypted in batches of 2,000, newest first)"
          + (f" over {n:,.0f} messages" if n else ""))
    if rare:
        print(f"  rare phrase (reads every message): {rare['hits']:,.0f} hits, first batch of hits after "
              f"{rare['first_hits_ms']:,.0f} ms, done after {ms(rare):,.0f} ms; "
              f"{rare['items_per_second']:,.0f} messages scanned/s")
    if common:
        print(f"  common word, stopped at {common['limit']:,.0f} hits: first hits after "
              f"{common['first_hits_ms']:,.1f} ms, done after {ms(common):,.1f} ms "
              f"({common['scanned']:,.0f} messages scanned)")

    print()
    print("outbox")
    enqueue, trip = get("Store_OutboxEnqueue"), get("Store_OutboxClaimAndMarkSent")
    if enqueue:
        print(f"  enqueue (sealed, committed before any network I/O): {ms(enqueue) * 1e3:>7,.0f} us")
    if trip:
        print(f"  claimDue(1) + markSent round trip:                 {ms(trip) * 1e3:>7,.0f} us")

    print()
    print(f"pages: {'every page read meets' if misses == 0 else f'{misses} page read(s) miss'} "
          f"the {PAGE_TARGET_MS:g} ms target.")


# ---- the X Chat account engine (confab_bench_xchat) ------------------------------------------

def endpoints(run):
    by = run.get("requests_by_endpoint", {})
    return ", ".join(f"{n:,} {what}" for what, n in sorted(by.items(), key=lambda kv: -kv[1]))


def xchat_report(path):
    with open(path) as f:
        data = json.load(f)
    conversations, messages = data["conversations"], data["messages_per_conversation"]
    print(f"Confab X Chat account engine against confab-localserver  (loopback, {data.get('cpus')} CPUs"
          f"{'; QUICK run' if data.get('quick') else ''})")
    print(f"{conversations:,} conversations x {messages:,} messages = {data['seeded_messages']:,} on the server "
          f"(seeded in {data['seed_seconds']:.0f} s, not measured); one run each. "
          "Reported only; nothing here is a test.")
    print()
    print("first sync: XChatAccount::start() on an empty store until its first sync is done")
    print(f"  {'':<38} {'messages':>9} {'seconds':>8} {'msgs/s':>8} {'requests':>9} {'CPU s':>7} {'CPU %':>6}"
          f" {'server CPU s':>12}  store file")
    for run in data["first_sync"]:
        label = f"{run['label']} (initialHistory {run['initial_history']:,})"
        if "seconds" not in run:
            print(f"  {label:<38} FAILED: {run.get('error', '?')}")
            continue
        short = "" if run["messages"] == run["expected_messages"] else f" (expected {run['expected_messages']:,})"
        print(f"  {label:<38} {run['messages']:>9,} {run['seconds']:>8.2f} {run['messages_per_second']:>8,.0f} "
              f"{run['requests']:>9,} {run['cpu_seconds']:>7.2f} {run['cpu_percent']:>6.0f} "
              f"{run['server_cpu_seconds']:>12.2f}  {mib(run['store_bytes'])}{short}")
        if run.get("error"):
            print(f"    FAILED: {run['error']}")
        print(f"    requests: {endpoints(run)}"
              + (f"; {run['requests_failed']} failed" if run.get("requests_failed") else "")
              + (f"; rate-limited {run['rate_limited']} times" if run.get("rate_limited") else ""))
    print()
    print(f"an idle account after the sync: nothing arrives; {data['idle_window_seconds']} s windows "
          f"(polls every {data['active_poll_ms'] / 1000:g} s active, {data['idle_poll_ms'] / 1000:g} s inactive)")
    print(f"  {'':<40} {'requests':>9} {'per minute':>11} {'304s':>5} {'CPU %':>7}  endpoints")
    for run in data["idle"]:
        print(f"  {run['label']:<40} {run['requests']:>9,} {run['requests_per_minute']:>11.1f} "
              f"{run['requests_not_modified']:>5} {run['cpu_percent']:>7.2f}  {endpoints(run) or '-'}")
    if data["idle"] and data["idle_window_seconds"] * 1000 < 2 * data["idle_poll_ms"]:
        print(f"  (a {data['idle_window_seconds']} s window sees at most one inactive poll: "
              "the inactive rate is coarse; --idle-seconds makes it longer)")


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--store":
        store_report(args[1])
    elif len(args) == 2 and args[0] == "--xchat":
        xchat_report(args[1])
    elif len(args) == 1 and not args[0].startswith("-"):
        pipeline_report(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
