"""The benchmark's Markdown table (scripts/bench.py measures; this turns its figures into rows)."""

import os
import statistics
import time


def median_of(runs, key):
    return statistics.median(run[key] for run in runs)


def kept_once(audit):
    """Every answered create is stored, and nothing beyond what wrk may have sent and not seen answered before it
    stopped (one request per connection per run)."""
    return audit["answered"] <= audit["stored"] <= audit["answered"] + audit["in_flight"]


def pair_ratios(runs, key="rps", inverse=False):
    """Each run of a row divided by the ceiling run just before it. A pair is two runs in a row on the same
    core, so it sees the machine alike; the machine's speed changes between pairs (README: the VM's two
    speeds), and a median of ratios leaves out a pair that straddles such a change, where a ratio of
    medians can divide one speed's row by the other's ceiling."""
    ratios = [run[key] / run["paired"][key] for run in runs]
    return [1 / ratio for ratio in ratios] if inverse else ratios


def spread(ratios):
    return " ".join(f"{ratio:.2f}" for ratio in sorted(ratios))


def fmt_row(cells):
    return "| " + " | ".join(cells) + " |"


def report(args, figures, start_ms, advance, memory):
    ceiling = figures["ceiling"]
    lines = [
        f"kyc-sandbox benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, wrk -t1 -c{args.connections}, "
        f"{args.runs} x {args.duration} s per call, medians; each ratio is the median of the row's runs, each divided "
        f"by the ceiling run just before it; "
        f"server on core 0, wrk on core 1",
        "",
        fmt_row(["call", "req/s", "ratio to ceiling", "each pair's ratio", "p50 ms", "p99 ms", "non-2xx",
                 "CPU µs per request", "CPU ratio", "server RSS after, MiB"]),
        fmt_row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
        fmt_row(["bare actix-web ceiling, fixed 1 KiB JSON", f"{ceiling['rps']:,.0f}", "1.00", "",
                 f"{ceiling['p50']:.2f}", f"{ceiling['p99']:.2f}", "0", f"{ceiling['cpu_us']:.1f}", "1.00",
                 f"{ceiling['rss'] / 1024:.0f}"]),
    ]
    for name, kind, runs, rss, _ in figures["rows"]:
        rps, cpu = median_of(runs, "rps"), median_of(runs, "cpu_us")
        ratios = pair_ratios(runs)
        lines.append(fmt_row([name, f"{rps:,.0f}", f"{statistics.median(ratios):.2f}", spread(ratios),
                              f"{median_of(runs, 'p50'):.2f}", f"{median_of(runs, 'p99'):.2f}",
                              str(sum(r["non2xx"] for r in runs)), f"{cpu:.1f}",
                              f"{statistics.median(pair_ratios(runs, 'cpu_us', inverse=True)):.2f}",
                              f"{rss / 1024:.0f}"]))
    lines += [
        "",
        fmt_row(["figure", "kyc-sandbox", "ceiling"]),
        fmt_row(["---", "---:", "---:"]),
        fmt_row(["idle RSS", f"{figures['sandbox_idle_rss'] / 1024:.1f} MiB", f"{ceiling['idle_rss'] / 1024:.1f} MiB"]),
        fmt_row(["RSS after the reads above", f"{figures['sandbox_rss_after'] / 1024:.1f} MiB",
                 f"{ceiling['rss'] / 1024:.1f} MiB"]),
        fmt_row(["exec to first answer (median of 5)", f"{start_ms:.0f} ms", f"{ceiling['start_ms']:.0f} ms"]),
        fmt_row([f"RSS growth per 1,000 KYCAID applicants ({memory['applicants']:,} stored; wrk counted "
                 f"{memory['answered']:,} answers, {memory['non2xx']} not 2xx)",
                 f"{memory['per_1000'] / 1024:.2f} MiB", ""]),
        fmt_row([f"one clock advance deciding {advance['reviews']:,} pending reviews, one per customer (webhooks queued)",
                 f"{advance['ms']:.0f} ms (fired {advance['fired']})", ""]),
    ]
    for name, _, _, _, audit in figures["rows"]:
        if audit:
            lines.append(fmt_row([
                f"{name}: stored (the API's count) / 2xx answers (up to {audit['in_flight']} more stored: "
                f"sent before wrk stopped, answers unread)",
                f"{audit['stored']:,} / {audit['answered']:,} ({'ok' if kept_once(audit) else 'MISMATCH'})", ""]))
    return "\n".join(lines)
