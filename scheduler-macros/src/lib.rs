//! The `#[task]`, `#[main]` and `#[test]` attributes of the [`scheduler`] crate. Use them
//! through its re-exports: `scheduler::task`, `scheduler::main`, `scheduler::test`.
//!
//! [`scheduler`]: https://docs.rs/plain-scheduler
//!
//! # How a `#[task]` body pauses
//!
//! A `#[task]` fn is a plain fn: no `async`, no `.await`. Its body runs as a task, and every
//! call in it is a *possible* pause point: the macro wraps each call so that, when its value
//! is a pause value (`scheduler::sleep(d)`, `scheduler::wait(fut)`, a call to another
//! `#[task]` fn, ...), the task pauses there and gets the result; every other value passes
//! through untouched. Which calls pause is decided by the value's type, not by the called
//! fn's name, so wrapping pause points in your own helpers (a `#[task]` method) works.
//!
//! The rewrite looks into everything the body evaluates itself: blocks, `let` (and
//! `let`-`else`), `if`, `match`, loops, operators, `?`, fields, indexing, tuples, arrays,
//! struct literals, `return`, `break` with a value, and the arguments of `print!`,
//! `println!`, `eprint!`, `eprintln!`, `format!`, `format_args!`, `write!`, `writeln!`,
//! `panic!`, `assert!`, `assert_eq!`, `assert_ne!`, their `debug_` forms, `vec!` and `dbg!`.
//! It does not look into other macros (a pause point inside one is dropped unrun, which
//! panics naming the call site), nor into nested items (`fn`, `impl`, `const`, ...), which
//! are their own code.
//!
//! ## Calls left as they are
//!
//! Telling a pause value from another value needs the value's type where the call is. A few
//! calls usually get their type from later code, so the rewrite leaves them alone (they are
//! never pause points):
//!
//! - methods named `collect`, `sum`, `product`, `into`, `try_into`, `unwrap`, `expect`,
//!   `unwrap_or`, `unwrap_or_else`, `unwrap_or_default`, `clone`, `to_string`, `to_owned`,
//!   `iter`, `iter_mut`, `into_iter`, `as_ref`, `as_mut`, `borrow`, `borrow_mut`, `len`,
//!   `is_empty`;
//! - calls of paths ending in `Some`, `Ok`, `Err`, `default`, `from`, `into`, `try_from`,
//!   `drop`, and the fns that never return: `exit`, `abort`, `panic_any`, `resume_unwind`,
//!   `unreachable_unchecked`.
//!
//! If another call's type is only known later, the compiler says "type annotations needed"
//! at that call: write a turbofish (`"5".parse::<u32>()`) or annotate the `let`
//! (`let v: Vec<u32> = ...`). A call of a fn of your own that returns `!` needs the same
//! care: call it from a plain helper that returns the type expected there.
//!
//! ## Temporaries, locks and `Send`
//!
//! A call's value is dispatched within the statement that makes it, so the temporaries of
//! its arguments live to the end of that statement, as in plain code: `s.to_string().as_str()`
//! works. A `!Send` temporary in a pause point's arguments (`wait_for(&Rc::new(1))`) is
//! held across that pause, as it would be across an `.await`: bind it with `let` first.
//!
//! Only pause points are await points to the compiler: a plain call's value goes through
//! an arm of the dispatch that holds a type with no values, which the compiler knows never
//! runs. So a `std::sync::MutexGuard` or an `Rc` alive across plain calls
//! (`let n = { let g = m.lock().unwrap(); g.len() };`) keeps the task `Send`, and adds
//! nothing to the task's state. A pause point keeps the same state as its `.await` in an
//! `async fn`, and one word more: the address of its site, for the pause stacks of
//! `Scheduler::dump` and the reports. A std guard held across
//! a real pause is what clippy's `await_holding_lock` warns of: use
//! `scheduler::sync::Mutex` there, whose guard may be held while the task waits.
//!
//! ## Signatures, editions, recursion
//!
//! A `#[task]` fn may take references, `&self` / `&mut self`, `'_` in paths, `impl Trait`
//! and generic lifetimes on every edition from 2018 on: the macro names every elided
//! lifetime and lists them all in the return type's bounds, which editions before 2024
//! need for the future to hold them. It goes on trait method declarations
//! (`#[task] fn get(&self) -> u32;`) and on the methods of their impls.
//!
//! A call of the fn to itself (`n * fact(n - 1)`, `child.size()`,
//! `run_until_finished(fact, (n - 1,))`) is boxed: one allocation per recursive call, so
//! that its future does not hold itself. Two fns that call, run or queue each other need
//! one of them `#[task(boxed)]`, whose future lives on the heap as a
//! `Pin<Box<dyn Future + Send>>`: a type the compiler can size, and knows is `Send`
//! without looking into the other fn (which it cannot, while it checks this one).
//!
//! ## Statements
//!
//! A call written as a statement whose value is a future, but not a pause value
//! (`some_async_fn(x);`), is a compile error: nothing would ever run it. Wait for it with
//! `scheduler::wait(some_async_fn(x))`. A `TaskHandle` dropped as a statement detaches its
//! task, as everywhere.
//!
//! ## Closures
//!
//! A closure is plain code: it cannot pause. A pause point called inside a closure in a
//! `#[task]` body is a compile error at the call, saying what to write instead, unless the
//! closure *returns* it and is the task of a scheduler call or a local
//! (`queue_to_run(move || greet("hi", true), ())`): such a closure is itself a task. A
//! closure handed to any other call (`map`, `for_each`) may not return one either. A
//! `move` closure whose body is one method call handed to a scheduler call
//! (`queue_to_run(move || ev.wait(), ())`) owns what it waits on: the call runs in a block
//! that holds `ev`.
//!
//! ## Misuse
//!
//! `#[task]` on an `async fn`, `.await` in the body, and `async` blocks or closures in the
//! body are compile errors at that token: write the call without `.await` (it pauses by
//! itself), and wait for a future from another library with `scheduler::wait(fut)`.
#![deny(missing_docs)]

mod anchor;
mod args;
mod entry;
#[cfg(test)]
mod fuzz_tests;
mod krate;
mod lifetimes;
mod queue;
mod rewrite;
mod select;
mod task;

use proc_macro::TokenStream;

use entry::Entry;

/// Marks a plain fn as a task: its calls to pause points pause, and calling it from another
/// `#[task]` fn is itself a pause point.
///
/// ```ignore
/// use std::time::Duration;
///
/// #[scheduler::task]
/// fn set_tv_channel(channel: u32) -> u32 {
///     scheduler::sleep(Duration::from_millis(20)); // other tasks run meanwhile
///     channel
/// }
///
/// let s = scheduler::Scheduler::new();
/// assert_eq!(s.run_until_finished(set_tv_channel, (7,)), 7);
/// ```
///
/// Works on free fns and methods (`&self`, `&mut self`, `self`), generic or not, with any
/// return type (`Result` with `?`, `impl Trait`, ...). Attributes and docs stay on the fn.
///
/// # Arguments
///
/// - `name = "..."`: the task's name in messages and traces, instead of the fn's path;
/// - `boxed`: the future lives on the heap, as `Pin<Box<dyn Future + Send>>` (one
///   allocation per call): for two task fns that call or queue each other;
/// - `crate = "path"`: the path of the `scheduler` crate where it is a renamed dependency
///   (`sched = { package = "plain-scheduler", .. }`: `crate = "sched"`).
///
/// # What it stands for
///
/// ```ignore
/// #[task]
/// pub fn set_tv_channel(channel: u32) -> u32 { body }
/// ```
/// becomes
/// ```ignore
/// #[track_caller]
/// pub fn set_tv_channel(channel: u32)
///     -> ::scheduler::Pause<impl ::core::future::Future<Output = u32>> {
///     fn __scheduler_task_name() {}
///     ::scheduler::__private::task_pause(
///         ::core::any::type_name_of_val(&__scheduler_task_name), // or the `name`
///         async move {
///             use ::scheduler::__private::{Plain as _, QueueAnywhere as _, QueueHere as _, ..};
///             let channel = channel;
///             body // each call `f(x)` written as:
///             // match Dispatch(f(x)).step(__SCHEDULER_SITE_0) {
///             //     step => match step {
///             //         Step::Now(v) => v,               // a plain value
///             //         Step::Later(_) => step.await,    // a pause point
///             //     },
///             // }
///         },
///     )
/// }
/// ```
/// The dispatch awaits `v` when it is a `Pause` and passes any other value through; see
/// the crate docs for which calls are left as they are.
#[proc_macro_attribute]
pub fn task(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let (tokens, checked) = anchor::with(&item, || task::expand(args.into(), item.clone()));
    with_errors(tokens, checked)
}

/// Runs `main`'s body as a task on a fresh scheduler, until it returns.
///
/// ```ignore
/// #[scheduler::main]
/// fn main() {
///     scheduler::sleep(std::time::Duration::from_millis(1));
///     println!("{}", scheduler::run_until_finished(|| 7, ()));
/// }
/// ```
///
/// # Arguments
///
/// - `threads = N`: a work-stealing scheduler on `N` threads (tasks must be `Send`);
/// - `seed = N`: ready tasks run in a reproducible random order;
/// - `virtual_time`: the clock jumps to the next deadline when every task waits on one
///   (single-threaded only);
/// - `crate = "path"`: the path of a renamed `scheduler` dependency.
///
/// # What it stands for
///
/// ```ignore
/// #[scheduler::main(threads = 4)]
/// fn main() -> Result<(), E> { body }
/// ```
/// becomes
/// ```ignore
/// fn main() -> Result<(), E> {
///     #[scheduler::task(name = concat!(module_path!(), "::main"))] // expanded in place
///     fn __scheduler_main() -> Result<(), E> { body }
///     ::scheduler::Scheduler::builder().threads(4).build()
///         .run_until_finished(__scheduler_main, ())
/// }
/// ```
/// With no arguments, the scheduler is `::scheduler::Scheduler::new()`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry(Entry::Main, args, item)
}

/// A test whose body runs as a task on a fresh scheduler; adds `#[test]` itself.
///
/// ```ignore
/// #[scheduler::test]
/// fn sleeping_takes_time() {
///     let start = std::time::Instant::now();
///     scheduler::sleep(std::time::Duration::from_millis(5));
///     assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// }
/// ```
///
/// Takes the arguments of [`macro@main`] (`threads = N`, `seed = N`, `virtual_time`,
/// `crate = "path"`), keeps other attributes
/// (`#[should_panic]`, `#[ignore]`), and may return a `Result`. The task is named
/// `<module path>::<test fn name>`.
///
/// # What it stands for
///
/// ```ignore
/// #[scheduler::test]
/// fn adds_up() { body }
/// ```
/// becomes
/// ```ignore
/// #[::core::prelude::v1::test]
/// fn adds_up() {
///     #[scheduler::task(name = concat!(module_path!(), "::adds_up"))] // expanded in place
///     fn __scheduler_main() { body }
///     ::scheduler::Scheduler::new().run_until_finished(__scheduler_main, ())
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry(Entry::Test, args, item)
}

/// The shim shared by `#[main]` and `#[test]`.
fn entry(entry: Entry, args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let (tokens, checked) = anchor::with(&item, || {
        let (tokens, checked) = entry::expand(entry, args.into(), item.clone());
        (anchor::fragment(tokens), checked)
    });
    with_errors(tokens, checked)
}

/// The expansion, followed by its errors as `compile_error!`s.
///
/// On error the expansion is still the best the macro could make (see `task::expand`), so
/// one mistake gives one error, not a cascade in the fn's callers.
fn with_errors(mut tokens: proc_macro2::TokenStream, checked: syn::Result<()>) -> TokenStream {
    if let Err(error) = checked {
        tokens.extend(error.to_compile_error());
    }
    tokens.into()
}
