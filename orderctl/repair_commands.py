"""The `orderctl repair` command: stored orders that no longer parse (orderctl/repair.py)."""

from __future__ import annotations

from orderctl.context import Args, target_of


def cmd_repair(args: Args) -> int:
    """Find stored orders that no longer parse; with --apply, rewrite or quarantine them."""
    from orderctl import repair
    from orderctl.output import confirm, emit, say

    target = target_of(args)
    table = target.environment()["ORDERS_TABLE_NAME"]
    question = f"Rewrite or quarantine the damaged orders in {table}?"
    if args.apply and not confirm(question, args.yes):
        say("nothing changed")
        return 1
    scanned, rows = repair.run(target.client("dynamodb"), table, apply=args.apply)
    columns = ["tenant", "order", "verdict", "problem", "action"]
    if rows or args.json:
        emit(rows, columns, args.json, f"Damaged orders in {table} ({target.describe()})")
    say(
        f"{scanned} order(s) read, {len(rows)} damaged"
        + ("" if args.apply or not rows else ": run again with --apply to fix them")
    )
    return 0
