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
//! expansion's own tokens are given, once it is made, the span of the item's first token
//! after its attributes (`pub`, `fn`, ...): inside the item, with the name resolution of
//! code written there. A diagnostic about generated code points there.
//!
//! Generated tokens are told from the user's by where they are: at the attribute
//! (`call_site` and `mixed_site` are both there), where no token of the item is. The
//! locals that `mixed_site` kept apart from the user's are all named `__scheduler_..`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};

/// `tokens` with every token placed at the attribute moved to `item`'s first token after
/// its attributes. Where the compiler does not give the attribute's source text (a
/// test, or a macro from another crate without its source), `tokens` as they are.
pub(crate) fn anchor(tokens: TokenStream, item: &TokenStream) -> TokenStream {
    let (Some(site), Some(first)) = (
        Span::call_site().source_text(),
        first_after_attributes(item),
    ) else {
        return tokens;
    };
    let anchor = Anchor { site, root: first };
    anchor.stream(tokens)
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

/// What to move, and where.
struct Anchor {
    /// The attribute's source text: where generated tokens are.
    site: String,
    /// The span the generated tokens get: a token of the user's, inside the item.
    root: Span,
}

impl Anchor {
    fn stream(&self, tokens: TokenStream) -> TokenStream {
        tokens.into_iter().map(|tree| self.tree(tree)).collect()
    }

    fn is_generated(&self, span: Span) -> bool {
        span.source_text().is_some_and(|text| text == self.site)
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
                let span = tree.span();
                if self.is_generated(span) {
                    tree.set_span(self.root);
                }
                tree
            }
        }
    }
}
