"""Prints bench/run's results table.

One input line per case: "name conns" then rounds separated by ';', each "base_rps base_p99 base_cpu base_rss
host_rps host_p99 host_cpu host_rss" (cpu: CPU microseconds per request; rss: resident MB after the run).
A case's ratios are the medians of its rounds' ratios (each round runs both sides seconds apart); the best run of
each side is shown beside them. A second table gives each side's median CPU time per request and its largest
resident memory under the load.
"""
import statistics
import sys

# hello: at least 0.7x the .NET baseline (issue 9); transform: at least 0.8x the same JavaScript on Node.js.
TARGETS = {"get_product": (0.9, 1.2), "hello": (0.7, None), "transform": (0.8, None), "add_orders_10k": (0.9, None),
           "create_org": (0.8, None)}

print(f"{'case':<15} {'conns':>5} {'rounds':>6} {'base req/s':>11} {'host req/s':>11} {'ratio':>6} "
      f"{'base p99 ms':>12} {'host p99 ms':>12} {'p99 ratio':>9}  target")
costs = []
for line in sys.stdin:
    if not line.strip():
        continue  # no case measured (CASES=startup alone)
    name, conns, rest = line.split(maxsplit=2)
    measured = [tuple(map(float, r.split())) for r in rest.split(";") if r.strip()]
    costs.append((name, [(r[2], r[3], r[6], r[7]) for r in measured]))
    rounds = [(r[0], r[1], r[4], r[5]) for r in measured]
    ratio = statistics.median(h / b for b, _, h, _ in rounds)
    p99_ratio = statistics.median(hp / bp for _, bp, _, hp in rounds)
    best_base = max(rounds, key=lambda r: r[0])[:2]
    best_host = max(rounds, key=lambda r: r[2])[2:]
    min_rps, max_p99 = TARGETS[name]
    met = ratio >= min_rps and (max_p99 is None or p99_ratio <= max_p99)
    target = f">= {min_rps}x req/s" + (f", <= {max_p99}x p99" if max_p99 else "")
    rows = (f"  ({best_host[0] * 10000:,.0f} vs {best_base[0] * 10000:,.0f} rows/s at best)"
            if name == "add_orders_10k" else "")
    verdict = "met" if met else "NOT met"
    each = " ".join(f"{h / b:.2f}" for b, _, h, _ in rounds)
    print(f"{name:<15} {conns:>5} {len(rounds):>6} {best_base[0]:>11.1f} {best_host[0]:>11.1f} {ratio:>6.2f} "
          f"{best_base[1]:>12.2f} {best_host[1]:>12.2f} {p99_ratio:>9.2f}  {target}: {verdict}{rows}  [rounds: {each}]")

print()
print(f"{'case':<15} {'base CPU us/req':>16} {'host CPU us/req':>16} {'base RSS MB':>12} {'host RSS MB':>12}  (CPU: median of the rounds; RSS: largest)")
for name, rounds in costs:
    print(f"{name:<15} {statistics.median(r[0] for r in rounds):>16.1f} {statistics.median(r[2] for r in rounds):>16.1f} "
          f"{max(r[1] for r in rounds):>12.0f} {max(r[3] for r in rounds):>12.0f}")
