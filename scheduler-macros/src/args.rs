//! Attribute arguments → a config, each value with its span.
//!
//! `#[task]` takes `name = "..."`; `#[main]` and `#[test]` take `threads = N`, `seed = N`
//! and the flag `virtual_time`; all three take `crate = "path"` (the path of a renamed
//! `scheduler` dependency). Every other argument is a `key = literal` pair; all mistakes
//! are reported at once, each at its own token.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, LitInt, LitStr, Meta, MetaNameValue, Token};

/// The arguments of `#[task(...)]`.
#[derive(Default)]
pub(crate) struct TaskConfig {
    /// `name = "..."`: the task's name, instead of the fn's path.
    pub(crate) name: Option<LitStr>,
    /// `crate = "path"`: where the `scheduler` crate is, for a renamed dependency.
    pub(crate) krate: Option<syn::Path>,
    /// `boxed`: the future lives on the heap, as `Pin<Box<dyn Future + Send>>`.
    pub(crate) boxed: Option<Span>,
}

/// The arguments of `#[main(...)]` and `#[test(...)]`.
#[derive(Default)]
pub(crate) struct EntryConfig {
    /// `threads = N`: run on a work-stealing pool of `N` threads.
    pub(crate) threads: Option<Int<usize>>,
    /// `seed = N`: run ready tasks in a reproducible random order.
    pub(crate) seed: Option<Int<u64>>,
    /// `virtual_time`: the clock jumps to the next deadline when every task waits on one.
    pub(crate) virtual_time: Option<Span>,
    /// `crate = "path"`: where the `scheduler` crate is, for a renamed dependency.
    pub(crate) krate: Option<syn::Path>,
}

impl EntryConfig {
    /// `true` when no argument shapes the scheduler: the entry point uses `Scheduler::new()`.
    pub(crate) fn is_default(&self) -> bool {
        self.threads.is_none() && self.seed.is_none() && self.virtual_time.is_none()
    }
}

/// An integer argument: its value and the span of the literal that wrote it.
pub(crate) struct Int<T> {
    /// The value, already range-checked.
    pub(crate) value: T,
    /// Where the literal is, so the generated code points at it.
    pub(crate) span: Span,
}

/// The help text listing `#[task]`'s arguments.
const TASK_ARGS: &str = "the valid arguments are `name = \"...\"`, `boxed` and `crate = \"path\"`";

/// The help text listing `#[main]`'s and `#[test]`'s arguments.
const ENTRY_ARGS: &str =
    "the valid arguments are `threads = N`, `seed = N`, `virtual_time` and `crate = \"path\"`";

/// Parses `#[task(...)]`'s arguments.
///
/// Returns every error found, combined, so the user sees them all at once.
pub(crate) fn parse_task(args: TokenStream) -> syn::Result<TaskConfig> {
    let mut config = TaskConfig::default();
    let mut errors = Errors::default();
    for (key, value) in parse_pairs(args, TASK_ARGS)? {
        let Some(value) = value else {
            if key == "boxed" {
                set_once(&mut config.boxed, key.span(), &key, &mut errors);
            } else {
                errors.push(expected_value(&key, TASK_ARGS));
            }
            continue;
        };
        match key.to_string().as_str() {
            "crate" => match crate_path(&value) {
                Ok(path) => set_once(&mut config.krate, path, &key, &mut errors),
                Err(error) => errors.push(error),
            },
            "name" => match string(&value, "name") {
                Ok(lit) if lit.value().trim().is_empty() => errors.push(syn::Error::new(
                    lit.span(),
                    "the task name is empty: write a name, such as `name = \"tv::set_channel\"`",
                )),
                Ok(lit) => set_once(&mut config.name, lit, &key, &mut errors),
                Err(error) => errors.push(error),
            },
            _ => errors.push(unknown(&key, TASK_ARGS)),
        }
    }
    errors.finish(config)
}

/// Parses `#[main(...)]`'s or `#[test(...)]`'s arguments.
///
/// Returns every error found, combined, so the user sees them all at once.
pub(crate) fn parse_entry(args: TokenStream) -> syn::Result<EntryConfig> {
    let mut config = EntryConfig::default();
    let mut errors = Errors::default();
    for (key, value) in parse_pairs(args, ENTRY_ARGS)? {
        let Some(value) = value else {
            if key == "virtual_time" {
                set_once(&mut config.virtual_time, key.span(), &key, &mut errors);
            } else {
                errors.push(expected_value(&key, ENTRY_ARGS));
            }
            continue;
        };
        match key.to_string().as_str() {
            "virtual_time" => errors.push(syn::Error::new(
                key.span(),
                "`virtual_time` is a flag: write `virtual_time`, without a value",
            )),
            "crate" => match crate_path(&value) {
                Ok(path) => set_once(&mut config.krate, path, &key, &mut errors),
                Err(error) => errors.push(error),
            },
            "threads" => match integer::<usize>(&value, "threads") {
                Ok(int) if int.value == 0 => errors.push(syn::Error::new(
                    int.span,
                    "`threads = 0` runs nothing: write `threads = 1` or more, or leave it out \
                     for the single-threaded scheduler",
                )),
                Ok(int) => set_once(&mut config.threads, int, &key, &mut errors),
                Err(error) => errors.push(error),
            },
            "seed" => match integer::<u64>(&value, "seed") {
                Ok(int) => set_once(&mut config.seed, int, &key, &mut errors),
                Err(error) => errors.push(error),
            },
            _ => errors.push(unknown(&key, ENTRY_ARGS)),
        }
    }
    if let (Some(span), Some(_)) = (config.virtual_time, &config.threads) {
        errors.push(syn::Error::new(
            span,
            "`virtual_time` runs on the single-threaded scheduler: remove `threads = N`, or \
             remove `virtual_time` to run on real time",
        ));
    }
    errors.finish(config)
}

/// Splits `a = x, b = y, c` into `(a, Some(x))` pairs and `(c, None)` flags; anything else
/// is an error naming the valid arguments.
#[allow(clippy::type_complexity)]
fn parse_pairs(args: TokenStream, valid: &str) -> syn::Result<Vec<(syn::Ident, Option<Expr>)>> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated
        .parse2(args)
        .map_err(|error| syn::Error::new(error.span(), format!("{error}; {valid}")))?;
    let mut pairs = Vec::new();
    let mut errors = Errors::default();
    for meta in metas {
        match meta {
            Meta::NameValue(MetaNameValue { path, value, .. }) => match path.get_ident() {
                Some(ident) => pairs.push((ident.clone(), Some(value))),
                None => errors.push(syn::Error::new_spanned(
                    path,
                    format!("unknown argument; {valid}"),
                )),
            },
            Meta::Path(path) => match path.get_ident() {
                Some(ident) => pairs.push((ident.clone(), None)),
                None => errors.push(syn::Error::new_spanned(
                    &path,
                    format!("unknown argument; {valid}"),
                )),
            },
            Meta::List(list) => errors.push(syn::Error::new_spanned(
                &list.path,
                format!("expected `{} = ...`; {valid}", path_text(&list.path)),
            )),
        }
    }
    errors.finish(pairs)
}

/// The text of a path, for messages.
fn path_text(path: &syn::Path) -> String {
    quote::quote!(#path).to_string().replace(' ', "")
}

/// The error for an argument written without its value.
fn expected_value(key: &syn::Ident, valid: &str) -> syn::Error {
    syn::Error::new(key.span(), format!("expected `{key} = ...`; {valid}"))
}

/// The `crate = "path"` argument: a path such as `"sched"` or `"::my_app::sched"`.
fn crate_path(value: &Expr) -> syn::Result<syn::Path> {
    let lit = string(value, "crate")?;
    let path: syn::Path = lit.parse().map_err(|_| {
        syn::Error::new(
            lit.span(),
            "`crate` must be the path of the `scheduler` crate, such as `crate = \"sched\"` \
             for `sched = { package = \"plain-scheduler\", .. }` in Cargo.toml",
        )
    })?;
    Ok(path)
}

/// The error for an argument the macro does not know.
fn unknown(key: &syn::Ident, valid: &str) -> syn::Error {
    syn::Error::new(key.span(), format!("unknown argument `{key}`; {valid}"))
}

/// Stores `value` in `slot`, or reports a duplicate at the second `key`.
fn set_once<T>(slot: &mut Option<T>, value: T, key: &syn::Ident, errors: &mut Errors) {
    if slot.is_some() {
        errors.push(syn::Error::new(
            key.span(),
            format!("duplicate argument `{key}`: give it once"),
        ));
    } else {
        *slot = Some(value);
    }
}

/// The string literal `value`, or an error saying to quote it.
fn string(value: &Expr, key: &str) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(lit.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{key}` must be a string literal, such as `{key} = \"tv::set_channel\"`"),
        )),
    }
}

/// The integer literal `value`, range-checked as a `T`, or an error saying what to write.
fn integer<T>(value: &Expr, key: &str) -> syn::Result<Int<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => {
            let parsed = lit.base10_parse::<T>().map_err(|error| {
                syn::Error::new(lit.span(), format!("`{key}` is out of range: {error}"))
            })?;
            check_suffix(lit, key)?;
            Ok(Int {
                value: parsed,
                span: lit.span(),
            })
        }
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{key}` must be an integer literal, such as `{key} = 4`"),
        )),
    }
}

/// Rejects suffixes such as `4u8` that would not match the builder's parameter type.
fn check_suffix(lit: &LitInt, key: &str) -> syn::Result<()> {
    let allowed: &[&str] = match key {
        "threads" => &["", "usize"],
        _ => &["", "u64"],
    };
    if allowed.contains(&lit.suffix()) {
        Ok(())
    } else {
        Err(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` takes a plain integer: write `{key} = {}`",
                lit.base10_digits()
            ),
        ))
    }
}

/// Errors collected while checking, reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds one error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds the error of `result`, if any, and returns its value.
    pub(crate) fn check<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    /// `Ok(value)` when nothing went wrong, else every error at once.
    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }

    /// The collected errors, if any, without a value.
    pub(crate) fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Every message of the error `parsed` should be, one per line.
    fn messages<T>(parsed: syn::Result<T>) -> String {
        match parsed {
            Ok(_) => panic!("expected an error"),
            Err(error) => error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn task_error(args: TokenStream) -> String {
        messages(parse_task(args))
    }

    fn entry_error(args: TokenStream) -> String {
        messages(parse_entry(args))
    }

    #[test]
    fn task_takes_no_arguments() {
        assert!(parse_task(quote!()).unwrap().name.is_none());
    }

    #[test]
    fn task_takes_a_name() {
        let config = parse_task(quote!(name = "tv::on")).unwrap();
        assert_eq!(config.name.unwrap().value(), "tv::on");
    }

    #[test]
    fn task_name_must_be_a_string_literal() {
        let message = task_error(quote!(name = tv::on));
        assert!(
            message.contains("`name` must be a string literal"),
            "{message}"
        );
    }

    #[test]
    fn task_name_must_not_be_empty() {
        assert!(task_error(quote!(name = "  ")).contains("the task name is empty"));
    }

    #[test]
    fn unknown_task_argument_lists_the_valid_one() {
        let message = task_error(quote!(nmae = "x"));
        assert_eq!(
            message,
            "unknown argument `nmae`; the valid arguments are `name = \"...\"`, `boxed` and \
             `crate = \"path\"`"
        );
    }

    #[test]
    fn bare_task_argument_asks_for_a_value() {
        let message = task_error(quote!(name));
        assert!(message.starts_with("expected `name = ...`"), "{message}");
    }

    #[test]
    fn duplicate_task_argument_is_an_error() {
        assert!(task_error(quote!(name = "a", name = "b")).contains("duplicate argument `name`"));
    }

    #[test]
    fn every_task_argument_error_is_reported() {
        let message = task_error(quote!(a = 1, name = 2, b = 3));
        assert_eq!(message.lines().count(), 3, "{message}");
    }

    #[test]
    fn entry_takes_no_arguments() {
        assert!(parse_entry(quote!()).unwrap().is_default());
    }

    #[test]
    fn entry_takes_threads_and_seed() {
        let config = parse_entry(quote!(threads = 4, seed = 12345678901)).unwrap();
        assert_eq!(config.threads.unwrap().value, 4);
        assert_eq!(config.seed.unwrap().value, 12_345_678_901);
    }

    #[test]
    fn entry_arguments_must_be_integer_literals() {
        let message = entry_error(quote!(threads = "4", seed = N));
        assert!(
            message.contains("`threads` must be an integer literal"),
            "{message}"
        );
        assert!(
            message.contains("`seed` must be an integer literal"),
            "{message}"
        );
    }

    #[test]
    fn zero_threads_is_an_error() {
        assert!(entry_error(quote!(threads = 0)).contains("`threads = 0` runs nothing"));
    }

    #[test]
    fn threads_out_of_range_is_an_error() {
        assert!(entry_error(quote!(seed = 99999999999999999999999)).contains("out of range"));
    }

    #[test]
    fn suffixed_integers_must_match() {
        assert!(entry_error(quote!(threads = 4u8)).contains("write `threads = 4`"));
        assert!(parse_entry(quote!(seed = 4u64)).is_ok());
    }

    #[test]
    fn unknown_entry_argument_lists_the_valid_ones() {
        let message = entry_error(quote!(flavor = "multi_thread"));
        assert_eq!(
            message,
            "unknown argument `flavor`; the valid arguments are `threads = N`, `seed = N`, \
             `virtual_time` and `crate = \"path\"`"
        );
    }

    #[test]
    fn entry_takes_virtual_time_and_a_crate_path() {
        let config = parse_entry(quote!(virtual_time, crate = "sched")).unwrap();
        assert!(config.virtual_time.is_some());
        assert!(!config.is_default());
        assert!(config.krate.unwrap().is_ident("sched"));
        assert!(entry_error(quote!(virtual_time = true)).contains("is a flag"));
        assert!(
            entry_error(quote!(virtual_time, threads = 2)).contains("single-threaded scheduler")
        );
        assert!(entry_error(quote!(crate = "not a path")).contains("`crate` must be the path"));
    }

    #[test]
    fn task_takes_a_crate_path() {
        let config = parse_task(quote!(crate = "::app::sched")).unwrap();
        assert_eq!(config.krate.unwrap().segments.len(), 2);
    }

    #[test]
    fn malformed_arguments_name_the_valid_ones() {
        assert!(entry_error(quote!(= 3)).contains("the valid arguments are"));
    }
}
