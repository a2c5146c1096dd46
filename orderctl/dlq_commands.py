"""The `orderctl dlq` commands: list, show, redrive."""

from __future__ import annotations

from orderctl.context import Args, target_of


def cmd_dlq_list(args: Args) -> int:
    """Counts of every work queue and its DLQ."""
    from orderctl import dlq
    from orderctl.output import emit

    target = target_of(args)
    rows = [
        {
            "queue": s.pair.short,
            "work_queue": s.pair.queue,
            "waiting": s.waiting,
            "in_flight": s.in_flight,
            "dead_letters": s.dead,
            "dlq": s.pair.dlq,
        }
        for s in dlq.status(target)
    ]
    emit(rows, list(rows[0]) if rows else [], args.json, f"Queues of {target.describe()}")
    return 0


def cmd_dlq_show(args: Args) -> int:
    """Previews of the dead letters, with why they failed."""
    from dataclasses import asdict

    from orderctl import dlq
    from orderctl.output import emit, say

    target = target_of(args)
    pair = dlq.find(target, args.queue)
    found = dlq.peek(target, pair, args.limit)
    if not found and not args.json:
        say(f"{pair.dlq} is empty")
        return 0
    columns = [
        "message_id",
        "failed_attempts",
        "times_shown",
        "sent_at",
        "event_type",
        "order_id",
        "reason",
    ]
    emit([asdict(m) for m in found], columns, args.json, f"{pair.dlq} (first {args.limit})")
    return 0


def cmd_dlq_redrive(args: Args) -> int:
    """Move the dead letters back to the work queue."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from orderctl import dlq
    from orderctl.output import confirm, console, say

    target = target_of(args)
    pair = dlq.find(target, args.queue)
    waiting = dlq.Queues(target).counts(pair.dlq)[0]
    if waiting == 0:
        say(f"{pair.dlq} is empty: nothing to redrive")
        return 0
    if not confirm(f"Move {waiting} message(s) from {pair.dlq} to {pair.queue}?", args.yes):
        say("nothing moved")
        return 1
    with Progress(
        TextColumn("redrive {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task(pair.short, total=waiting)
        result = dlq.redrive(
            target, pair, rate=args.rate, progress=lambda moved: bar.update(task, completed=moved)
        )
    left = dlq.Queues(target).counts(pair.dlq)
    say(
        f"moved {result.moved} message(s) from {pair.dlq} to {pair.queue} ({result.method}); "
        f"{left[0] + left[1]} left in the DLQ"
    )
    for failure in result.failed:
        say(f"[red]not moved[/red] {failure}")
    if result.interrupted:
        say("interrupted after a whole batch: nothing is lost; run the same command to go on")
        return 130
    return 1 if result.failed else 0
