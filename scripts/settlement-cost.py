#!/usr/bin/env python3
"""Prints what settlement costs, from generated weight files of the same benchmark run.

    settlement-cost.py <pallet_metering weights.rs> <pallet_balances weights.rs>

Reads `submit_receipts(n)` and `submit_rollbacks(n)` (base + per-receipt slope, with their
database reads and writes) and `transfer_keep_alive`, prices the database accesses with the
runtime's `ParityDbWeight`, and prints the per-receipt marginal cost next to one transfer and
the weight of a full batch against the block's normal-dispatch limit.
"""
import re
import sys

# frame_support::weights::ParityDbWeight (the runtime's `DbWeight`), in picoseconds.
DB_READ_PS = 8_000 * 1_000
DB_WRITE_PS = 50_000 * 1_000
# runtime/src/configs/system.rs: 2 s blocks, 75% for normal dispatches.
BLOCK_NORMAL_PS = 2 * 10**12 * 75 // 100
MAX_BATCH = 128  # runtime/src/configs/settlement.rs: MaxBatch

NUM = r"([0-9_]+)"


def functions(path):
    """The bodies of the `SubstrateWeight` implementation's functions, by name."""
    text = open(path, encoding="utf-8").read()
    start = text.find("WeightInfo for SubstrateWeight<T>")
    if start < 0:
        sys.exit(f"{path}: no `SubstrateWeight` implementation (not a generated weights file?)")
    end = text.find("\nimpl WeightInfo for ()", start)
    text = text[start : end if end > 0 else len(text)]
    bodies = {}
    for m in re.finditer(r"fn (\w+)\(([^)]*)\) -> Weight \{(.*?)\n\t\}", text, re.S):
        bodies[m.group(1)] = m.group(3)
    return bodies


def parse(body, var):
    """(base ps, slope ps, base reads, read slope, base writes, write slope) of one function."""

    def n(pattern, default=0):
        m = re.search(pattern, body)
        return int(m.group(1).replace("_", "")) if m else default

    base = n(r"Weight::from_parts\(" + NUM + r", [0-9_]+\)")
    slope = n(r"Weight::from_parts\(" + NUM + r", 0\)\.saturating_mul\(" + var + r"\.into\(\)\)")
    reads = n(r"\.reads\(" + NUM + r"_u64\)")
    reads_n = n(r"\.reads\(\(" + NUM + r"_u64\)\.saturating_mul\(" + var + r"\.into")
    writes = n(r"\.writes\(" + NUM + r"_u64\)")
    writes_n = n(r"\.writes\(\(" + NUM + r"_u64\)\.saturating_mul\(" + var + r"\.into")
    return base, slope, reads, reads_n, writes, writes_n


def total(ps, reads, writes):
    return ps + reads * DB_READ_PS + writes * DB_WRITE_PS


def us(ps):
    return f"{ps / 1e6:,.1f} µs"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    metering = functions(sys.argv[1])
    balances = functions(sys.argv[2])
    if "transfer_keep_alive" not in balances:
        sys.exit(f"{sys.argv[2]}: no transfer_keep_alive")
    tb, _, tr, _, tw, _ = parse(balances["transfer_keep_alive"], "_")
    transfer = total(tb, tr, tw)
    print("Settlement cost (reference machine, wasm compiled, ParityDB weights)")
    print(f"  transfer_keep_alive      : {us(tb)} execution + {tr} reads, {tw} writes"
          f" = {us(transfer)}")
    worst_per = 0
    for name in ("submit_receipts", "submit_rollbacks"):
        if name not in metering:
            sys.exit(f"{sys.argv[1]}: no {name}")
        b, s, r, rn, w, wn = parse(metering[name], "n")
        per = total(s, rn, wn)
        worst_per = max(worst_per, per)
        fixed = total(b, r, w)
        full = fixed + per * MAX_BATCH
        print(f"  {name:<25}: base {us(b)} + {r} reads, {w} writes = {us(fixed)}")
        print(f"  {'':<25}  per receipt {us(s)} + {rn} reads, {wn} writes = {us(per)}"
              f" ({per / transfer:.2f}x transfer_keep_alive)")
        print(f"  {'':<25}  full batch of {MAX_BATCH}: {us(full)}"
              f" = {100 * full / BLOCK_NORMAL_PS:.1f}% of a block's normal weight")
    fits = BLOCK_NORMAL_PS // max(worst_per, 1)
    print(f"  receipts per block (worst kind, normal dispatch share): about {fits:,}")


if __name__ == "__main__":
    main()
