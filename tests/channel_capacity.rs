//! A channel's capacity is allocated when it is made: one too large to make is refused with
//! a message that says why and what to use instead, never a bare "capacity overflow" or a
//! process abort on a failed allocation.

use scheduler::sync::{MAX_CAPACITY, channel};
use scheduler_workspace::{in_child, panic_message, run_child};

#[test]
fn a_channel_too_large_to_make_is_refused_with_the_fix() {
    if in_child() {
        for capacity in [usize::MAX, 1 << 40, MAX_CAPACITY + 1] {
            let message = panic_message(|| {
                channel::<u64>(capacity);
            });
            eprintln!("refused: {message}");
        }
        return;
    }
    let (ok, stderr) = run_child("a_channel_too_large_to_make_is_refused_with_the_fix");
    assert!(ok, "{stderr}");
    for capacity in [usize::MAX, 1 << 40, MAX_CAPACITY + 1] {
        assert!(
            stderr.contains(&format!(
                "refused: `scheduler::sync::channel({capacity})` asks for room for more values \
                 than `scheduler::sync::MAX_CAPACITY`"
            )),
            "{stderr}"
        );
    }
    assert!(stderr.contains("async_channel::unbounded()"), "{stderr}");
}

#[test]
fn a_channel_of_the_largest_capacity_works() {
    let (tx, rx) = channel::<u8>(MAX_CAPACITY);
    tx.try_send(7).unwrap();
    assert_eq!(rx.try_recv(), Ok(7));
}
