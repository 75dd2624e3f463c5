//! The hygiene of generated tokens, for incremental builds.
//!
//! A token made with `Span::call_site()` or `Span::mixed_site()` (every `quote!` without a
//! span) carries this expansion's mark, and rustc hashes that mark with the position of
//! the attribute in the file: an edit anywhere above a `#[task]` fn changed the hash of
//! every generated token below it, and rustc checked and compiled every task fn of the
//! crate again on each edit (`benches/compile_time.sh`, "incremental"). So the expansion's
//! own tokens are given, once it is made, the hygiene of the user's first token (the same
//! place in the file, the attribute's; the name resolution of code written there), which
//! rustc hashes relative to the item, as it does the user's own code.
//!
//! Generated tokens are told from the user's by where they are: at the attribute
//! (`call_site` and `mixed_site` are both there), where no token of the item is. The
//! locals that `mixed_site` kept apart from the user's are all named `__scheduler_..`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};

/// `tokens` with every token placed at the attribute re-marked with the hygiene of
/// `item`'s first token. Where the compiler does not give the attribute's source text (a
/// test, or a macro from another crate without its source), `tokens` as they are.
pub(crate) fn anchor(tokens: TokenStream, item: &TokenStream) -> TokenStream {
    let (Some(site), Some(first)) = (
        Span::call_site().source_text(),
        item.clone().into_iter().next(),
    ) else {
        return tokens;
    };
    let anchor = Anchor {
        site,
        root: first.span(),
    };
    anchor.stream(tokens)
}

/// What to re-mark, and with what.
struct Anchor {
    /// The attribute's source text: where generated tokens are.
    site: String,
    /// A token of the user's, whose hygiene the generated tokens get.
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
                    group.span().resolved_at(self.root)
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
                    tree.set_span(span.resolved_at(self.root));
                }
                tree
            }
        }
    }
}
