//! `select!`: race pause points in a `#[task]` body, run the arm of the first to finish.
//!
//! The `#[task]` rewrite expands `scheduler::select! { .. }` itself (it sees the macro's
//! tokens before they expand), into a race over the arms' futures. This macro is what
//! `select!` expands to anywhere else: a compile error that says where it works.

/// Races pause points in a `#[task]` body and runs the arm of the first to finish, with
/// its value; the others are dropped before that arm runs, unrun past their last pause.
///
/// ```
/// use std::time::Duration;
/// use scheduler::{sync, task};
///
/// #[task]
/// fn first_message_or_timeout(rx: sync::Receiver<u32>) -> String {
///     scheduler::select! {
///         msg = rx.recv() => match msg {
///             Ok(n) => format!("got {n}"),
///             Err(_) => "closed".to_string(),
///         },
///         _ = scheduler::sleep(Duration::from_millis(50)) => "timed out".to_string(),
///     }
/// }
///
/// let s = scheduler::Scheduler::new();
/// let (tx, rx) = sync::channel(1);
/// tx.try_send(7).unwrap();
/// assert_eq!(s.run_until_finished(first_message_or_timeout, (rx,)), "got 7");
/// let (_tx, rx) = sync::channel::<u32>(1);
/// assert_eq!(s.run_until_finished(first_message_or_timeout, (rx,)), "timed out");
/// ```
///
/// Each arm is `pattern = pause_point => expression`, separated by commas; the arms are
/// polled in the order written (the first ready one wins, so an arm written first is
/// favoured when several are ready at once). A future from another library takes part
/// through `scheduler::wait(fut)`. `select!` is an expression: its value is the winning
/// arm's, and every arm has the same type.
///
/// The losers are dropped before the winner's arm runs, and what they cancelled is finished
/// by then: a losing arm that ran a [`scope`](crate::scope) has had every task of it
/// dropped. Whatever a dropped pause point was doing is given up. None of
/// `scheduler::sync`'s waits loses anything when dropped: a `recv` that lost the race took
/// no message, a `lock` or `acquire` holds nothing.
///
/// Outside a `#[task]` body, `select!` is a compile error: only the `#[task]` rewrite can
/// pause there.
///
/// ```compile_fail
/// fn plain() {
///     scheduler::select! { _ = scheduler::yield_now() => () }
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`select!` works only in the body of a #[task] fn, whose rewrite expands it: mark \
             the enclosing fn `#[scheduler::task]` (a closure's body cannot pause either)"
        )
    };
}
