//! The spans of generated tokens, for incremental builds.
//!
//! A token made with `Span::call_site()` or `Span::mixed_site()` (every `quote!` without a
//! span) carries this expansion's mark and sits at the attribute, and rustc hashes both
//! with the attribute's place in the file: an edit anywhere above a `#[task]` fn changed
//! the hash of every generated token below it, and rustc checked and compiled every task
//! fn of the crate again on each edit (`benches/compile_time.sh`, "incremental"). Giving
//! them the user's hygiene was not enough: rustc hashes a span relative to its item only
//! when the span lies inside the item, and the item begins after its attributes, so a
//! token left at the attribute was still hashed by its place in the file. So the
//! expansion's own tokens are given the span of the item's first token after its
//! attributes (`pub`, `fn`, ...): inside the item, with the name resolution of code written
//! there. A diagnostic about generated code points there.
//!
//! Most generated tokens get that span as they are made: the dispatch of each call is
//! spanned at the call (a token of the user's), and the braces and `task_pause(..)` around
//! the body at [`at`]'s span. Only small pieces made by `quote!` without a span (the
//! signature, the site table, `select!`'s expansion, ..) are walked afterwards by
//! [`fragment`]: walking the whole expansion, which is mostly the user's body, asked the
//! compiler where each of its tokens is, one call across the proc-macro bridge per token,
//! and that walk was a third of the macro's run. So the body's statements are not walked:
//! code that makes tokens among them makes them at [`at`]'s span (`Ident::new(.., at(..))`,
//! `quote_spanned!`), at the user's, or passes its piece through [`fragment`].
//!
//! A walked token is told from the user's by where it is: at the attribute (`call_site`
//! and `mixed_site` are both there), where no token of the item begins. The locals that
//! `mixed_site` kept apart from the user's are all named `__scheduler_..`.

use std::cell::Cell;

use proc_macro2::{Group, Span, TokenStream, TokenTree};

thread_local! {
    /// The anchor of the expansion running on this thread: where generated tokens go, and
    /// where they are until then (the attribute's line and column). `None` where the
    /// compiler does not give the attribute's source text (a unit test, or a macro from
    /// another crate without its source): generated tokens then stay where they are made.
    static ANCHOR: Cell<Option<Anchor>> = const { Cell::new(None) };
}

/// Where generated tokens go, and where they are until then.
#[derive(Clone, Copy)]
struct Anchor {
    /// The attribute's line and column. No token of the item begins there.
    site: (usize, usize),
    /// The span the generated tokens get: a token of the user's, inside the item.
    root: Span,
}

/// Runs `expand`, the expansion of `item`, with its anchor set: `item`'s first token
/// after its attributes.
pub(crate) fn with<R>(item: &TokenStream, expand: impl FnOnce() -> R) -> R {
    let site = Span::call_site();
    let anchor = match (site.source_text(), first_after_attributes(item)) {
        (Some(_), Some(root)) => {
            let site = site.unwrap();
            Some(Anchor {
                site: (site.line(), site.column()),
                root,
            })
        }
        _ => None,
    };
    let outer = ANCHOR.with(|slot| slot.replace(anchor));
    /// Puts the outer anchor back, also if `expand` panics.
    struct Restore(Option<Anchor>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            ANCHOR.with(|slot| slot.set(outer));
        }
    }
    let _restore = Restore(outer);
    expand()
}

/// The span for a token made by the expansion: the anchor, or `span` (`Span::call_site()`,
/// `Span::mixed_site()`) where there is none.
pub(crate) fn at(span: Span) -> Span {
    ANCHOR.with(Cell::get).map_or(span, |anchor| anchor.root)
}

/// `tokens` with every token placed at the attribute moved to the anchor.
pub(crate) fn fragment(tokens: TokenStream) -> TokenStream {
    match ANCHOR.with(Cell::get) {
        Some(anchor) => anchor.stream(tokens),
        None => tokens,
    }
}

/// The span of the first token of `item` that is not part of an outer attribute (a doc
/// comment is one too: `#[doc = ".."]`).
fn first_after_attributes(item: &TokenStream) -> Option<Span> {
    let mut tokens = item.clone().into_iter().peekable();
    while let Some(TokenTree::Punct(pound)) = tokens.peek() {
        if pound.as_char() != '#' {
            break;
        }
        tokens.next();
        tokens.next(); // the attribute's `[..]`
    }
    tokens.next().map(|first| first.span())
}

impl Anchor {
    fn stream(&self, tokens: TokenStream) -> TokenStream {
        tokens.into_iter().map(|tree| self.tree(tree)).collect()
    }

    /// Asks the compiler (two numbers, not the token's source text: a string for each).
    fn is_generated(&self, span: Span) -> bool {
        let span = span.unwrap();
        span.line() == self.site.0 && span.column() == self.site.1
    }

    fn tree(&self, mut tree: TokenTree) -> TokenTree {
        match tree {
            TokenTree::Group(group) => {
                let span = if self.is_generated(group.span_open()) {
                    self.root
                } else {
                    group.span()
                };
                let mut anchored = Group::new(group.delimiter(), self.stream(group.stream()));
                anchored.set_span(span);
                TokenTree::Group(anchored)
            }
            _ => {
                if self.is_generated(tree.span()) {
                    tree.set_span(self.root);
                }
                tree
            }
        }
    }
}
