//! Support for the code that `#[task]`, `#[main]` and `#[test]` expand to. Not public API:
//! nothing here is covered by semver, and users never name it.
//!
//! The body rewrite wraps each call `e` in a `#[task]` body as
//!
//! ```text
//! match Dispatch(e).step(__SCHEDULER_SITE_i) {
//!     step => match step {
//!         Step::Now(v) => v,
//!         Step::Later(_) => step.await,
//!     },
//! }
//! ```
//!
//! Method resolution picks the inherent `step` of `Dispatch<Pause<F>>` when `e` is a
//! [`Pause`] (inherent methods are tried first, by type alone) and [`Plain`]'s for every
//! other type. So exactly the pause values are awaited, chosen by type. Every other
//! value comes back as `Step::Now(v)`, whose `Later` arm holds a [`Never`], a future that
//! cannot exist: the compiler knows that arm's `.await` is unreachable, so a plain call is
//! no await point at all. A lock guard or an `Rc` alive across it does not make the task
//! `!Send`, and nothing alive across it is kept in the task's state (which is an `async
//! fn`'s with `.await` on its pause points only; in a debug build one word more per pause
//! point's await, the address of its site, which `step` puts in the [`At`] it awaits, and
//! nothing in an optimized build, where the site is a type: see [`Locate`]). The other way
//! round, a pause value
//! comes back as `Step::Later(f)`, whose `Now` arm holds [`Unreachable`] (the type `!`):
//! that arm needs no code either, and a pause point compiles to about what its `.await`
//! would (a tenth less LLVM IR for `benches/compile_time.sh`'s program). Inside closures,
//! which cannot pause, the rewrite calls `forbid` instead, which fails to compile for a
//! `Pause`. One probe and one generic fn per call: every call of every task
//! body is compiled this way, so its cost is the compile time of a `#[task]` crate. The
//! fns are `#[inline]`, not `#[inline(always)]`: a debug build compiles each once per type
//! instead of into every call (a sixth of the LLVM IR of `benches/compile_time.sh`'s
//! program), and an optimized build inlines them anyway.
//!
//! A call `scheduler::queue_to_run(f, args)` in a `#[task]` body is rewritten the same way,
//! by the type of the task it makes:
//!
//! ```text
//! (match queue(f, args) { q => resolved(&q).__scheduler_queue_kind().queue(q) })
//! ```
//!
//! (`resolved(&q)` is `&q`, through a call: the compiler settles pending inference, such as
//! which `Kind` of fn `f` is, before it checks a call's arguments, and the method lookup
//! needs it settled to see whether the task is `Send`.)
//!
//! [`QueueAnywhere`] is chosen when the task's future and output are `Send`: on a pool the
//! task may then run on any worker. [`QueueHere`] is chosen for every other task, which stays
//! on the calling thread. (The free function itself cannot ask: a generic fn cannot tell
//! whether a type is `Send`, and requiring it would reject `!Send` work.)

use core::future::{Future, IntoFuture};
use core::marker::PhantomData;
use core::task::Poll;
use std::panic::Location;
use std::time::Duration;

use crate::pause::Head;
pub use crate::pause::Pause;
use crate::reason::Reason;
use crate::runtime::{self, Anywhere, Here};
use crate::schedulable::Schedulable;
pub use crate::stack::{At, Locate, Site, SiteRef};
use crate::task::TaskHandle;
use crate::waiting::Scope;

/// A call's value on its way through the dispatch: `Dispatch(v).step()` finds the inherent
/// method of `Dispatch<Pause<F>>` when `v` is a [`Pause`], and [`Plain`]'s for any other
/// value (inherent methods come first, and the compiler tries them by type alone).
pub struct Dispatch<T>(pub T);

/// What the dispatch makes of a call's value: a plain value to use `Now`, or a pause point's
/// future to await `Later`.
pub enum Step<T, F> {
    /// A plain value, used as it is.
    Now(T),
    /// A pause point's future, awaited.
    Later(F),
}

impl<T, F: Future> IntoFuture for Step<T, F> {
    type Output = F::Output;
    type IntoFuture = F;

    /// The pause point's future; only a `Step::Later` is awaited.
    #[inline]
    fn into_future(self) -> F {
        match self {
            Step::Later(fut) => fut,
            Step::Now(_) => not_later(),
        }
    }
}

/// Where `Step::into_future` finds a `Now`: the rewrite never awaits one. Not generic and
/// never inlined, so that each pause type's `into_future` is a move and a branch.
#[cold]
#[inline(never)]
fn not_later() -> ! {
    unreachable!("the #[task] rewrite awaits only a `Step::Later`")
}

/// No value of this type exists.
pub enum Void {}

/// The output of a fn that never returns: the type `!` itself, named through a trait on
/// stable Rust. Unlike [`Void`], a value of it coerces to any type.
pub trait NeverReturns {
    /// What the fn returns.
    type Output;
}

impl<T> NeverReturns for fn() -> T {
    type Output = T;
}

/// The `Now` of a pause point's step: `!`, so that the arm `Step::Now(v) => v` is one the
/// compiler knows never runs (and needs no code), and its `v` coerces to the value of the
/// arm that awaits.
pub type Unreachable = <fn() -> ! as NeverReturns>::Output;

/// The `Later` of a plain value: a future that cannot exist, so the arm that awaits it is
/// unreachable to the compiler, and the call is no await point.
///
/// An enum, not a struct with a private `Void` field: the compiler sees that a variant's
/// fields are empty from any crate, but keeps a foreign struct's private fields to itself
/// and would count the struct as inhabited.
pub enum Never<T> {
    /// Holds a [`Void`]: never made.
    Never(Void, PhantomData<fn() -> T>),
}

impl<T> Future for Never<T> {
    type Output = T;

    #[inline]
    fn poll(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> Poll<T> {
        match *self {
            Never::Never(ref void, _) => match *void {},
        }
    }
}

impl<F: Future> Dispatch<Pause<F>> {
    /// The future to await: the pause point itself, at `site` (what the macro made for it:
    /// its [`Site`]'s `static` in a debug build, a unit struct in an optimized one, see
    /// [`Locate`]), which its [`At`] pushes on the task's pause stack when it returns
    /// `Pending` (`stack.rs`). In a debug build one instance per pause type, shared by every
    /// pause point of that type; in an optimized one, one per pause point, inlined.
    #[inline]
    pub fn step<S: Locate>(self, site: S) -> Step<Unreachable, At<F, S>> {
        // Taken apart here, not by a fn of `Pause`'s: one generic fn per pause type. The
        // future notes its own reason (see `Pause::because`): a task fn's body, awaited as
        // it is, nests one type per call, as an `async fn`'s `.await` does.
        let Pause { fut, head, .. } = self.0;
        head.disarm();
        Step::Later(At { fut, site })
    }

    /// The future to await, boxed: for a call of the task fn to itself, whose future would
    /// otherwise hold itself (one allocation per recursive call).
    #[inline]
    #[allow(clippy::type_complexity)]
    pub fn step_boxed<S: Locate>(
        self,
        site: S,
    ) -> Step<Unreachable, At<core::pin::Pin<Box<F>>, S>> {
        Step::Later(At {
            fut: Box::pin(self.0.into_future()),
            site,
        })
    }

    /// A pause point where the code cannot pause (inside a closure): a compile error. Its
    /// type is the pause's value, so the error is the only one (never a type mismatch
    /// after it).
    #[inline]
    pub fn forbid(self) -> F::Output
    where
        Pause<F>: PausesOnlyInTaskBody,
    {
        drop(self.0.into_future());
        unreachable!("no type implements PausesOnlyInTaskBody")
    }
}

/// The dispatch of every value that is not a [`Pause`]: it is used as it is.
pub trait Plain<T> {
    /// A plain value, used as it is.
    fn step<S>(self, site: S) -> Step<T, Never<T>>;
    /// A plain value, used as it is.
    fn step_boxed<S>(self, site: S) -> Step<T, Never<T>>;
    /// A plain value inside a closure: passed through.
    fn forbid(self) -> T;
}

impl<T> Plain<T> for Dispatch<T> {
    #[inline]
    fn step<S>(self, _: S) -> Step<T, Never<T>> {
        Step::Now(self.0)
    }

    #[inline]
    fn step_boxed<S>(self, _: S) -> Step<T, Never<T>> {
        Step::Now(self.0)
    }

    #[inline]
    fn forbid(self) -> T {
        self.0
    }
}

/// The sites of a `#[task]` fn's pause points, each a `name` and its `Site::here(..)`,
/// which `#[task]` writes at the pause point's span (so that its location is the user's
/// call). Each becomes, by `cfg(debug_assertions)` in the user's crate, a `const`
/// [`SiteRef`] of that name, the site's address (a debug build: its [`At`] holds that
/// word), or a unit struct of that name whose [`Locate`] impl gives the site's `static`
/// (an optimized build, [`zero_sites!`]: its `At` holds nothing). The pause point's call,
/// `step(name)`, is the same in both.
///
/// ```
/// fn name() -> &'static str {
///     "example"
/// }
/// scheduler::__private::sites!(SITE_0 = scheduler::__private::Site::here(name););
/// let at = scheduler::__private::at_site(core::future::ready(1_u8), SITE_0);
/// # #[cfg(not(debug_assertions))]
/// assert_eq!(core::mem::size_of_val(&at), 1);
/// # #[cfg(debug_assertions)]
/// assert_eq!(core::mem::size_of_val(&at), 2 * core::mem::size_of::<usize>());
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __scheduler_sites {
    ($($name:ident = $site:expr;)*) => {
        $(
            #[cfg(debug_assertions)]
            const $name: $crate::__private::SiteRef = $crate::__private::SiteRef(&$site);
        )*
        #[cfg(not(debug_assertions))]
        $crate::__private::zero_sites!($($name = $site;)*);
    };
}
pub use crate::__scheduler_sites as sites;

/// The sites of [`sites!`] in an optimized build: for each, a unit struct named `$name`,
/// whose [`Locate`] impl gives the `static` that `$site` makes.
#[doc(hidden)]
#[macro_export]
macro_rules! __scheduler_zero_sites {
    ($($name:ident = $site:expr;)*) => {
        $(
            #[allow(non_camel_case_types)]
            struct $name;
            // By hand, not derived: a derive is a macro run per pause point.
            #[allow(clippy::expl_impl_clone_on_copy)]
            impl ::core::clone::Clone for $name {
                #[inline(always)]
                fn clone(&self) -> $name {
                    *self
                }
            }
            impl ::core::marker::Copy for $name {}
            impl $crate::__private::Locate for $name {
                #[inline(always)]
                fn site(self) -> &'static $crate::__private::Site {
                    static SITE: $crate::__private::Site = $site;
                    &SITE
                }
            }
        )*
    };
}
pub use crate::__scheduler_zero_sites as zero_sites;

/// Implemented by nothing: the bound that makes a pause point inside a closure a compile
/// error, with a message that says what to write instead.
#[diagnostic::on_unimplemented(
    message = "this pause point is inside a closure, where it cannot pause",
    label = "a closure is plain code: this call would never pause",
    note = "a closure that pauses is a pausing block only where a scheduler call takes a body: `scheduler::scope(|s| ..)`, `with_timeout(d, || .., ())`, `with_deadline(at, || .., ())`; elsewhere move the pause point into the #[task] fn body, or make the closure's work a #[task] fn and queue it: `scheduler::queue_to_run(f, args)`"
)]
pub trait PausesOnlyInTaskBody {}

/// The value of a call to a `#[task]` fn: its body, `fut`, as a pause point named `name`.
///
/// `name` is a path such as `type_name_of_val(&marker_fn)`; a trailing
/// `::__scheduler_task_name` is dropped when the name is shown.
#[track_caller]
#[inline]
pub fn task_pause<F: Future>(name: &'static str, fut: F) -> Pause<F> {
    // Made here, not by a fn of `Pause`'s: one generic fn per task fn. The body's own
    // pause points note what it waits for; the name is for messages.
    Pause {
        fut,
        head: Head::new(Reason::Call(name)),
        _pinned: core::marker::PhantomPinned,
    }
}

/// The value of `move || x.wait()` handed to a scheduler call in a `#[task]` body: the wait,
/// in an `async move` block that owns `x`, as a pause value made here.
#[track_caller]
#[inline]
pub fn owned<F: Future>(fut: F) -> Pause<F> {
    Pause::bare(Reason::Wait, fut)
}

/// The location of the caller, for generated code that names a call site.
#[track_caller]
#[inline]
pub fn caller() -> &'static Location<'static> {
    Location::caller()
}

/// A `queue_to_run(f, args)` call in a `#[task]` body, before the dispatch decides where its
/// task may run.
pub struct Queue<F, Args, Kind> {
    f: F,
    args: Args,
    site: &'static Location<'static>,
    kind: PhantomData<fn() -> Kind>,
}

/// Starts the dispatch of `scheduler::queue_to_run(f, args)` (see the module docs).
#[track_caller]
#[inline]
pub fn queue<F, Args, Kind>(f: F, args: Args) -> Queue<F, Args, Kind>
where
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    Queue {
        f,
        args,
        site: Location::caller(),
        kind: PhantomData,
    }
}

/// A `queue_to_run_after(delay, f, args)` call in a `#[task]` body, before the dispatch
/// decides where its task may run.
pub struct QueueAfter<F, Args, Kind> {
    delay: Duration,
    queue: Queue<F, Args, Kind>,
}

/// Starts the dispatch of `scheduler::queue_to_run_after(delay, f, args)`.
#[track_caller]
#[inline]
pub fn queue_after<F, Args, Kind>(delay: Duration, f: F, args: Args) -> QueueAfter<F, Args, Kind>
where
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    QueueAfter {
        delay,
        queue: queue(f, args),
    }
}

impl<F, Args, Kind> QueueAnywhere for QueueAfter<F, Args, Kind>
where
    F: Schedulable<Args, Kind>,
    F::Future: Send,
    F::Output: Send,
{
}

/// An `s.queue_to_run(f, args)` call on a [`Scope`] in a `#[task]` body, before the
/// dispatch decides where its task may run.
pub struct ScopeQueue<'s, F, Args, Kind> {
    scope: &'s Scope,
    queue: Queue<F, Args, Kind>,
}

/// Starts the dispatch of `s.queue_to_run(f, args)` on a scope.
#[track_caller]
#[inline]
pub fn queue_in<F, Args, Kind>(scope: &Scope, f: F, args: Args) -> ScopeQueue<'_, F, Args, Kind>
where
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    ScopeQueue {
        scope,
        queue: queue(f, args),
    }
}

impl<F, Args, Kind> QueueAnywhere for ScopeQueue<'_, F, Args, Kind>
where
    F: Schedulable<Args, Kind>,
    F::Future: Send,
    F::Output: Send,
{
}

/// `value` itself, as a call (see the module docs).
#[inline]
pub fn resolved<T>(value: &T) -> &T {
    value
}

/// Tag for a task that may run on any thread of the scheduler.
pub struct AnywhereTag;

/// Tag for a task that must stay on the calling thread.
pub struct HereTag;

/// Chosen when the task is `Send` (no autoref needed).
pub trait QueueAnywhere {
    /// Where the task may run.
    #[inline]
    fn __scheduler_queue_kind(&self) -> AnywhereTag {
        AnywhereTag
    }
}

impl<F, Args, Kind> QueueAnywhere for Queue<F, Args, Kind>
where
    F: Schedulable<Args, Kind>,
    F::Future: Send,
    F::Output: Send,
{
}

/// Chosen for every other task (one autoref later).
pub trait QueueHere {
    /// Where the task may run.
    #[inline]
    fn __scheduler_queue_kind(&self) -> HereTag {
        HereTag
    }
}

impl<T> QueueHere for &T {}

impl AnywhereTag {
    /// Queues a `Send` task: on a pool, any worker may take it.
    #[inline]
    pub fn queue<F, Args, Kind>(self, queue: Queue<F, Args, Kind>) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: 'static,
    {
        let Queue { f, args, site, .. } = queue;
        runtime::queue::<Anywhere, _>("scheduler::queue_to_run", || f.into_task(args, site))
    }

    /// Queues a `Send` task that starts once its delay has passed: on a pool, any worker
    /// may take it.
    #[inline]
    pub fn queue_after<F, Args, Kind>(
        self,
        queue: QueueAfter<F, Args, Kind>,
    ) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: 'static,
    {
        let QueueAfter { delay, queue } = queue;
        let Queue { f, args, site, .. } = queue;
        runtime::queue::<Anywhere, _>("scheduler::queue_to_run_after", || {
            let (future, name) = f.into_task(args, site);
            (crate::time::after(delay, future), name)
        })
    }

    /// Queues a `Send` task in a scope: on a pool, any worker may take it.
    #[inline]
    pub fn queue_in<F, Args, Kind>(
        self,
        queue: ScopeQueue<'_, F, Args, Kind>,
    ) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: Send + 'static,
        F::Output: Send + 'static,
        Args: 'static,
    {
        let ScopeQueue { scope, queue } = queue;
        let Queue { f, args, site, .. } = queue;
        scope.queue_to_run_placed::<Anywhere, _, _, _>(f, args, site)
    }
}

impl HereTag {
    /// Queues a task in a scope, on the calling thread.
    #[inline]
    pub fn queue_in<F, Args, Kind>(
        self,
        queue: ScopeQueue<'_, F, Args, Kind>,
    ) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        let ScopeQueue { scope, queue } = queue;
        let Queue { f, args, site, .. } = queue;
        scope.queue_to_run_placed::<Here, _, _, _>(f, args, site)
    }

    /// Queues a task that stays on the calling thread.
    #[inline]
    pub fn queue<F, Args, Kind>(self, queue: Queue<F, Args, Kind>) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        let Queue { f, args, site, .. } = queue;
        runtime::queue::<Here, _>("scheduler::queue_to_run", || f.into_task(args, site))
    }

    /// Queues a task that starts once its delay has passed, on the calling thread.
    #[inline]
    pub fn queue_after<F, Args, Kind>(
        self,
        queue: QueueAfter<F, Args, Kind>,
    ) -> TaskHandle<F::Output>
    where
        F: Schedulable<Args, Kind> + 'static,
        F::Future: 'static,
        F::Output: 'static,
        Args: 'static,
    {
        let QueueAfter { delay, queue } = queue;
        let Queue { f, args, site, .. } = queue;
        runtime::queue::<Here, _>("scheduler::queue_to_run_after", || {
            let (future, name) = f.into_task(args, site);
            (crate::time::after(delay, future), name)
        })
    }
}

/// Implemented by every type: `impl Future<Output = T> + Captures<(&'a (), ..)>` names the
/// lifetimes `'a, ..` in a task fn's return type, so that its future may hold them on every
/// edition (before 2024, an `impl Trait` return type holds only the lifetimes its bounds
/// name).
pub trait Captures<T: ?Sized> {}

impl<T: ?Sized, U: ?Sized> Captures<T> for U {}

/// A statement's unused value, by reference, on its way through the check that no future
/// is dropped unrun: `Unused(&v).check()` finds the inherent method of
/// `Unused<&TaskHandle<T>>` for a task's handle (its task runs by itself), [`UnusedFuture`]'s
/// for any other future (a compile error), and [`UnusedValue`]'s, one autoref later, for
/// every other value.
pub struct Unused<T>(pub T);

impl<T> Unused<&TaskHandle<T>> {
    /// A task's handle dropped: its task runs by itself (detached).
    #[inline]
    pub fn check(self) {}
}

/// Chosen for a statement's value that is a future (no autoref needed).
pub trait UnusedFuture<F> {
    /// A future made and dropped in a statement of a `#[task]` body: a compile error.
    fn check(self)
    where
        F: WaitForTheFuture;
}

impl<F: Future> UnusedFuture<F> for Unused<&F> {
    #[inline]
    fn check(self)
    where
        F: WaitForTheFuture,
    {
    }
}

/// Chosen for every other value (one autoref later).
pub trait UnusedValue {
    /// Any other value: nothing to check.
    #[inline]
    fn check(&self) {}
}

impl<T> UnusedValue for Unused<T> {}

/// Implemented by nothing: the bound that makes a future dropped unrun in a `#[task]` body
/// a compile error, with a message that says what to write instead.
#[diagnostic::on_unimplemented(
    message = "this call makes a future that nothing runs",
    label = "this future is dropped here without running",
    note = "to run it and wait for its value, write `scheduler::wait(..)` around the call; if it runs by itself (the handle of a task spawned elsewhere), drop it with `let _ = ..`"
)]
pub trait WaitForTheFuture {}

/// What a `select!` arm may race: a pause point.
#[diagnostic::on_unimplemented(
    message = "a `select!` arm races a pause point, and `{Self}` is not one",
    label = "not a pause point",
    note = "write a pause point here (`rx.recv()`, `scheduler::sleep(d)`, a #[task] fn call); wrap a future from another library in `scheduler::wait(fut)`"
)]
pub trait SelectArm {
    /// The arm's future.
    type Future: Future;
    /// The future to race.
    fn into_arm(self) -> Self::Future;
}

impl<F: Future> SelectArm for Pause<F> {
    type Future = F;

    #[inline]
    fn into_arm(self) -> F {
        self.into_future()
    }
}

/// The future of a `select!` arm (see [`SelectArm`]), awaited at the arm's `site` (see
/// [`Locate`]), which a pending arm pushes on its branch of the pause stack.
#[inline]
pub fn select_arm<A: SelectArm, S: Locate>(arm: A, site: S) -> At<A::Future, S> {
    At::new(arm.into_arm(), site)
}

/// `fut`, a pause point the macro writes itself (a `select!`'s race), awaited at `site`.
#[inline]
pub fn at_site<F: Future, S: Locate>(fut: F, site: S) -> At<F, S> {
    At::new(fut, site)
}

/// The branches of a `select!`'s pause stack, one per arm still pending: each arm's poll
/// is marked as a branch, and when an arm ends, what it pushed is forgotten (`stack.rs`).
pub struct Branches(usize);

/// A `select!`'s poll begins: where its branches begin.
#[inline]
pub fn branches() -> Branches {
    Branches(crate::stack::mark())
}

impl Branches {
    /// An arm's poll begins: its branch begins, and the mark to come back to if it ends.
    #[inline]
    pub fn begin(&self) -> usize {
        let mark = crate::stack::mark();
        crate::stack::branch_begins();
        mark
    }

    /// The arm's poll returned `Pending`: its branch ends.
    #[inline]
    pub fn end(&self) {
        crate::stack::branch_ends();
    }

    /// The arm whose poll began at `mark` ended, and did not win: its branch is forgotten.
    #[inline]
    pub fn ended(&self, mark: usize) {
        crate::stack::back_to(mark);
    }

    /// An arm won: the `select!` does not pause, and every branch is forgotten.
    #[inline]
    pub fn won(&self) {
        crate::stack::back_to(self.0);
    }
}

/// `scope(|s| { .. })` in a `#[task]` body: [`scope`](crate::scope) with the closure as a
/// pausing block, whose pause points pause the task.
#[track_caller]
#[inline]
pub fn scope_pausing<F, Fut, R>(body: F) -> Pause<impl Future<Output = R>>
where
    F: FnOnce(Scope) -> Fut,
    Fut: Future<Output = R>,
{
    crate::waiting::scope_with(crate::waiting::PausingScope(body))
}

/// `with_timeout(d, || { .. }, ())` in a `#[task]` body: the closure's body as a pausing
/// block, a task fn of no arguments whose pause points pause.
#[track_caller]
#[inline]
pub fn pausing<F: Future>(block: F) -> impl FnOnce() -> Pause<F> {
    // Made here, where the caller's location is known; the scheduler call that takes the
    // block calls the closure at once.
    let pause = Pause::bare(Reason::Wait, block);
    move || pause
}

/// `select!`'s losers: `drop_them` drops every arm's future but the winner's, and the
/// returned future is ready once whatever those drops cancelled (a losing arm's scope and
/// its tasks) has had its state dropped, so a `select!` is finished when its arm runs.
pub fn select_drop_losers(drop_them: impl FnOnce()) -> impl Future<Output = ()> {
    let ((), mut pending) = crate::drain::collect(drop_them);
    core::future::poll_fn(move |cx| crate::drain::poll_all(&mut pending, cx))
}

/// A `select!` arm's future while it is in play: each arm is polled until it is done, then
/// never again. The panics a `select!` can raise are the library's, not written into the
/// user's fn, whose clippy `missing_panics_doc` would otherwise blame the user for them.
#[inline]
pub fn arm_in_play<F>(arm: core::pin::Pin<&mut Option<F>>) -> core::pin::Pin<&mut F> {
    arm.as_pin_mut()
        .expect("a select! arm is polled until it is done")
}

/// Every arm of a `select!` finished without matching its pattern.
#[cold]
#[track_caller]
pub fn no_arm_matched() -> ! {
    panic!(
        "every arm of this select! finished without matching its pattern: add an arm whose \
         pattern always matches (`_ = ..`)"
    )
}

/// The arm that won a `select!` matched its pattern when it won: its value matches it again.
#[cold]
pub fn won_arm_unmatched() -> ! {
    unreachable!("the arm that won a select! matched its pattern")
}

/// The state of a single-threaded run loop, wrapped for the doctests that check that it is
/// `!Send` (on purpose, by a marker: its queues may hold `!Send` tasks). Not for use.
///
/// ```
/// fn exists<T>() {}
/// exists::<scheduler::__private::LocalState>();
/// ```
///
/// ```compile_fail
/// fn send<T: Send>() {}
/// send::<scheduler::__private::LocalState>();
/// ```
pub struct LocalState(PhantomData<crate::runtime::local::Local>);

/// The state of one pool worker, wrapped for the doctests that check that it is `!Send` (on
/// purpose, by a marker: it holds pinned tasks, maybe `!Send`). Not for use.
///
/// ```
/// fn exists<T>() {}
/// exists::<scheduler::__private::WorkerState>();
/// ```
///
/// ```compile_fail
/// fn send<T: Send>() {}
/// send::<scheduler::__private::WorkerState>();
/// ```
pub struct WorkerState(PhantomData<crate::runtime::pool::Worker>);
