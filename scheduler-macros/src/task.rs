//! `#[task]`: a plain fn whose body runs as a task, and whose calls to pause points pause.
//!
//! Parse → validate → expand. The signature keeps its name, parameters, generics and
//! `where` clause; only the return type `T` becomes `Pause<impl Future<Output = T>>`, and
//! the body moves into an `async move` block whose calls the body rewrite dispatches.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Pat, PatIdent, ReturnType, Signature, Stmt};

use crate::args::{self, Errors};
use crate::{anchor, lifetimes, rewrite};

/// What the `name` of a task's pause value is made from.
pub(crate) enum TaskName {
    /// The fn's own path, read at run time from a marker fn nested in its body.
    Path,
    /// An expression of type `&'static str`: a `name = "..."` literal, or the entry
    /// macros' `concat!(module_path!(), "::main")`.
    Given(TokenStream),
}

/// `#[task(args)] item`: the expansion, and every error found.
///
/// Errors in the arguments, the signature or the body come with the best expansion the
/// macro can make (the default name, `async` removed, the body rewritten), so that the fn's
/// callers still type-check and the body's own names stay used: one mistake, one error.
/// An item that is not a fn at all is left as written, beside the error.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> (TokenStream, syn::Result<()>) {
    let func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(error) => {
            return match syn::parse2::<syn::TraitItemFn>(item.clone()) {
                Ok(decl) if decl.default.is_none() => expand_declaration(args, decl),
                _ => (item, Err(not_a_fn(error))),
            };
        }
    };
    let mut errors = Errors::default();
    let config = errors.check(args::parse_task(args)).unwrap_or_default();
    errors.check(validate(&func.sig));
    errors.check(validate_name(&func.sig));
    if func.sig.ident == "main" {
        // Only the error: a `main` of any other return type would add rustc's own.
        return (
            crate::anchor::fragment(quote!(
                fn main() {}
            )),
            errors.finish(()),
        );
    }
    let name = match config.name {
        Some(name) => TaskName::Given(quote!(#name)),
        None => TaskName::Path,
    };
    if let Some(span) = config.boxed {
        errors.check(validate_boxed(&func.sig, span));
    }
    let shape = if config.boxed.is_some() {
        Shape::Boxed
    } else {
        Shape::Inline
    };
    let (tokens, body_errors) = crate::krate::with(config.krate, || expand_fn(func, name, shape));
    if let Some(error) = body_errors {
        errors.push(error);
    }
    (tokens, errors.finish(()))
}

/// `#[task]` on a trait method's declaration, `fn get(&self) -> T;`: the declaration's
/// return type becomes the one its `#[task]` impls have.
//
// Input:
//     #[task]
//     fn get(&self, key: &str) -> u32;
// Output:
//     fn get<'__scheduler0, '__scheduler1>(&'__scheduler0 self, key: &'__scheduler1 str)
//         -> ::scheduler::Pause<impl ::core::future::Future<Output = u32>
//             + ::scheduler::__private::Captures<(&'__scheduler0 (), &'__scheduler1 (),)>>;
fn expand_declaration(args: TokenStream, decl: syn::TraitItemFn) -> (TokenStream, syn::Result<()>) {
    let mut errors = Errors::default();
    let config = errors.check(args::parse_task(args)).unwrap_or_default();
    errors.check(validate(&decl.sig));
    errors.check(validate_name(&decl.sig));
    if let Some(span) = config.boxed {
        errors.check(validate_boxed(&decl.sig, span));
    }
    let shape = if config.boxed.is_some() {
        Shape::Boxed
    } else {
        Shape::Inline
    };
    let attrs = &decl.attrs;
    let sig = crate::krate::with(config.krate, || signature(&decl.sig, shape));
    let allow = allow_generated_signature();
    (
        crate::anchor::fragment(quote!(#(#attrs)* #allow #sig;)),
        errors.finish(()),
    )
}

/// The lints the generated signature would trip in the user's name: it is the macro's,
/// but it carries the user's spans (so that an edit re-checks only the fn edited:
/// `anchor.rs`), so clippy takes it for the user's code. Its return type,
/// `Pause<impl Future<Output = T> + Captures<..>>`, is "very complex" for any `T` with a
/// tuple or two in it, and the lifetimes it names for editions before 2024 (`lifetimes.rs`)
/// could be elided, as the user did. And the fn only builds the body's future, which
/// clippy's `missing_const_for_fn` (nursery) would have the user make `const`.
fn allow_generated_signature() -> TokenStream {
    quote!(#[allow(
        clippy::type_complexity,
        clippy::needless_lifetimes,
        clippy::missing_const_for_fn
    )])
}

/// The error when the item is not a fn with a body.
fn not_a_fn(error: syn::Error) -> syn::Error {
    syn::Error::new(
        error.span(),
        format!(
            "{error}; #[task] goes on a fn with a body, such as `#[task] fn nap() {{ .. }}`, \
             or on a trait method's declaration, `#[task] fn get(&self) -> u32;`"
        ),
    )
}

/// Where a task fn's future lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// In its caller's state, as an `async fn`'s does: `Pause<impl Future>`.
    Inline,
    /// `#[task(boxed)]`: on the heap, as `Pin<Box<dyn Future + Send>>`, so two task fns
    /// may call and queue each other (a cycle the compiler cannot size, nor tell `Send`
    /// through an `impl Future`).
    Boxed,
}

/// The name of the lifetime a boxed task's future lives for.
fn boxed_lifetime() -> syn::Lifetime {
    syn::Lifetime::new("'__scheduler_boxed", Span::mixed_site())
}

/// Rejects what `#[task(boxed)]` cannot name: an `impl Trait` parameter has no name to
/// bound by the future's lifetime.
fn validate_boxed(sig: &Signature, flag: Span) -> syn::Result<()> {
    let mut errors = Errors::default();
    for input in &sig.inputs {
        if let FnArg::Typed(typed) = input
            && let syn::Type::ImplTrait(ty) = &*typed.ty
        {
            errors.push(syn::Error::new_spanned(
                ty,
                "a #[task(boxed)] fn takes named generics: write `fn f<T: Trait>(x: T)` \
                     instead of `x: impl Trait`",
            ));
        }
    }
    let _ = flag;
    errors.finish(())
}

/// Rejects the names a task fn cannot have, at the name.
fn validate_name(sig: &Signature) -> syn::Result<()> {
    let mut errors = Errors::default();
    let name = sig.ident.to_string();
    if name == "main" {
        errors.push(syn::Error::new(
            sig.ident.span(),
            "`main` cannot be a #[task] fn: write `#[scheduler::main]` instead of \
             `#[scheduler::task]`, which runs main's body as a task",
        ));
    }
    // A method is called as `x.name()`, or as `T::name(x)` like any fn.
    let is_method = matches!(sig.inputs.first(), Some(FnArg::Receiver(_)));
    if (is_method && rewrite::PLAIN_METHODS.contains(&name.as_str()))
        || rewrite::PLAIN_FNS.contains(&name.as_str())
    {
        errors.push(syn::Error::new(
            sig.ident.span(),
            format!(
                "a #[task] fn cannot be named `{name}`: a #[task] body leaves calls named \
                 `{name}` as they are (their type usually comes from later code), so this \
                 one would never pause; give it another name, such as `{name}_now` or \
                 `fetch_{name}`"
            ),
        ));
    }
    errors.finish(())
}

/// Rejects the signatures a task fn cannot have, each at its keyword.
pub(crate) fn validate(sig: &Signature) -> syn::Result<()> {
    let mut errors = Errors::default();
    if let Some(asyncness) = &sig.asyncness {
        errors.push(syn::Error::new(
            asyncness.span(),
            "remove `async`: a #[task] fn is a plain fn whose calls to pause points pause by \
             themselves",
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new(
            constness.span(),
            "remove `const`: a #[task] fn runs on a scheduler, never at compile time",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "remove the `extern` ABI: a #[task] fn returns a pause value, which only Rust code \
             running on a scheduler can run",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a #[task] fn cannot be variadic: take a slice or a tuple instead",
        ));
    }
    errors.finish(())
}

/// The signature of the expanded fn: `async`, `const`, the ABI and a variadic removed (they
/// are errors already), `mut` moved from parameters into the body (see `rebind_params`),
/// and the return type `T` made `Pause<impl Future<Output = T>>`.
//
// Input:
//     pub fn set_tv_channel<T: Into<u32>>(mut channel: T) -> u32 where T: Copy
// Output:
//     pub fn set_tv_channel<T: Into<u32>>(channel: T)
//         -> ::scheduler::Pause<impl ::core::future::Future<Output = u32>> where T: Copy
pub(crate) fn signature(sig: &Signature, shape: Shape) -> Signature {
    let mut sig = sig.clone();
    sig.asyncness = None;
    sig.constness = None;
    sig.abi = None;
    sig.variadic = None;
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        if let Some(ident) = rebound(input) {
            ident.mutability = None;
        } else if let FnArg::Typed(typed) = input {
            // Any other pattern (`_`, a tuple, a struct) becomes a plain name here and is
            // taken apart inside the task (see `rebind_params`).
            *typed.pat = Pat::Ident(PatIdent {
                attrs: Vec::new(),
                by_ref: None,
                mutability: None,
                ident: param_name(index),
                subpat: None,
            });
        }
    }
    let lifetimes = lifetimes::name_elided(&mut sig);
    let (output, span) = match &sig.output {
        ReturnType::Default => (quote!(()), sig.paren_token.span.close()),
        ReturnType::Type(_, ty) => (quote!(#ty), ty.span()),
    };
    let krate = crate::krate::path();
    // Every lifetime of the signature is named in the return type's bounds, so that the
    // future may hold the references it is given on every edition: from 2024 on, an
    // `impl Trait` return type captures them all by itself; before, only those its bounds
    // name.
    let captures = (!lifetimes.is_empty()).then(|| {
        quote_spanned! {span=> + #krate::__private::Captures<(#(&#lifetimes (),)*)> }
    });
    sig.output = match shape {
        Shape::Inline => syn::parse_quote_spanned! {span=>
            -> #krate::Pause<impl ::core::future::Future<Output = #output> #captures>
        },
        Shape::Boxed => {
            bound_by_boxed_lifetime(&mut sig, &lifetimes);
            let boxed = boxed_type(&output);
            syn::parse_quote_spanned! {span=> -> #krate::Pause<#boxed> }
        }
    };
    sig
}

/// The future of a `#[task(boxed)]` fn whose value is `output`.
fn boxed_type(output: &TokenStream) -> TokenStream {
    let lifetime = boxed_lifetime();
    quote! {
        ::core::pin::Pin<::std::boxed::Box<
            dyn ::core::future::Future<Output = #output> + ::core::marker::Send + #lifetime
        >>
    }
}

/// Declares the boxed future's lifetime, outlived by every lifetime and type the fn takes.
fn bound_by_boxed_lifetime(sig: &mut Signature, lifetimes: &[syn::Lifetime]) {
    let boxed = boxed_lifetime();
    let types: Vec<Ident> = sig
        .generics
        .type_params()
        .map(|t| t.ident.clone())
        .collect();
    let by_value_self = sig
        .inputs
        .iter()
        .any(|input| matches!(input, FnArg::Receiver(r) if r.reference.is_none()));
    sig.generics
        .params
        .push(syn::GenericParam::Lifetime(syn::LifetimeParam::new(
            boxed.clone(),
        )));
    if sig.generics.lt_token.is_none() {
        sig.generics.lt_token = Some(Default::default());
        sig.generics.gt_token = Some(Default::default());
    }
    let where_clause = sig.generics.make_where_clause();
    for lifetime in lifetimes {
        where_clause
            .predicates
            .push(syn::parse_quote!(#lifetime: #boxed));
    }
    for ty in &types {
        where_clause.predicates.push(syn::parse_quote!(#ty: #boxed));
    }
    if by_value_self {
        where_clause
            .predicates
            .push(syn::parse_quote!(Self: #boxed));
    }
}

/// The parameter's binding when it is a plain `name` or `mut name`, which the body rebinds.
fn rebound(input: &mut FnArg) -> Option<&mut PatIdent> {
    let FnArg::Typed(typed) = input else {
        return None;
    };
    match &mut *typed.pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => Some(ident),
        _ => None,
    }
}

/// The name a parameter with a pattern other than a plain name gets in the signature.
fn param_name(index: usize) -> Ident {
    Ident::new(&format!("__scheduler_param{index}"), Span::mixed_site())
}

/// `let name = name;` for each plain parameter, so the task owns it whole until it ends (as
/// an `async fn` would), however little of it the body uses; `mut` moves here. Any other
/// pattern is taken apart inside the task, from the whole value kept until the task ends,
/// so that `_: Guard` is dropped when the task ends, as in an `async fn`, not when the fn is
/// called.
fn rebind_params(sig: &Signature) -> Vec<TokenStream> {
    sig.inputs
        .clone()
        .iter_mut()
        .enumerate()
        .filter_map(|(index, input)| {
            // `#[cfg(..)]` on a parameter goes with its rebinding.
            let cfgs: Vec<syn::Attribute> = match input {
                FnArg::Typed(typed) => typed
                    .attrs
                    .iter()
                    .filter(|attr| attr.path().is_ident("cfg"))
                    .cloned()
                    .collect(),
                FnArg::Receiver(_) => Vec::new(),
            };
            if let Some(PatIdent {
                mutability, ident, ..
            }) = rebound(input)
            {
                return Some(quote!(#(#cfgs)* let #mutability #ident = #ident;));
            }
            let FnArg::Typed(typed) = input else {
                return None;
            };
            let name = param_name(index);
            let pat = &typed.pat;
            Some(quote!(#(#cfgs)* let #name = #name; #(#cfgs)* let #pat = #name;))
        })
        .collect()
}

/// The expansion of a valid (or already reported) task fn, and the misuse found in its body.
//
// Input:
//     #[task]
//     pub fn set_tv_channel(channel: u32) -> u32 { body }
// Output:
//     #[track_caller]
//     pub fn set_tv_channel(channel: u32)
//         -> ::scheduler::Pause<impl ::core::future::Future<Output = u32>> {
//         fn __scheduler_task_name() {}
//         fn __scheduler_fn_name() -> &'static str {
//             ::core::any::type_name_of_val(&__scheduler_task_name)
//         }
//         ::scheduler::__private::task_pause(
//             ::core::any::type_name_of_val(&__scheduler_task_name),
//             async move {
//                 #[allow(unused_imports)]
//                 use ::scheduler::__private::{Plain as _, QueueAnywhere as _, QueueHere as _, ..};
//                 let channel = channel;
//                 <body, rewritten>
//             },
//         )
//     }
pub(crate) fn expand_fn(
    func: ItemFn,
    name: TaskName,
    shape: Shape,
) -> (TokenStream, Option<syn::Error>) {
    let ItemFn {
        attrs,
        vis,
        sig,
        mut block,
    } = func;
    let rewrite::Rewritten {
        errors,
        sites,
        uses,
    } = rewrite::rewrite_body(&mut block, &sig.ident);
    let sites = rewrite::site_table(&sites);
    let imports = imports(uses);
    let rebinds = rebind_params(&sig);
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let sig = signature(&sig, shape);
    let track_caller = if attrs
        .iter()
        .any(|attr| attr.path().is_ident("track_caller"))
    {
        None
    } else {
        Some(quote!(#[track_caller]))
    };
    let (marker, name) = match name {
        TaskName::Path => {
            // Call-site span: the marker is named in `type_name`, read by the library.
            let marker = Ident::new("__scheduler_task_name", Span::call_site());
            (
                Some(quote!(fn #marker() {})),
                quote!(::core::any::type_name_of_val(&#marker)),
            )
        }
        TaskName::Given(name) => (None, name),
    };
    // The fn that names this one for the sites of its pause points (`rewrite.rs`).
    let name_fn = Ident::new(rewrite::FN_NAME, Span::call_site());
    let name_fn = quote! {
        #[allow(dead_code)]
        fn #name_fn() -> &'static str {
            #name
        }
    };
    // Every token made here, outside the body's statements, is put at the anchor
    // (`anchor.rs`); the statements' own tokens are the user's, or made at their spans.
    let allow = allow_generated_signature();
    let head = anchor::fragment(quote!(#(#attrs)* #allow #track_caller #vis #sig));
    let items = anchor::fragment(quote!(#marker #name_fn #sites));
    let name = anchor::fragment(name);
    let prelude = anchor::fragment(quote!(#imports #(#rebinds)*));
    let krate = anchor::fragment(crate::krate::path());
    let stmts: &[Stmt] = &block.stmts;
    let body = quote_spanned! {block.brace_token.span.join()=>
        async move {
            #prelude
            #(#stmts)*
        }
    };
    let root = anchor::at(Span::call_site());
    // Only pause points are await points to the compiler (a plain call's `.await` is in an
    // arm it knows never runs), so clippy's `await_holding_lock` speaks of real pauses only.
    let body = match shape {
        Shape::Inline => body,
        Shape::Boxed => {
            let boxed = anchor::fragment(boxed_type(&output));
            let future = Ident::new("__scheduler_future", anchor::at(Span::mixed_site()));
            quote_spanned! {root=> {
                let #future: #boxed = ::std::boxed::Box::pin(#body);
                #future
            }}
        }
    };
    let tokens = quote_spanned! {root=>
        #head {
            #items
            #krate::__private::task_pause(#name, #body)
        }
    };
    (tokens, errors)
}

/// The dispatch traits the rewritten body calls methods of, imported into it (only those:
/// every other method call of the body is looked up in each of them too).
fn imports(uses: rewrite::Uses) -> Option<TokenStream> {
    let rewrite::Uses {
        dispatch,
        unused,
        queue,
    } = uses;
    let dispatch = dispatch.then(|| quote!(Plain as _,));
    let unused = unused.then(|| quote!(UnusedFuture as _, UnusedValue as _,));
    let queue = queue.then(|| quote!(QueueAnywhere as _, QueueHere as _,));
    if dispatch.is_none() && unused.is_none() && queue.is_none() {
        return None;
    }
    let krate = crate::krate::path();
    Some(quote! {
        #[allow(unused_imports)]
        use #krate::__private::{#dispatch #unused #queue};
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_text(args: TokenStream, item: TokenStream) -> String {
        let (tokens, checked) = expand(args, item);
        checked.unwrap();
        tokens.to_string()
    }

    fn error_texts(args: TokenStream, item: TokenStream) -> Vec<String> {
        match expand(args, item) {
            (tokens, Ok(())) => panic!("expected errors, got {tokens}"),
            (_, Err(error)) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn return_type_becomes_a_pause() {
        let text = expand_text(
            quote!(),
            quote!(
                fn f(x: u32) -> u32 {
                    x
                }
            ),
        );
        assert!(
            text.contains(
                "-> :: scheduler :: Pause < impl :: core :: future :: Future < Output = u32 > >"
            ),
            "{text}"
        );
    }

    #[test]
    fn no_return_type_is_unit() {
        let text = expand_text(
            quote!(),
            quote!(
                fn f() {}
            ),
        );
        assert!(text.contains("Future < Output = () >"), "{text}");
    }

    #[test]
    fn signature_and_attributes_are_kept() {
        let text = expand_text(
            quote!(),
            quote!(
                /// Docs.
                #[inline]
                pub(crate) fn f<'a, T: Copy>(&'a self, t: T) -> &'a T
                where
                    T: Send,
                {
                    t
                }
            ),
        );
        assert!(text.starts_with("# [doc = r\" Docs.\"] # [inline] # [allow (clippy :: type_complexity , clippy :: needless_lifetimes , clippy :: missing_const_for_fn)] # [track_caller] pub (crate) fn f < 'a , T : Copy > (& 'a self , t : T)"), "{text}");
        assert!(text.contains("where T : Send"), "{text}");
    }

    #[test]
    fn track_caller_is_added_once() {
        let text = expand_text(
            quote!(),
            quote!(
                #[track_caller]
                fn f() {}
            ),
        );
        assert_eq!(text.matches("track_caller").count(), 1, "{text}");
    }

    #[test]
    fn the_name_is_the_fn_path_by_default() {
        let text = expand_text(
            quote!(),
            quote!(
                fn f() {}
            ),
        );
        assert!(text.contains("fn __scheduler_task_name () { }"), "{text}");
        assert!(
            text.contains("type_name_of_val (& __scheduler_task_name)"),
            "{text}"
        );
    }

    #[test]
    fn a_given_name_replaces_the_path() {
        let text = expand_text(
            quote!(name = "tv::on"),
            quote!(
                fn f() {}
            ),
        );
        assert!(
            text.contains("task_pause (\"tv::on\" , async move"),
            "{text}"
        );
        assert!(!text.contains("__scheduler_task_name"), "{text}");
    }

    #[test]
    fn parameters_are_rebound_in_the_task_and_keep_mut() {
        let text = expand_text(
            quote!(),
            quote!(
                fn f(mut a: u32, (b, c): (u8, u8), _: u8) {}
            ),
        );
        assert!(
            text.contains(
                "fn f (a : u32 , __scheduler_param1 : (u8 , u8) , __scheduler_param2 : u8)"
            ),
            "{text}"
        );
        assert!(text.contains("let mut a = a ;"), "{text}");
        assert!(
            text.contains(
                "let __scheduler_param1 = __scheduler_param1 ; let (b , c) = __scheduler_param1 ;"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "let __scheduler_param2 = __scheduler_param2 ; let _ = __scheduler_param2 ;"
            ),
            "{text}"
        );
    }

    #[test]
    fn async_fn_is_an_error() {
        let found = error_texts(
            quote!(),
            quote!(
                async fn f() {}
            ),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("remove `async`"), "{found:?}");
    }

    #[test]
    fn const_extern_and_variadic_fns_are_errors() {
        let found = error_texts(
            quote!(),
            quote!(
                const extern "C" fn f(a: u8, ...) {}
            ),
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("remove `const`"), "{found:?}");
        assert!(found[1].starts_with("remove the `extern` ABI"), "{found:?}");
        assert!(found[2].contains("cannot be variadic"), "{found:?}");
    }

    #[test]
    fn argument_signature_and_body_errors_are_all_reported() {
        let found = error_texts(
            quote!(nmae = "x"),
            quote!(
                async fn f() {
                    g().await
                }
            ),
        );
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn a_trait_method_declaration_gets_the_task_return_type() {
        let text = expand_text(
            quote!(),
            quote!(
                fn get(&self, key: &str) -> u32;
            ),
        );
        assert!(
            text.starts_with(
                "# [allow (clippy :: type_complexity , clippy :: needless_lifetimes , clippy :: missing_const_for_fn)] fn get < '__scheduler0 , '__scheduler1 >"
            ),
            "{text}"
        );
        assert!(
            text.contains("Output = u32 > + :: scheduler :: __private :: Captures"),
            "{text}"
        );
        assert!(text.ends_with(";"), "{text}");
    }

    #[test]
    fn an_item_that_is_no_fn_is_an_error() {
        let found = error_texts(
            quote!(),
            quote!(
                static X: u8 = 1;
            ),
        );
        assert!(
            found[0].contains("#[task] goes on a fn with a body"),
            "{found:?}"
        );
    }

    #[test]
    fn errors_come_with_the_best_expansion() {
        let (tokens, checked) = expand(
            quote!(name = 1),
            quote!(
                async fn f(mut x: u32) -> u32 {
                    x.await
                }
            ),
        );
        assert_eq!(checked.unwrap_err().into_iter().count(), 3);
        let text = tokens.to_string();
        assert!(
            text.contains("fn f (x : u32) -> :: scheduler :: Pause < impl"),
            "{text}"
        );
        assert!(text.contains("type_name_of_val"), "{text}");
    }

    #[test]
    fn a_non_fn_is_left_as_written() {
        let (tokens, checked) = expand(
            quote!(),
            quote!(
                struct S;
            ),
        );
        assert!(checked.is_err());
        assert_eq!(tokens.to_string(), "struct S ;");
    }
}
