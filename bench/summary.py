"""Prints bench/run's results table: one input line per case, "name conns base_rps base_p99 host_rps host_p99"."""
import sys

TARGETS = {"get_product": (0.9, 1.2), "hello": (0.8, None), "add_orders_10k": (0.9, None)}

print(f"{'case':<15} {'conns':>5} {'baseline req/s':>15} {'host req/s':>11} {'ratio':>6} "
      f"{'base p99 ms':>12} {'host p99 ms':>12} {'p99 ratio':>9}  target")
for line in sys.stdin:
    name, conns, brps, bp99, hrps, hp99 = line.split()
    brps, bp99, hrps, hp99 = map(float, (brps, bp99, hrps, hp99))
    ratio, p99_ratio = hrps / brps, hp99 / bp99
    min_rps, max_p99 = TARGETS[name]
    met = ratio >= min_rps and (max_p99 is None or p99_ratio <= max_p99)
    target = f">= {min_rps}x req/s" + (f", <= {max_p99}x p99" if max_p99 else "")
    rows = f"  ({hrps * 10000:,.0f} vs {brps * 10000:,.0f} rows/s)" if name == "add_orders_10k" else ""
    verdict = "met" if met else "NOT met"
    print(f"{name:<15} {conns:>5} {brps:>15.1f} {hrps:>11.1f} {ratio:>6.2f} {bp99:>12.2f} {hp99:>12.2f} "
          f"{p99_ratio:>9.2f}  {target}: {verdict}{rows}")
