//! Waiting for many things at once: [`wait_all`], [`wait_all_results`], [`wait_any`]
//! (`gather.rs`), [`with_timeout`] (`timeout.rs`), and [`scope`] with its [`Scope`]
//! (`scope.rs`). Each returns a [`Pause`](crate::pause::Pause), so in a `#[task]` body it is
//! a plain call that pauses the task.

mod gather;
mod scope;
mod timeout;

pub use gather::{wait_all, wait_all_results, wait_any};
pub(crate) use scope::{PausingScope, scope_with};
pub use scope::{Scope, ScopeHandle, scope};
pub use timeout::{TimedOut, timeout, with_deadline, with_timeout};
