"""Timeouts, in asyncio: `python3 timeout.py` (Python 3.11).

Side by side with `timeout_tokio.rs` (tokio) and `timeout.rs` (scheduler); see README.md.
A block of work is given up on after a while (`asyncio.timeout`), and what it held is
released by the time the timeout returns; several steps share one deadline
(`asyncio.timeout_at`); a receive from a queue is waited for at most 20 ms (`wait_for`);
and a loop keeps a 100 ms grid whatever each turn took (sleeping until the next tick).
"""

import asyncio


class Connection:
    def __enter__(self):
        print("long task: connecting")
        return self

    def __exit__(self, *exc):
        print("long task: connection closed")


async def long_running_task():
    with Connection():
        await asyncio.sleep(3600)


async def step(n, delay):
    await asyncio.sleep(delay)
    print(f"step {n} done")


async def main():
    loop = asyncio.get_running_loop()
    # A block of work, given up on after 50 ms (asyncio.timeout).
    try:
        async with asyncio.timeout(0.05):
            await long_running_task()
    except TimeoutError:
        print("timeout: the long operation timed out, but we've handled it")
    print("this statement runs regardless")

    # Three steps of 40 ms under one deadline 100 ms away (asyncio.timeout_at).
    deadline = loop.time() + 0.1
    for n in (1, 2, 3):
        try:
            async with asyncio.timeout_at(deadline):
                await step(n, 0.04)
        except TimeoutError:
            print(f"step {n}: out of time")

    # Any awaitable: a receive that gets no message (wait_for).
    queue = asyncio.Queue()
    try:
        await asyncio.wait_for(queue.get(), timeout=0.02)
    except TimeoutError:
        print("no message within 20ms")

    # Ticks on a grid: work of 30 ms, then sleep until the next tick.
    start = loop.time()
    next_tick = start
    for n in (1, 2, 3):
        next_tick += 0.1
        await asyncio.sleep(0.03)
        await asyncio.sleep(next_tick - loop.time())
        print(f"tick {n} at {int((loop.time() - start) * 100) * 10} ms")


asyncio.run(main())
