# Racing two waits, with asyncio: `python3 examples/side_by_side/racing.py`.
#
# Side by side with racing_tokio.rs (tokio) and racing.rs (scheduler); see README.md.
# A consumer races its next message against a 40 ms quiet period, until the channel closes.
import asyncio


async def producer(queue):
    for n, delay in [(1, 0.01), (2, 0.01), (3, 0.08)]:
        await asyncio.sleep(delay)
        await queue.put(n)
    await queue.put(None)  # closed


async def consumer(queue):
    while True:
        get = asyncio.ensure_future(queue.get())
        quiet = asyncio.ensure_future(asyncio.sleep(0.04))
        done, pending = await asyncio.wait({get, quiet}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if get in done:
            n = get.result()
            if n is None:
                print("closed")
                return
            print(f"got {n}")
        else:
            print("quiet")


async def main():
    queue = asyncio.Queue(1)
    await asyncio.gather(producer(queue), consumer(queue))


asyncio.run(main())
