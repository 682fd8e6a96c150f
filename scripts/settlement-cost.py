#!/usr/bin/env python3
"""Prints what settlement costs, from generated weight files of the same benchmark run.

    settlement-cost.py <pallet_metering weights.rs> <pallet_balances weights.rs>

Reads `submit_batch(r, s, c)` (base, and the slopes per receipt, per session and per capsule,
with their database reads and writes) and `transfer_keep_alive`, prices the database accesses with
the runtime's `ParityDbWeight`, and prints each marginal cost next to one transfer (and one
transfer extrinsic: the call plus the `ExtrinsicBaseWeight`), and how many receipts fit a
block's normal-dispatch weight in two shapes. Reads `book_usage_day(d)` too: the usage history
a batch books, charged beside the receipts (a new day's first batch drops `d` days).
"""
import re
import sys

# frame_support::weights::ParityDbWeight (the runtime's `DbWeight`), in picoseconds.
DB_READ_PS = 8_000 * 1_000
DB_WRITE_PS = 50_000 * 1_000
# runtime/src/configs/system.rs: 2 s blocks, 75% for normal dispatches.
BLOCK_NORMAL_PS = 2 * 10**12 * 75 // 100
# frame_support::weights::constants::ExtrinsicBaseWeight (polkadot-sdk stable2609), picoseconds.
EXTRINSIC_BASE_PS = 108_157 * 1_000
# runtime/src/configs/settlement.rs: the bounds of a batch, and the days of usage history kept.
MAX_BATCH_RECEIPTS = 8_192
MAX_BATCH_SESSIONS = 1_024
USAGE_HISTORY_DAYS = 90

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


def slopes(body, names):
    """(base ps, base reads, base writes) and per component (ps, reads, writes) of a function
    of several components."""

    def n(pattern):
        m = re.search(pattern, body)
        return int(m.group(1).replace("_", "")) if m else 0

    base = (n(r"Weight::from_parts\(" + NUM + r", [0-9_]+\)"), n(r"\.reads\(" + NUM + r"_u64\)"),
            n(r"\.writes\(" + NUM + r"_u64\)"))
    per = {}
    for v in names:
        per[v] = (
            n(r"Weight::from_parts\(" + NUM + r", 0\)\.saturating_mul\(" + v + r"\.into\(\)\)"),
            n(r"\.reads\(\(" + NUM + r"_u64\)\.saturating_mul\(" + v + r"\.into"),
            n(r"\.writes\(\(" + NUM + r"_u64\)\.saturating_mul\(" + v + r"\.into"),
        )
    return base, per


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
    extrinsic = transfer + EXTRINSIC_BASE_PS
    print(f"  transfer extrinsic       : + ExtrinsicBaseWeight {us(EXTRINSIC_BASE_PS)} = {us(extrinsic)}")
    if "submit_batch" not in metering:
        sys.exit(f"{sys.argv[1]}: no submit_batch")
    (b, br, bw), per = slopes(metering["submit_batch"], ("r", "s", "c"))
    receipt = total(*per["r"])
    # The session and capsule slopes carry one receipt each (`Pallet::batch_weight`).
    session = total(*per["s"]) - receipt
    capsule = total(*per["c"]) - receipt
    fixed = total(b, br, bw)
    print(f"  submit_batch             : base {us(b)} + {br} reads, {bw} writes = {us(fixed)}")
    print(f"  {'':<25}  per receipt {us(per['r'][0])} + {per['r'][1]} reads, {per['r'][2]} writes"
          f" = {us(receipt)} ({transfer / receipt:.1f}x less than transfer_keep_alive,"
          f" {extrinsic / receipt:.1f}x less than a transfer extrinsic)")
    print(f"  {'':<25}  per session {us(per['s'][0] - per['r'][0])} + {per['s'][1]} reads,"
          f" {per['s'][2]} writes = {us(session)}")
    print(f"  {'':<25}  per capsule {us(per['c'][0] - per['r'][0])} + {per['c'][1]} reads,"
          f" {per['c'][2]} writes = {us(capsule)}")
    if "book_usage_day" not in metering:
        sys.exit(f"{sys.argv[1]}: no book_usage_day")
    hb, hs, hr, hr_d, hw, hw_d = parse(metering["book_usage_day"], "d")
    history = total(hb, hr, hw)
    per_day = total(hs, hr_d, hw_d)
    print(f"  usage history, a batch   : base {us(hb)} + {hr} reads, {hw} writes = {us(history)}")
    print(f"  {'':<25}  per day dropped {us(hs)} + {hr_d} reads, {hw_d} writes = {us(per_day)};"
          f" declared (every one of {USAGE_HISTORY_DAYS} days dropped):"
          f" {us(history + USAGE_HISTORY_DAYS * per_day)}")
    for label, per_session in (("64 receipts per session", 64), ("1 receipt per session", 1)):
        sessions = MAX_BATCH_RECEIPTS // per_session
        sessions = min(sessions, MAX_BATCH_SESSIONS)
        receipts = sessions * per_session
        # Charged: the receipts and the day's history, no day dropped (the first batch of a day
        # is charged the days it drops on top).
        batch = fixed + receipts * receipt + sessions * session + capsule + history
        fit = BLOCK_NORMAL_PS // batch * receipts
        print(f"  {'':<25}  a batch of {receipts:,} receipts, {label}, one capsule: {us(batch)};"
              f" about {fit:,} receipts per block")


if __name__ == "__main__":
    main()
