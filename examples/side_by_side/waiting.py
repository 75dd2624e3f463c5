"""The notes' "waiting for multiple things", in asyncio: `python3 waiting.py`.

Side by side with `waiting_tokio.rs` (tokio) and `waiting.rs` (scheduler); see README.md.
Three downloads are waited for all together (`gather`), the first of two mirrors wins
(`wait(FIRST_COMPLETED)`), a slow call is given up on (`wait_for`), and a group of tasks
is waited for as one (`TaskGroup`, Python 3.11).
"""

import asyncio


async def download(page, delay):
    await asyncio.sleep(delay)
    return f"page {page}"


async def main():
    # All of them, in the order asked (gather).
    pages = await asyncio.gather(download(1, 0.03), download(2, 0.01), download(3, 0.02))
    print("all:", pages)

    # The first to finish; cancel the other (wait FIRST_COMPLETED).
    mirrors = [asyncio.create_task(download(n, d)) for n, d in [(1, 0.05), (2, 0.01)]]
    done, pending = await asyncio.wait(mirrors, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    print("first:", done.pop().result())

    # Give up after a while (wait_for).
    try:
        await asyncio.wait_for(download(4, 3600), timeout=0.02)
    except asyncio.TimeoutError:
        print("timeout: page 4 did not come within 20ms")

    # A group: wait for every task in it; one failing cancels the rest (TaskGroup).
    async with asyncio.TaskGroup() as group:
        a = group.create_task(download(5, 0.01))
        b = group.create_task(download(6, 0.02))
    print("group:", a.result(), b.result())


asyncio.run(main())
