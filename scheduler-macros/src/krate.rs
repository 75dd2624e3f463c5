//! The one answer to "how does generated code name the `scheduler` crate": `::scheduler`,
//! or the `crate = "path"` argument of the macro being expanded (a renamed dependency).
//!
//! A macro call expands on one thread, start to end; the path is set for the length of
//! that expansion and read by every piece of generated code.

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::quote;

thread_local! {
    /// The path given to the expansion running on this thread, if any.
    static GIVEN: RefCell<Option<syn::Path>> = const { RefCell::new(None) };
}

/// The path of the `scheduler` crate in the code being generated.
pub(crate) fn path() -> TokenStream {
    GIVEN.with(|given| match &*given.borrow() {
        Some(path) => quote!(#path),
        None => quote!(::scheduler),
    })
}

/// The path of the `scheduler` crate, its tokens at `span`: for a path inside code spanned
/// at the user's call, whose expression's span would otherwise stretch from the attribute
/// (where the plain path's tokens are) to the call.
pub(crate) fn path_at(span: proc_macro2::Span) -> TokenStream {
    path()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// Runs `expand` with `given` as the crate's path (or `::scheduler` when `None`).
pub(crate) fn with<R>(given: Option<syn::Path>, expand: impl FnOnce() -> R) -> R {
    let outer = GIVEN.with(|slot| slot.replace(given));
    /// Puts the outer path back, also if `expand` panics.
    struct Restore(Option<Option<syn::Path>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take().flatten();
            GIVEN.with(|slot| *slot.borrow_mut() = outer);
        }
    }
    let _restore = Restore(Some(outer));
    expand()
}
