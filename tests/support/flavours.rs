//! `on_both_flavours!(a, b, ..)`: for each `#[task]` fn named (no arguments), a test that
//! runs it on `Scheduler::new()` (module `one_thread`) and one that runs it on
//! `Scheduler::builder().threads(2).build()` (module `two_threads`), each under a
//! [`Watchdog`](scheduler_workspace::Watchdog). The task checks the behaviour itself.
//!
//! Include it with
//! `#[macro_use] #[path = "support/flavours.rs"] mod flavours;`.

/// See the module docs.
macro_rules! on_both_flavours {
    ($($task:ident),* $(,)?) => {
        mod one_thread {
            $(
                #[test]
                fn $task() {
                    let _watchdog = ::scheduler_workspace::Watchdog::new(
                        std::time::Duration::from_secs(60),
                        concat!(stringify!($task), " on one thread"),
                    );
                    scheduler::Scheduler::new().run_until_finished(super::$task, ());
                }
            )*
        }

        mod two_threads {
            $(
                #[test]
                fn $task() {
                    let _watchdog = ::scheduler_workspace::Watchdog::new(
                        std::time::Duration::from_secs(60),
                        concat!(stringify!($task), " on two threads"),
                    );
                    scheduler::Scheduler::builder()
                        .threads(2)
                        .build()
                        .run_until_finished(super::$task, ());
                }
            )*
        }
    };
}
