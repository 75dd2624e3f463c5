"""The notes' "schedule normal code to run later", in asyncio: `python3 call_soon.py`.

Side by side with `call_soon_tokio.rs` (tokio) and `call_soon.rs` (scheduler); see
README.md. A plain function is queued to run soon (`call_soon`), with keyword arguments
through `functools.partial`, and after a delay (`call_later`).
"""

import asyncio
import functools


def thing_to_do_later(a, b, foo, thing):
    print(f"thing_to_do_later({a}, {b}, foo={foo}, thing={thing})", flush=True)


async def main():
    loop = asyncio.get_running_loop()
    # Arguments follow the function.
    loop.call_soon(thing_to_do_later, 1, 2, "Foo", 0)
    # Keyword arguments need a partial.
    loop.call_soon(functools.partial(thing_to_do_later, 1, 2, foo="Bar", thing=27))
    # The notes' partial, run after 50 ms.
    loop.call_later(0.050, functools.partial(print, "Hello", flush=True))
    print("main: queued three, none has run yet", flush=True)
    await asyncio.sleep(0.100)  # pause point: the queued code runs meanwhile
    print("main: done", flush=True)


asyncio.run(main())
