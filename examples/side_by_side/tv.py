"""The notes' "doing things asynchronously but in order", in asyncio: `python3 tv.py`.

Side by side with `tv_tokio.rs` (tokio) and `tv.rs` (scheduler); see README.md.
`do_both` turns the TV on, then sets its channel: in order. `check_the_weather` is queued
beside it, and the two interleave at their pause points (the sleeps).
"""

import asyncio
import time

START = time.monotonic()


def say(what):
    """Prints `what` after the time since START, floored to 10 ms so every version matches."""
    ms = int((time.monotonic() - START) * 1000) // 10 * 10
    print(f"{ms:>4} ms  {what}", flush=True)


async def turn_on_tv():
    say("tv: pressing the power button")
    await asyncio.sleep(0.300)  # pause point: other tasks run meanwhile
    say("tv: on")


async def set_tv_channel(channel):
    say(f"tv: switching to channel {channel}")
    await asyncio.sleep(0.100)
    say(f"tv: on channel {channel}")
    return channel


async def do_both(channel):
    await turn_on_tv()  # in order: this finishes first,
    return await set_tv_channel(channel)  # then this runs


async def check_the_weather():
    for hour in (9, 12, 15):
        say(f"weather: looking up {hour}:00")
        await asyncio.sleep(0.120)
    say("weather: sunny all day")


async def main():
    # The notes' event handler: it must not block, so it only queues work.
    tv = asyncio.create_task(do_both(7))  # call do_both to get a coroutine object, then queue it
    weather = asyncio.create_task(check_the_weather())  # a second task beside it
    say("main: queued do_both and check_the_weather")
    channel = await tv
    await weather
    say(f"main: do_both returned channel {channel}")


asyncio.run(main())
