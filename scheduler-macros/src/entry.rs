//! `#[main]` and `#[test]`: the fn's body becomes a task, run to completion on a fresh
//! scheduler by the fn itself.
//!
//! Parse → validate → expand. The body is expanded as a `#[task]` fn nested in the entry
//! fn, named after the entry fn's path, so messages and traces say `app::main` or
//! `tests::adds_up`.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ItemFn, Signature};

use crate::args::{self, EntryConfig, Errors};
use crate::task::{self, Shape, TaskName};

/// Which entry macro is expanding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `#[scheduler::main]`.
    Main,
    /// `#[scheduler::test]`, which adds `#[test]` itself.
    Test,
}

impl Entry {
    /// The macro's name, for messages.
    fn name(self) -> &'static str {
        match self {
            Entry::Main => "#[scheduler::main]",
            Entry::Test => "#[scheduler::test]",
        }
    }
}

/// `#[main(args)] item` or `#[test(args)] item`: the expansion, and every error found.
///
/// Errors come with the best expansion the macro can make (`async` removed, the default
/// scheduler), except that an entry fn with parameters or generics gets [`fallback`]: its
/// body would name what no longer exists.
pub(crate) fn expand(
    entry: Entry,
    args: TokenStream,
    item: TokenStream,
) -> (TokenStream, syn::Result<()>) {
    let func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(error) => {
            let message = format!("{error}; {} goes on a fn with a body", entry.name());
            return (item, Err(syn::Error::new(error.span(), message)));
        }
    };
    let mut errors = Errors::default();
    let config = errors.check(args::parse_entry(args)).unwrap_or_default();
    errors.check(validate(entry, &func));
    let tokens = crate::krate::with(config.krate.clone(), || {
        let generics = &func.sig.generics;
        if func.sig.inputs.is_empty()
            && generics.params.is_empty()
            && generics.where_clause.is_none()
        {
            expand_entry(entry, config, func, &mut errors)
        } else {
            fallback(entry, func)
        }
    });
    (tokens, errors.finish(()))
}

/// The entry fn without its parameters and generics, whose body panics: it keeps the fn
/// callable (and `main` a valid `main`) while the errors say what to fix.
fn fallback(entry: Entry, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs, vis, sig, ..
    } = func;
    let Signature {
        unsafety,
        ident,
        output,
        ..
    } = sig;
    let test = (entry == Entry::Test && !has_test_attr(&attrs))
        .then(|| quote!(#[::core::prelude::v1::test]));
    quote! {
        #test
        #(#attrs)*
        #vis #unsafety fn #ident() #output {
            ::core::unreachable!("this fn has compile errors")
        }
    }
}

/// Rejects what an entry fn cannot have, each at its token.
fn validate(entry: Entry, func: &ItemFn) -> syn::Result<()> {
    let mut errors = Errors::default();
    let sig = &func.sig;
    let what = entry.name();
    if let Some(asyncness) = &sig.asyncness {
        errors.push(syn::Error::new(
            asyncness.span(),
            format!(
                "remove `async`: the body of a {what} fn is a task, whose calls to pause \
                     points pause by themselves"
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            format!("remove the parameters: a {what} fn takes none"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            format!("remove the generics: a {what} fn has none"),
        ));
    }
    if let Err(error) = task::validate(sig) {
        // `async` is reported above, in the entry macro's words.
        for error in error
            .into_iter()
            .filter(|e| !e.to_string().starts_with("remove `async`"))
        {
            errors.push(error);
        }
    }
    if entry == Entry::Test
        && let Some(attr) = func.attrs.iter().find(|attr| is_test_attr(attr))
    {
        errors.push(syn::Error::new_spanned(
            attr,
            "remove this `#[test]`: #[scheduler::test] adds it",
        ));
    }
    errors.finish(())
}

/// `true` for `#[test]` and `#[core::prelude::v1::test]`-like attributes.
fn is_test_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|last| last.ident == "test")
}

/// `true` when `attrs` already hold a `#[test]`.
fn has_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_test_attr)
}

/// The expansion of a valid (or already reported) entry fn.
//
// Input:
//     #[scheduler::main(threads = 4)]
//     fn main() -> Result<(), E> { body }
// Output:
//     fn main() -> Result<(), E> {
//         #[track_caller]
//         fn __scheduler_main()
//             -> ::scheduler::Pause<impl ::core::future::Future<Output = Result<(), E>>> {
//             ::scheduler::__private::task_pause(
//                 ::core::concat!(::core::module_path!(), "::main"),
//                 async move { <body, rewritten> },
//             )
//         }
//         ::scheduler::Scheduler::builder().threads(4).build()
//             .run_until_finished(__scheduler_main, ())
//     }
// `#[scheduler::test]` also puts `#[::core::prelude::v1::test]` on the outer fn.
fn expand_entry(
    entry: Entry,
    config: EntryConfig,
    func: ItemFn,
    errors: &mut Errors,
) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let inner_ident = Ident::new("__scheduler_main", Span::mixed_site());
    let task_name = format!("::{}", sig.ident);
    let inner_sig = Signature {
        asyncness: None,
        ident: inner_ident.clone(),
        inputs: Default::default(),
        generics: Default::default(),
        ..sig.clone()
    };
    let inner = ItemFn {
        attrs: Vec::new(),
        vis: syn::Visibility::Inherited,
        sig: inner_sig,
        block,
    };
    let name = quote!(::core::concat!(::core::module_path!(), #task_name));
    let (inner, body_errors) = task::expand_fn(inner, TaskName::Given(name), Shape::Inline);
    if let Some(error) = body_errors {
        errors.push(error);
    }
    let scheduler = scheduler(&config);
    let Signature {
        unsafety,
        ident,
        output,
        ..
    } = sig;
    let test = (entry == Entry::Test).then(|| quote!(#[::core::prelude::v1::test]));
    quote! {
        #test
        #(#attrs)*
        #vis #unsafety fn #ident() #output {
            #inner
            #scheduler.run_until_finished(#inner_ident, ())
        }
    }
}

/// The scheduler an entry fn runs on: `Scheduler::new()`, or a builder with the arguments
/// given, each written at the span of its literal.
fn scheduler(config: &EntryConfig) -> TokenStream {
    let krate = crate::krate::path();
    if config.is_default() {
        return quote!(#krate::Scheduler::new());
    }
    let threads = config.threads.as_ref().map(|threads| {
        let mut value = Literal::usize_unsuffixed(threads.value);
        value.set_span(threads.span);
        quote_spanned!(threads.span=> .threads(#value))
    });
    let seed = config.seed.as_ref().map(|seed| {
        let mut value = Literal::u64_unsuffixed(seed.value);
        value.set_span(seed.span);
        quote_spanned!(seed.span=> .seed(#value))
    });
    let virtual_time = config
        .virtual_time
        .map(|span| quote_spanned!(span=> .virtual_time()));
    quote!(#krate::Scheduler::builder() #threads #seed #virtual_time .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_text(entry: Entry, args: TokenStream, item: TokenStream) -> String {
        let (tokens, checked) = expand(entry, args, item);
        checked.unwrap();
        tokens.to_string()
    }

    fn error_texts(entry: Entry, args: TokenStream, item: TokenStream) -> Vec<String> {
        match expand(entry, args, item) {
            (tokens, Ok(())) => panic!("expected errors, got {tokens}"),
            (_, Err(error)) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn main_runs_its_body_on_a_new_scheduler() {
        let text = expand_text(
            Entry::Main,
            quote!(),
            quote!(
                fn main() {
                    f()
                }
            ),
        );
        assert!(
            text.starts_with(
                "fn main () { # [allow (clippy :: type_complexity , clippy :: needless_lifetimes , clippy :: missing_const_for_fn)] # [track_caller] fn \
                 __scheduler_main ()"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "task_pause (:: core :: concat ! (:: core :: module_path ! () , \"::main\")"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                ":: scheduler :: Scheduler :: new () . run_until_finished (__scheduler_main , ()) }"
            ),
            "{text}"
        );
    }

    #[test]
    fn main_keeps_its_return_type() {
        let text = expand_text(
            Entry::Main,
            quote!(),
            quote!(
                fn main() -> Result<(), E> {
                    Ok(())
                }
            ),
        );
        assert!(
            text.starts_with("fn main () -> Result < () , E > {"),
            "{text}"
        );
        assert!(text.contains("Output = Result < () , E >"), "{text}");
    }

    #[test]
    fn arguments_configure_a_builder() {
        let text = expand_text(
            Entry::Main,
            quote!(seed = 7, threads = 4),
            quote!(
                fn main() {}
            ),
        );
        assert!(
            text.contains(
                ":: scheduler :: Scheduler :: builder () . threads (4) . seed (7) . build () \
                 . run_until_finished"
            ),
            "{text}"
        );
    }

    #[test]
    fn test_adds_the_test_attribute_and_keeps_others() {
        let text = expand_text(
            Entry::Test,
            quote!(),
            quote!(
                #[should_panic]
                fn adds_up() {
                    f()
                }
            ),
        );
        assert!(
            text.starts_with("# [:: core :: prelude :: v1 :: test] # [should_panic] fn adds_up ()"),
            "{text}"
        );
        assert!(text.contains("\"::adds_up\""), "{text}");
    }

    #[test]
    fn a_second_test_attribute_is_an_error() {
        let found = error_texts(
            Entry::Test,
            quote!(),
            quote!(
                #[test]
                fn t() {}
            ),
        );
        assert_eq!(found, ["remove this `#[test]`: #[scheduler::test] adds it"]);
    }

    #[test]
    fn entry_misuse_is_reported_all_at_once() {
        let found = error_texts(
            Entry::Main,
            quote!(flavor = 1),
            quote!(
                async fn main<T>(x: T) {
                    f().await
                }
            ),
        );
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found[0].starts_with("unknown argument `flavor`"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("remove `async`: the body of a #[scheduler::main] fn"),
            "{found:?}"
        );
        assert_eq!(
            found[2],
            "remove the parameters: a #[scheduler::main] fn takes none"
        );
        assert_eq!(
            found[3],
            "remove the generics: a #[scheduler::main] fn has none"
        );
    }

    #[test]
    fn body_misuse_in_main_is_reported_with_the_expansion() {
        let (tokens, checked) = expand(
            Entry::Main,
            quote!(),
            quote!(
                async fn main() {
                    f().await
                }
            ),
        );
        let found: Vec<String> = checked
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[1].starts_with("remove `.await`"), "{found:?}");
        assert!(
            tokens
                .to_string()
                .contains("run_until_finished (__scheduler_main")
        );
    }

    #[test]
    fn parameters_get_a_callable_entry_fn_that_panics() {
        let (tokens, checked) = expand(
            Entry::Main,
            quote!(),
            quote!(
                async fn main(x: u32) {}
            ),
        );
        assert_eq!(checked.unwrap_err().into_iter().count(), 2);
        let text = tokens.to_string();
        assert_eq!(
            text,
            "fn main () { :: core :: unreachable ! (\"this fn has compile errors\") }"
        );
    }

    #[test]
    fn a_second_test_attribute_is_not_doubled() {
        let (tokens, _) = expand(
            Entry::Test,
            quote!(),
            quote!(
                #[test]
                fn t(x: u8) {}
            ),
        );
        assert_eq!(tokens.to_string().matches("test]").count(), 1, "{tokens}");
    }
}
