#!/usr/bin/env python3
"""The UI benchmark of issue 8 (scripts/bench-ui runs it; Python 3 standard library only).

Runs inside an X server (xvfb-run) and a D-Bus session with an unlocked gnome-keyring
(tests/secrets/with-keyring.sh), so the keychain and the display are throwaway ones. It:

 1. makes a profile "bench" with confab-bench-ui-cache (1,000 conversations, 1,000,000 messages,
    the sealing key in the keychain) under WORK/xdg, and times it;
 2. launches Confab (--profile bench) LAUNCHES times "first" (every cache under XDG_CACHE_HOME
    removed: Qt's QML and shader caches, Mesa's shader cache, fontconfig's; the profile's
    settings as the generator left them) and each time right after that "second" (same caches),
    and the stock `qml` runtime showing bench/ui/bare.qml the same way, interleaved. For each: ms
    from just before the spawn to the window mapped and to the first painted conversation list
    (Confab's bench probe, CONFAB_BENCH_REPORT) or the bare window's first frame; RSS and PSS
    (/proc/PID/smaps_rollup) 10 s after the spawn; CPU (utime+stime of /proc/PID/stat) over the
    5 s after that, the window left alone;
 3. launches Confab once more with CONFAB_BENCH_SCRIPT=1: the probe opens the biggest
    conversation and scrolls 10,000 rows towards older messages; the open time, the frame costs
    and RSS/PSS after the scroll are recorded.

Prints a table of medians against the targets (reported, never asserted), writes every sample to
--out (JSON) and appends the table to --append. Exits 0 when it could measure.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_WAIT_S = 60  # for a window to show its first rows
IDLE_AT_S = 10  # memory is read this long after the spawn
CPU_WINDOW_S = 5  # then CPU is measured over this long
SCROLL_WAIT_S = 30 * 60

TARGETS = {
    "second_paint_ms": 160,
    "first_paint_ms": 340,
    "open_ms": 50,
    "frame_p99_ms": 16,
    "pss_ratio": 1.15,
    "idle_cpu_percent": 0,
}


def now_ms():
    return time.time() * 1000.0


def log(*args):
    print("bench-ui:", *args, file=sys.stderr, flush=True)


def memory_kib(pid):
    """Rss and Pss of a process, in KiB, from smaps_rollup."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    out[key.lower()] = int(rest.split()[0])
    except OSError:
        return None
    return out


def cpu_ticks(pid):
    """utime + stime of every thread of a process so far, in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Launch:
    """One process of the app or of the bare window, and what was seen of it."""

    def __init__(self, what, argv, env, log_path, report_path=None):
        self.what = what
        self.report_path = report_path
        self.events = {}
        self.spawn_ms = now_ms()
        self.log_file = open(log_path, "w")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.log_path = log_path
        self._report_pos = 0
        self._log_pos = 0

    def _read_new_lines(self, path, attr):
        """Whole lines appended to `path` since the last look."""
        try:
            with open(path, "rb") as f:
                f.seek(getattr(self, attr))
                chunk = f.read()
        except OSError:
            return []
        end = chunk.rfind(b"\n") + 1
        setattr(self, attr, getattr(self, attr) + end)
        return chunk[:end].decode("utf-8", "replace").splitlines()

    def poll_events(self):
        """Reads what the probe (or the bare window's log) said since the last look."""
        if self.report_path:
            for line in self._read_new_lines(self.report_path, "_report_pos"):
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                self.events.setdefault(event["event"], event)
        else:
            self.log_file.flush()
            for line in self._read_new_lines(self.log_path, "_log_pos"):
                m = re.search(r"BENCH (\w+) (\d+(?:\.\d+)?)", line)
                if m:
                    self.events.setdefault(m.group(1), {"event": m.group(1), "ms": float(m.group(2))})
        return self.events

    def wait_for(self, event, timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if event in self.poll_events():
                return self.events[event]
            if self.proc.poll() is not None:
                self.poll_events()
                return self.events.get(event)
            time.sleep(0.005)
        return None

    def since_spawn(self, event):
        e = self.events.get(event)
        return round(e["ms"] - self.spawn_ms, 1) if e else None

    def sleep_until(self, seconds_after_spawn):
        delay = self.spawn_ms / 1000.0 + seconds_after_spawn - time.time()
        if delay > 0:
            time.sleep(delay)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{self.what} did not quit on SIGTERM; killing it")
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        return self.proc.returncode


def idle_figures(launch):
    """Memory IDLE_AT_S after the spawn, then CPU over the next CPU_WINDOW_S."""
    launch.sleep_until(IDLE_AT_S)
    if not launch.alive():
        return {}
    mem = memory_kib(launch.proc.pid) or {}
    t0, c0 = time.monotonic(), cpu_ticks(launch.proc.pid)
    time.sleep(CPU_WINDOW_S)
    t1, c1 = time.monotonic(), cpu_ticks(launch.proc.pid)
    out = {"rss_kib": mem.get("rss"), "pss_kib": mem.get("pss")}
    if c0 is not None and c1 is not None:
        out["idle_cpu_ticks"] = c1 - c0
        out["idle_cpu_percent"] = round(100.0 * (c1 - c0) / CLK_TCK / (t1 - t0), 2)
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.xdg = os.path.join(self.work, "xdg")
        self.logs = os.path.join(self.work, "logs")
        self.env = dict(os.environ)
        self.env.update({
            "XDG_DATA_HOME": os.path.join(self.xdg, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.xdg, "config"),
            "XDG_CACHE_HOME": os.path.join(self.xdg, "cache"),
        })
        for k in ("QT_QPA_PLATFORM", "QT_QUICK_BACKEND", "QSG_RENDER_LOOP", "QT_LOGGING_RULES",
                  "CONFAB_BENCH_REPORT", "CONFAB_BENCH_SCRIPT", "CONFAB_COLOR_SCHEME"):
            self.env.pop(k, None)
        self.settings = os.path.join(self.env["XDG_CONFIG_HOME"], "confab", "profiles", "bench", "confab.conf")
        self.counter = 0
        self.results = {"launches": {"app_first": [], "app_second": [], "bare_first": [], "bare_second": [],
                                     "bare_sw_first": [], "bare_sw_second": []}}

    # ---- set-up --------------------------------------------------------------------------

    def generate(self):
        if os.path.exists(self.work):
            shutil.rmtree(self.work)
        os.makedirs(self.logs)
        for d in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.makedirs(self.env[d], mode=0o700)
        log(f"making the cache: {self.args.conversations} conversations, {self.args.messages} messages ...")
        start = time.monotonic()
        done = subprocess.run([self.args.cache_tool, "--profile", "bench", "--conversations",
                               str(self.args.conversations), "--messages", str(self.args.messages)],
                              env=self.env, stdout=subprocess.PIPE, text=True)
        seconds = time.monotonic() - start
        if done.returncode != 0:
            raise SystemExit(f"bench-ui: confab-bench-ui-cache failed (exit {done.returncode})")
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        summary["wallSeconds"] = round(seconds, 1)
        self.results["cache"] = summary
        shutil.copyfile(self.settings, self.settings + ".fresh")
        log(f"cache made in {seconds:.1f} s ({summary['fileBytes'] / 1048576:.0f} MiB)")

    def make_fresh(self):
        """As if nothing had run yet: no caches of any kind, the profile's settings as made."""
        cache = self.env["XDG_CACHE_HOME"]
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(cache, mode=0o700)
        shutil.copyfile(self.settings + ".fresh", self.settings)

    # ---- launches ------------------------------------------------------------------------

    def start_app(self, label, script=False):
        self.counter += 1
        report = os.path.join(self.logs, f"{self.counter:02d}-{label}.jsonl")
        env = dict(self.env, CONFAB_BENCH_REPORT=report)
        if script:
            env["CONFAB_BENCH_SCRIPT"] = "1"
        return Launch(label, [self.args.confab, "--profile", "bench"], env,
                      os.path.join(self.logs, f"{self.counter:02d}-{label}.log"), report)

    def start_bare(self, label, software=False):
        self.counter += 1
        # The same Controls style as Confab's; with `software`, drawn by Qt Quick's software
        # renderer, as Confab draws where there is no GPU (src/app/renderer.h).
        env = dict(self.env, QT_QUICK_CONTROLS_STYLE="Fusion")
        if software:
            env["QT_QUICK_BACKEND"] = "software"
        return Launch(label, [self.args.qml, self.args.bare], env,
                      os.path.join(self.logs, f"{self.counter:02d}-{label}.log"))

    def measure_launch(self, launch, paint_event):
        painted = launch.wait_for(paint_event, PAGE_WAIT_S)
        launch.poll_events()
        figures = {
            "mapped_ms": launch.since_spawn("mapped"),
            "first_frame_ms": launch.since_spawn("firstFrame"),
            "paint_ms": launch.since_spawn(paint_event),
        }
        if launch.report_path:
            figures["loaded_ms"] = launch.since_spawn("loaded")
            figures["renderer"] = (launch.events.get("loaded") or {}).get("renderer")
            if painted:
                figures["rows"] = painted.get("rows")
                if painted.get("rowsMs"):
                    figures["rows_ms"] = round(painted["rowsMs"] - launch.spawn_ms, 1)
        if not painted:
            log(f"{launch.what}: no {paint_event} within {PAGE_WAIT_S} s (see {launch.log_path})")
        figures.update(idle_figures(launch))
        figures["exit"] = launch.stop()
        log(f"{launch.what}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        return figures

    def launches(self):
        for i in range(self.args.launches):
            log(f"launch round {i + 1} of {self.args.launches}")
            self.make_fresh()
            self.results["launches"]["app_first"].append(
                self.measure_launch(self.start_app("app-first"), "listPainted"))
            self.results["launches"]["app_second"].append(
                self.measure_launch(self.start_app("app-second"), "listPainted"))
            self.make_fresh()
            self.results["launches"]["bare_first"].append(
                self.measure_launch(self.start_bare("bare-first"), "firstFrame"))
            self.results["launches"]["bare_second"].append(
                self.measure_launch(self.start_bare("bare-second"), "firstFrame"))
            self.make_fresh()
            self.results["launches"]["bare_sw_first"].append(
                self.measure_launch(self.start_bare("bare-sw-first", software=True), "firstFrame"))
            self.results["launches"]["bare_sw_second"].append(
                self.measure_launch(self.start_bare("bare-sw-second", software=True), "firstFrame"))

    def scripted(self):
        log("scripted run: open the biggest conversation, scroll 10,000 rows (about 5 minutes) ...")
        launch = self.start_app("app-scroll", script=True)
        out = {}
        launch.wait_for("listPainted", PAGE_WAIT_S)
        opened = launch.wait_for("opened", PAGE_WAIT_S)
        if opened:
            out["open_ms"] = opened.get("deltaMs")
            out["opened"] = opened
        scrolled = launch.wait_for("scrolled", SCROLL_WAIT_S)
        launch.poll_events()
        if "error" in launch.events:
            out["error"] = launch.events["error"]
            log(f"probe error: {launch.events['error']}")
        if scrolled and launch.alive():
            mem = memory_kib(launch.proc.pid) or {}
            out["after_scroll_rss_kib"] = mem.get("rss")
            out["after_scroll_pss_kib"] = mem.get("pss")
            t0, c0 = time.monotonic(), cpu_ticks(launch.proc.pid)
            time.sleep(CPU_WINDOW_S)
            t1, c1 = time.monotonic(), cpu_ticks(launch.proc.pid)
            if c0 is not None and c1 is not None:
                out["after_scroll_idle_cpu_percent"] = round(100.0 * (c1 - c0) / CLK_TCK / (t1 - t0), 2)
        elif not scrolled:
            log(f"the scripted run did not finish (see {launch.log_path})")
        launch.wait_for("idleAfterScroll", 10)
        out["idle_after_scroll"] = launch.events.get("idleAfterScroll")
        out["frames"] = launch.events.get("frames")
        out["scrolled"] = launch.events.get("scrolled")
        out["exit"] = launch.stop()
        self.results["scripted"] = out
        log("scripted: " + json.dumps({k: v for k, v in out.items() if k != "opened"}))

    # ---- report --------------------------------------------------------------------------

    def report(self):
        L = self.results["launches"]

        def med(kind, key):
            return median([r.get(key) for r in L[kind]])

        s = self.results.get("scripted", {})
        frames = s.get("frames") or {}
        summary = {
            "app_first_mapped_ms": med("app_first", "mapped_ms"),
            "app_first_paint_ms": med("app_first", "paint_ms"),
            "app_second_mapped_ms": med("app_second", "mapped_ms"),
            "app_second_paint_ms": med("app_second", "paint_ms"),
            "bare_first_mapped_ms": med("bare_first", "mapped_ms"),
            "bare_first_paint_ms": med("bare_first", "paint_ms"),
            "bare_second_mapped_ms": med("bare_second", "mapped_ms"),
            "bare_second_paint_ms": med("bare_second", "paint_ms"),
            "bare_sw_first_mapped_ms": med("bare_sw_first", "mapped_ms"),
            "bare_sw_first_paint_ms": med("bare_sw_first", "paint_ms"),
            "bare_sw_second_mapped_ms": med("bare_sw_second", "mapped_ms"),
            "bare_sw_second_paint_ms": med("bare_sw_second", "paint_ms"),
            "bare_sw_rss_kib": med("bare_sw_second", "rss_kib"),
            "bare_sw_pss_kib": med("bare_sw_second", "pss_kib"),
            "app_renderer": next((r.get("renderer") for r in L["app_second"] if r.get("renderer")), None),
            "app_rss_kib": med("app_second", "rss_kib"),
            "app_pss_kib": med("app_second", "pss_kib"),
            "bare_rss_kib": med("bare_second", "rss_kib"),
            "bare_pss_kib": med("bare_second", "pss_kib"),
            "app_idle_cpu_percent": median([r.get("idle_cpu_percent") for r in L["app_first"] + L["app_second"]]),
            "app_idle_cpu_max_percent": max([r.get("idle_cpu_percent") or 0 for r in L["app_first"] + L["app_second"]]
                                            or [0]),
            "bare_idle_cpu_percent": median([r.get("idle_cpu_percent") for r in L["bare_first"] + L["bare_second"]]),
            "open_ms": s.get("open_ms"),
            "frame_p50_ms": frames.get("p50"),
            "frame_p90_ms": frames.get("p90"),
            "frame_p99_ms": frames.get("p99"),
            "frame_max_ms": frames.get("max"),
            "frame_sync_p50_ms": frames.get("sync_p50"),
            "frame_sync_p99_ms": frames.get("sync_p99"),
            "frame_swap_p50_ms": frames.get("swap_p50"),
            "frame_swap_p99_ms": frames.get("swap_p99"),
            "frames": frames.get("count"),
            "rows_scrolled": frames.get("rowsScrolled"),
            "pages_loaded": frames.get("pagesLoaded"),
            "probe_fetches": frames.get("probeFetches"),
            "scroll_stalls": frames.get("stalls"),
            "after_scroll_idle_cpu_percent": s.get("after_scroll_idle_cpu_percent"),
            "app_first_loaded_ms": med("app_first", "loaded_ms"),
            "app_first_rows_ms": med("app_first", "rows_ms"),
            "app_second_loaded_ms": med("app_second", "loaded_ms"),
            "app_second_rows_ms": med("app_second", "rows_ms"),
            "app_first_frame_ms": med("app_first", "first_frame_ms"),
            "app_second_frame_ms": med("app_second", "first_frame_ms"),
            "open_call_ms": (s.get("opened") or {}).get("openCallMs"),
            "open_rows_ms": (s.get("opened") or {}).get("rowsAfterMs"),
            "after_scroll_rss_kib": s.get("after_scroll_rss_kib"),
            "after_scroll_pss_kib": s.get("after_scroll_pss_kib"),
        }
        # The floor for memory is the bare window drawn the way Confab drew in this run: comparing
        # a software-drawn Confab with a bare window that loaded Mesa's llvmpipe would flatter it.
        floor_key = "bare_sw_pss_kib" if summary["app_renderer"] == "software" else "bare_pss_kib"
        summary["pss_floor"] = "bare qml, software" if floor_key == "bare_sw_pss_kib" else "bare qml"
        if summary["app_pss_kib"] and summary[floor_key]:
            summary["pss_ratio"] = round(summary["app_pss_kib"] / summary[floor_key], 2)
        self.results["summary"] = summary
        self.results["targets"] = TARGETS

        def fmt(v, unit=""):
            if v is None:
                return "—"
            if isinstance(v, float):
                v = round(v, 1)
            return f"{v}{unit}"

        def mib(kib):
            return None if kib is None else round(kib / 1024.0, 1)

        def verdict(value, target, le=False):
            if value is None:
                return "not measured"
            ok = value <= target if le else value < target
            return "pass" if ok else "MISS"

        cache = self.results.get("cache", {})
        lines = []
        lines.append(f"UI benchmark (scripts/bench-ui): Xvfb 1280x800x24, {os.cpu_count()} cores, "
                     f"median of {self.args.launches} launches each")
        lines.append(f"cache: {cache.get('conversations')} conversations, {cache.get('messages')} messages "
                     f"(biggest: {cache.get('bigConversation', {}).get('messages')}), "
                     f"{mib(cache.get('fileBytes', 0) / 1024.0)} MiB, made in {cache.get('wallSeconds')} s")
        rows = [("measure", "Confab", "bare qml", "bare qml, software", "target", "result")]
        rows.append(("first launch → window mapped (ms)", fmt(summary["app_first_mapped_ms"]),
                     fmt(summary["bare_first_mapped_ms"]), fmt(summary["bare_sw_first_mapped_ms"]), "", ""))
        rows.append(("first launch → list painted / first frame (ms)", fmt(summary["app_first_paint_ms"]),
                     fmt(summary["bare_first_paint_ms"]), fmt(summary["bare_sw_first_paint_ms"]), "< 340",
                     verdict(summary["app_first_paint_ms"], TARGETS["first_paint_ms"])))
        rows.append(("second launch → window mapped (ms)", fmt(summary["app_second_mapped_ms"]),
                     fmt(summary["bare_second_mapped_ms"]), fmt(summary["bare_sw_second_mapped_ms"]), "", ""))
        rows.append(("second launch → list painted / first frame (ms)", fmt(summary["app_second_paint_ms"]),
                     fmt(summary["bare_second_paint_ms"]), fmt(summary["bare_sw_second_paint_ms"]), "< 160",
                     verdict(summary["app_second_paint_ms"], TARGETS["second_paint_ms"])))
        rows.append(("open the biggest conversation (ms)", fmt(summary["open_ms"]), "", "", "< 50",
                     verdict(summary["open_ms"], TARGETS["open_ms"])))
        rows.append((f"scroll {fmt(summary['rows_scrolled'])} rows: frame p50 / p90 (ms)",
                     f"{fmt(summary['frame_p50_ms'])} / {fmt(summary['frame_p90_ms'])}", "", "", "", ""))
        rows.append((f"scroll: frame p99 / max (ms), {fmt(summary['frames'])} frames",
                     f"{fmt(summary['frame_p99_ms'])} / {fmt(summary['frame_max_ms'])}", "", "", "p99 < 16",
                     verdict(summary["frame_p99_ms"], TARGETS["frame_p99_ms"])))
        rows.append(("scroll: to the frame swapped p50 / p99 (ms)",
                     f"{fmt(summary['frame_swap_p50_ms'])} / {fmt(summary['frame_swap_p99_ms'])}", "", "", "", ""))
        rows.append(("RSS 10 s after start (MiB)", fmt(mib(summary["app_rss_kib"])), fmt(mib(summary["bare_rss_kib"])),
                     fmt(mib(summary["bare_sw_rss_kib"])), "", ""))
        ratio = summary.get("pss_ratio")
        rows.append(("PSS 10 s after start (MiB)", fmt(mib(summary["app_pss_kib"])), fmt(mib(summary["bare_pss_kib"])),
                     fmt(mib(summary["bare_sw_pss_kib"])), "≤ 1.15 × bare",
                     "not measured" if ratio is None else f"{ratio:.2f} × {summary['pss_floor']}: "
                     + verdict(ratio, TARGETS["pss_ratio"], le=True)))
        rows.append(("RSS / PSS after scrolling (MiB)",
                     f"{fmt(mib(summary['after_scroll_rss_kib']))} / {fmt(mib(summary['after_scroll_pss_kib']))}",
                     "", "", "", ""))
        rows.append(("CPU idle, 10-15 s after start (%)", fmt(summary["app_idle_cpu_percent"]),
                     fmt(summary["bare_idle_cpu_percent"]), "", "0",
                     verdict(summary["app_idle_cpu_max_percent"], TARGETS["idle_cpu_percent"], le=True)
                     + f" (worst {summary['app_idle_cpu_max_percent']})"))
        rows.append(("CPU idle, 5 s after scrolling (%)", fmt(summary["after_scroll_idle_cpu_percent"]), "", "", "",
                     ""))
        widths = [max(len(str(r[i])) for r in rows) for i in range(6)]
        for n, r in enumerate(rows):
            lines.append("  ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("Where the time goes (ms after the spawn, first / second launch): QML loaded "
                     f"{fmt(summary['app_first_loaded_ms'])} / {fmt(summary['app_second_loaded_ms'])}, first frame "
                     f"{fmt(summary['app_first_frame_ms'])} / {fmt(summary['app_second_frame_ms'])}, the list's rows "
                     f"from the store {fmt(summary['app_first_rows_ms'])} / {fmt(summary['app_second_rows_ms'])}. "
                     f"Opening: open() returned after {fmt(summary['open_call_ms'])}, rows after "
                     f"{fmt(summary['open_rows_ms'])}. A scroll frame's GUI-thread part (to afterSynchronizing): "
                     f"p50 {fmt(summary['frame_sync_p50_ms'])}, p99 {fmt(summary['frame_sync_p99_ms'])}.")
        idle = s.get("idle_after_scroll") or {}
        if idle:
            summary["after_scroll_frames"] = idle.get("framesSwapped")
            moving = idle.get("moving") or []
            lines.append(f"Left alone for {idle.get('seconds')} s after the scroll, the window drew "
                         f"{idle.get('framesSwapped')} frames" + (f"; moving by itself: {'; '.join(moving)}" if moving
                                                                 else "") + ".")
        if summary.get("probe_fetches"):
            lines.append(f"Paging: {fmt(summary['pages_loaded'])} pages came while scrolling; the probe asked for "
                         f"{fmt(summary['probe_fetches'])} of them because the timeline did not (Qt's DelegateModel "
                         "skips fetchMore when the oldest row's delegate is reused: see src/app/benchprobe.h).")
        lines.append(f"Confab drew with: {summary['app_renderer'] or 'unknown'} (src/app/renderer.h: software where "
                     "no GPU is reachable, as under Xvfb). The bare window runs both ways; memory is compared with "
                     "the one drawn the same way as Confab.")
        lines.append("Reported, never asserted. Frame cost: from setting contentY on the GUI thread to the render "
                     "thread's afterRendering; with llvmpipe (software GL under Xvfb) the pixels are drawn at the "
                     "swap, hence the second figure.")
        text = "\n".join(lines)
        print(text)
        with open(self.args.out, "w") as f:
            json.dump(self.results, f, indent=2, ensure_ascii=False)
        if self.args.append:
            with open(self.args.append, "a") as f:
                f.write("\n" + text + "\n")
        return text


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--confab", required=True)
    p.add_argument("--cache-tool", required=True)
    p.add_argument("--qml", default="/usr/lib/qt6/bin/qml")
    p.add_argument("--bare", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "bare.qml"))
    p.add_argument("--work", required=True, help="a folder for the profile and logs (emptied first)")
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--conversations", type=int, default=1000)
    p.add_argument("--launches", type=int, default=5)
    p.add_argument("--out", required=True, help="the JSON results")
    p.add_argument("--append", help="a text report to append the table to")
    p.add_argument("--keep", action="store_true", help="keep the profile (WORK/xdg) afterwards")
    args = p.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit("bench-ui: no DISPLAY (run it through scripts/bench-ui, which starts Xvfb)")
    bench = Bench(args)
    bench.generate()
    try:
        bench.launches()
        bench.scripted()
    finally:
        if not args.keep:
            shutil.rmtree(bench.xdg, ignore_errors=True)
    bench.report()


if __name__ == "__main__":
    main()
