//! `scheduler::select! { pat = pause_point => expr, .. }` in a `#[task]` body: parsed here
//! and expanded into a race over the arms' futures, polled in the order written. An arm
//! whose value does not match its pattern is out of the race, and the others go on.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Pat, Token};

/// One arm: `pat = future => body`.
pub(crate) struct Arm {
    /// What the winner's value is matched against.
    pub(crate) pat: Pat,
    /// The pause point raced.
    pub(crate) future: Expr,
    /// What runs when this arm wins.
    pub(crate) body: Expr,
}

/// Every arm of one `select!`.
pub(crate) struct Select {
    /// The arms, in the order written (and polled).
    pub(crate) arms: Vec<Arm>,
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut arms = Vec::new();
        while !input.is_empty() {
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected `=`: a select! arm is `pattern = pause_point => expression`",
                )
            })?;
            let future: Expr = input.parse()?;
            input.parse::<Token![=>]>().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected `=>`: a select! arm is `pattern = pause_point => expression`",
                )
            })?;
            let body: Expr = input.parse()?;
            let is_block = matches!(body, Expr::Block(_));
            arms.push(Arm { pat, future, body });
            if input.is_empty() {
                break;
            }
            if is_block {
                let _ = input.parse::<Option<Token![,]>>()?;
            } else {
                input.parse::<Token![,]>().map_err(|error| {
                    syn::Error::new(error.span(), "expected `,` between select! arms")
                })?;
            }
        }
        if arms.is_empty() {
            return Err(input
                .error("select! needs at least one arm: `pattern = pause_point => expression`"));
        }
        Ok(Select { arms })
    }
}

/// `true` when `path` names this crate's `select!`: `select`, `scheduler::select`, or the
/// `crate = ".."` path's.
pub(crate) fn is_select(path: &syn::Path) -> bool {
    let Some(last) = path.segments.last() else {
        return false;
    };
    if last.ident != "select" {
        return false;
    }
    let krate = crate::krate::path().to_string().replace(' ', "");
    let prefix: String = path
        .segments
        .iter()
        .take(path.segments.len() - 1)
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::");
    let krate = krate.trim_start_matches("::");
    prefix.is_empty() || prefix == "scheduler" || prefix == krate
}

/// Where a `select!` is, for the pause stacks: its own site and each arm's (each the tokens
/// of a reference to its site's `static` in the task fn, `rewrite.rs`).
pub(crate) struct Sites {
    pub(crate) select: TokenStream,
    pub(crate) arms: Vec<TokenStream>,
}

/// The race, with the arms' futures and bodies already rewritten.
//
// Input:
//     scheduler::select! { msg = rx.recv() => on_msg(msg), _ = sleep(d) => on_timeout() }
// Output:
//     {
//         enum __SchedulerWon<T0, T1> { Arm0(T0), Arm1(T1) }
//         let __scheduler_won = {
//             let mut __scheduler_arm0 = pin!(Some(__private::select_arm(rx.recv())));
//             let mut __scheduler_arm1 = pin!(Some(__private::select_arm(sleep(d))));
//             let __scheduler_won = poll_fn(|cx| {
//                 if let Ready(v) = __private::arm_in_play(__scheduler_arm0.as_mut()).poll(cx) {
//                     return Ready(__SchedulerWon::Arm0(v)); // if `v` matches its pattern
//                 }
//                 if let Ready(v) = __private::arm_in_play(__scheduler_arm1.as_mut()).poll(cx) {
//                     return Ready(__SchedulerWon::Arm1(v));
//                 }
//                 // every arm done, none matched: `__private::no_arm_matched()`
//                 Pending
//             })
//             .await;
//             // the losers are dropped, and what they cancelled is waited for, before the
//             // winner's body runs
//             __private::select_drop_losers(|| { __scheduler_arm0.set(None); .. }).await;
//             __scheduler_won
//         };
//         match __scheduler_won {
//             __SchedulerWon::Arm0(msg) => on_msg(msg),
//             __SchedulerWon::Arm1(_) => on_timeout(),
//             _ => __private::won_arm_unmatched(),
//         }
//     }
// The panics are the library's fns, not `panic!`s in the user's fn: clippy's
// `missing_panics_doc` would say the user's fn may panic (`tests/lints`).
pub(crate) fn expand(select: Select, span: Span, sites: &Sites) -> TokenStream {
    let krate = crate::krate::path();
    // At the `select!`: where its panic says it is (`no_arm_matched` is `#[track_caller]`).
    let krate_here = crate::krate::path_at(span);
    let select_site = &sites.select;
    let site = Span::mixed_site();
    let branches = syn::Ident::new("__scheduler_branches", site);
    let mark = syn::Ident::new("__scheduler_mark", site);
    let won = syn::Ident::new("__SchedulerWon", site);
    let won_value = syn::Ident::new("__scheduler_won", site);
    let cx = syn::Ident::new("__scheduler_cx", site);
    let ready = syn::Ident::new("__scheduler_ready", site);
    let count = select.arms.len();
    let params: Vec<_> = (0..count)
        .map(|i| format_ident!("T{}", i, span = site))
        .collect();
    let variants: Vec<_> = (0..count)
        .map(|i| format_ident!("Arm{}", i, span = site))
        .collect();
    let futures: Vec<_> = (0..count)
        .map(|i| format_ident!("__scheduler_arm{}", i, span = site))
        .collect();
    let pins = select
        .arms
        .iter()
        .zip(&futures)
        .zip(&sites.arms)
        .map(|((arm, name), arm_site)| {
            let future = &arm.future;
            let span = future.span();
            let krate = crate::krate::path_at(span);
            quote_spanned! {span=>
                let mut #name = ::core::pin::pin!(::core::option::Option::Some(
                    #krate::__private::select_arm(#future, #arm_site)
                ));
            }
        });
    let done: Vec<_> = (0..count)
        .map(|i| format_ident!("__scheduler_done{}", i, span = site))
        .collect();
    let polls = select.arms.iter().enumerate().map(|(i, arm)| {
        let (name, variant, done, pat) = (&futures[i], &variants[i], &done[i], &arm.pat);
        quote! {
            if !#done {
                let #mark = #branches.begin();
                if let ::core::task::Poll::Ready(#ready) = ::core::future::Future::poll(
                    #krate::__private::arm_in_play(#name.as_mut()),
                    #cx,
                ) {
                    #done = true;
                    // A pattern that always matches makes the `_` arm unreachable;
                    // an arm's `()` future makes it a `_` over `()`.
                    #[allow(unreachable_patterns, unused_variables, clippy::ignored_unit_patterns)]
                    match &#ready {
                        #pat => {
                            #branches.won();
                            return ::core::task::Poll::Ready(#won::#variant(#ready));
                        }
                        _ => {}
                    }
                    #branches.ended(#mark);
                } else {
                    #branches.end();
                }
            }
        }
    });
    let arms = select.arms.iter().zip(&variants).map(|(arm, variant)| {
        let (pat, body) = (&arm.pat, &arm.body);
        quote!(#won::#variant(#pat) => #body,)
    });
    quote_spanned! {span=>
        {
            enum #won<#(#params),*> { #(#variants(#params)),* }
            let #won_value = {
                #(#pins)*
                #(let mut #done = false;)*
                let #won_value = #krate::__private::at_site(::core::future::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
                    let #branches = #krate::__private::branches();
                    #(#polls)*
                    if #(#done)&&* {
                        #krate_here::__private::no_arm_matched();
                    }
                    ::core::task::Poll::Pending
                }), #select_site)
                .await;
                // The losers are dropped here, and what they cancelled is waited for.
                #krate::__private::at_site(#krate::__private::select_drop_losers(|| {
                    #(#futures.as_mut().set(::core::option::Option::None);)*
                }), #select_site)
                .await;
                #won_value
            };
            #[allow(unreachable_patterns)]
            match #won_value {
                #(#arms)*
                _ => #krate::__private::won_arm_unmatched(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arms_parse_with_and_without_blocks() {
        let select: Select = syn::parse_quote!(
            msg = rx.recv() => { handle(msg) }
            _ = sleep(d) => timeout(),
            Ok(x) | Err(x) = other() => x,
        );
        assert_eq!(select.arms.len(), 3);
    }

    #[test]
    fn a_missing_comma_or_arrow_is_an_error_that_shows_the_shape() {
        let error = syn::parse2::<Select>(quote!(a = f() => g() b = h() => i()))
            .err()
            .unwrap();
        assert!(error.to_string().contains("expected `,`"), "{error}");
        let error = syn::parse2::<Select>(quote!(a = f() g())).err().unwrap();
        assert!(error.to_string().contains("expected `=>`"), "{error}");
        let error = syn::parse2::<Select>(quote!()).err().unwrap();
        assert!(error.to_string().contains("at least one arm"), "{error}");
    }

    #[test]
    fn the_names_that_are_ours() {
        assert!(is_select(&syn::parse_quote!(select)));
        assert!(is_select(&syn::parse_quote!(scheduler::select)));
        assert!(is_select(&syn::parse_quote!(::scheduler::select)));
        assert!(!is_select(&syn::parse_quote!(tokio::select)));
    }
}
