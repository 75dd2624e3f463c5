//! The macros never panic, whatever tokens they are given: they expand, or they return
//! compile errors. Proptest feeds the expansion functions the shim calls (`task::expand`,
//! `entry::expand`, and the argument parsers) arbitrary token trees, and valid fn items
//! with random tokens deleted, inserted, replaced or wrapped in a group.
//!
//! When an expansion says `Ok`, its output must also be valid Rust syntax (a file of items).

use std::fmt;
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::prelude::*;

use crate::args;
use crate::entry::{self, Entry};
use crate::task;

/// A token tree that prints as the Rust it stands for, so a failing case reads as code.
#[derive(Clone)]
enum Tok {
    Ident(String),
    Punct(char, Spacing),
    Literal(String),
    Group(Delimiter, Vec<Tok>),
}

/// Identifiers and keywords the macros look at, and a few they don't.
const IDENTS: &[&str] = &[
    "fn",
    "async",
    "await",
    "move",
    "self",
    "Self",
    "mut",
    "pub",
    "crate",
    "impl",
    "where",
    "let",
    "else",
    "if",
    "match",
    "loop",
    "while",
    "for",
    "in",
    "break",
    "continue",
    "return",
    "unsafe",
    "const",
    "extern",
    "dyn",
    "static",
    "struct",
    "type",
    "use",
    "ref",
    "as",
    "main",
    "test",
    "task",
    "scheduler",
    "name",
    "threads",
    "seed",
    "x",
    "T",
    "u32",
    "println",
    "format",
    "assert_eq",
    "vec",
    "matches",
    "Pause",
    "sleep",
    "collect",
    "unwrap",
    "Some",
    "Ok",
    "drop",
    "_",
];

/// Punctuation, including what joins into `::`, `->`, `=>`, `..`, `'a` and `#[..]`.
const PUNCTS: &[char] = &[
    ':', ';', ',', '.', '=', '&', '*', '-', '>', '<', '!', '#', '?', '|', '\'', '+', '/', '@', '%',
    '^', '~', '$',
];

/// Literals, among them the ones argument parsers must reject politely.
const LITERALS: &[&str] = &[
    "0",
    "7",
    "2u64",
    "3usize",
    "4i8",
    "18446744073709551616",
    "0x10",
    "1_000",
    "1.5",
    "1e3",
    "\"custom\"",
    "\"\"",
    "r\"raw\"",
    "b\"bytes\"",
    "'c'",
    "b'b'",
    "c\"c str\"",
];

impl Tok {
    fn to_tokens(&self, out: &mut TokenStream) {
        let tree = match self {
            Tok::Ident(name) => TokenTree::Ident(Ident::new(name, Span::call_site())),
            Tok::Punct(ch, spacing) => Punct::new(*ch, *spacing).into(),
            Tok::Literal(text) => Literal::from_str(text).expect("a valid literal").into(),
            Tok::Group(delimiter, inner) => Group::new(*delimiter, stream(inner)).into(),
        };
        out.extend([tree]);
    }

    /// The number of trees in this one, itself included.
    fn size(&self) -> usize {
        match self {
            Tok::Group(_, inner) => 1 + inner.iter().map(Tok::size).sum::<usize>(),
            _ => 1,
        }
    }
}

fn stream(toks: &[Tok]) -> TokenStream {
    let mut out = TokenStream::new();
    for tok in toks {
        tok.to_tokens(&mut out);
    }
    out
}

impl fmt::Debug for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = TokenStream::new();
        self.to_tokens(&mut out);
        write!(f, "{out}")
    }
}

/// Tokens as written, read back into `Tok`s.
fn toks(text: &str) -> Vec<Tok> {
    fn tok(tree: TokenTree) -> Tok {
        match tree {
            TokenTree::Ident(ident) => Tok::Ident(ident.to_string()),
            TokenTree::Punct(punct) => Tok::Punct(punct.as_char(), punct.spacing()),
            TokenTree::Literal(literal) => Tok::Literal(literal.to_string()),
            TokenTree::Group(group) => Tok::Group(
                group.delimiter(),
                group.stream().into_iter().map(tok).collect(),
            ),
        }
    }
    TokenStream::from_str(text)
        .expect("the corpus lexes")
        .into_iter()
        .map(tok)
        .collect()
}

/// Valid items, each a shape the macros handle; mutations start from these.
const ITEMS: &[&str] = &[
    "fn f() {}",
    "pub fn set_tv_channel(channel: u32) -> u32 { scheduler::sleep(d); channel }",
    "fn f<'a, T: Copy>(&'a self, t: T) -> &'a T where T: Send { t }",
    "fn g(mut n: u32, (a, b): (u32, u32)) -> Result<u32, E> { let x = h(n)?; Ok(x + a + b) }",
    "async fn f() { g().await; }",
    "fn f() { let c = || scheduler::sleep(d); c(); }",
    "fn f() { let Some(x) = g() else { return; }; match x { 1 => h(x), _ => loop { break k(); } } }",
    "fn f() { println!(\"{}\", g(1)); assert_eq!(g(2), 3, \"{}\", g(4)); vec![g(5); 2]; }",
    "fn f() { fn inner() {} const C: u32 = 1; impl S { fn m(&self) {} } inner(); }",
    "fn main() { scheduler::yield_now(); }",
    "fn main() -> Result<(), E> { g()?; Ok(()) }",
    "#[should_panic] fn t() { panic!(\"boom\"); }",
    "unsafe extern \"C\" fn f(x: u32, ...) {}",
    "const fn f() -> u32 { 1 }",
    "fn f(self: Box<Self>) -> impl Fn() { move || {} }",
];

/// Valid and invalid argument lists.
const ARGS: &[&str] = &[
    "",
    "name = \"custom\"",
    "threads = 2",
    "seed = 7",
    "threads = 2, seed = 42u64",
    "name = custom",
    "threads = 0",
    "seed = -1",
    "threads = 2, threads = 3",
];

fn tok() -> impl Strategy<Value = Tok> {
    let leaf = prop_oneof![
        4 => prop::sample::select(IDENTS).prop_map(|name| Tok::Ident(name.to_owned())),
        3 => (prop::sample::select(PUNCTS), any::<bool>()).prop_map(|(ch, joint)| {
            Tok::Punct(ch, if joint { Spacing::Joint } else { Spacing::Alone })
        }),
        1 => prop::sample::select(LITERALS).prop_map(|text| Tok::Literal(text.to_owned())),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        (
            prop::sample::select(
                &[
                    Delimiter::Parenthesis,
                    Delimiter::Brace,
                    Delimiter::Bracket,
                    Delimiter::None,
                ][..],
            ),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(delimiter, toks)| Tok::Group(delimiter, toks))
    })
}

fn toks_strategy(max: usize) -> impl Strategy<Value = Vec<Tok>> {
    prop::collection::vec(tok(), 0..max)
}

/// One change to a token list, at the `at`-th tree in pre-order (wrapping around).
#[derive(Clone, Debug)]
enum Mutation {
    Delete {
        at: usize,
    },
    Insert {
        at: usize,
        tok: Tok,
    },
    Replace {
        at: usize,
        tok: Tok,
    },
    /// Wraps the tree in a group.
    Wrap {
        at: usize,
        delimiter: Delimiter,
    },
    /// Puts a group's contents in its place.
    Unwrap {
        at: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        at.prop_map(|at| Mutation::Delete { at }),
        (at, tok()).prop_map(|(at, tok)| Mutation::Insert { at, tok }),
        (at, tok()).prop_map(|(at, tok)| Mutation::Replace { at, tok }),
        (
            at,
            prop::sample::select(
                &[Delimiter::Parenthesis, Delimiter::Brace, Delimiter::Bracket][..]
            )
        )
            .prop_map(|(at, delimiter)| Mutation::Wrap { at, delimiter }),
        at.prop_map(|at| Mutation::Unwrap { at }),
    ]
}

impl Mutation {
    fn at(&self) -> usize {
        match self {
            Mutation::Delete { at }
            | Mutation::Insert { at, .. }
            | Mutation::Replace { at, .. }
            | Mutation::Wrap { at, .. }
            | Mutation::Unwrap { at } => *at,
        }
    }

    fn apply(&self, toks: &mut Vec<Tok>) {
        let size: usize = toks.iter().map(Tok::size).sum();
        if size == 0 {
            if let Mutation::Insert { tok, .. } | Mutation::Replace { tok, .. } = self {
                toks.push(tok.clone());
            }
            return;
        }
        let mut target = self.at() % size;
        self.apply_at(toks, &mut target);
    }

    /// Walks `toks` in pre-order, counting `target` down, and changes the tree it reaches.
    /// Returns whether it did.
    fn apply_at(&self, toks: &mut Vec<Tok>, target: &mut usize) -> bool {
        for index in 0..toks.len() {
            if *target == 0 {
                match self {
                    Mutation::Delete { .. } => {
                        toks.remove(index);
                    }
                    Mutation::Insert { tok, .. } => toks.insert(index, tok.clone()),
                    Mutation::Replace { tok, .. } => toks[index] = tok.clone(),
                    Mutation::Wrap { delimiter, .. } => {
                        let tree = toks.remove(index);
                        toks.insert(index, Tok::Group(*delimiter, vec![tree]));
                    }
                    Mutation::Unwrap { .. } => {
                        if let Tok::Group(_, inner) = toks[index].clone() {
                            toks.splice(index..=index, inner);
                        }
                    }
                }
                return true;
            }
            *target -= 1;
            if let Tok::Group(_, inner) = &mut toks[index]
                && self.apply_at(inner, target)
            {
                return true;
            }
        }
        false
    }
}

/// A corpus item with a few mutations applied.
fn mutated_item() -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    (0..ITEMS.len(), prop::collection::vec(mutation(), 1..5))
}

fn apply_all(item: usize, mutations: &[Mutation]) -> TokenStream {
    let mut toks = toks(ITEMS[item]);
    for mutation in mutations {
        mutation.apply(&mut toks);
    }
    stream(&toks)
}

/// Expands `item` with `args` under every macro, checking that an `Ok` expansion is valid
/// syntax and that an error can be turned into `compile_error!`s.
fn expand_everywhere(args: TokenStream, item: TokenStream) -> Result<(), TestCaseError> {
    let expansions = [
        ("#[task]", task::expand(args.clone(), item.clone())),
        (
            "#[scheduler::main]",
            entry::expand(Entry::Main, args.clone(), item.clone()),
        ),
        (
            "#[scheduler::test]",
            entry::expand(Entry::Test, args.clone(), item.clone()),
        ),
    ];
    for (name, (tokens, checked)) in expansions {
        match checked {
            Ok(()) => {
                let parsed = syn::parse2::<syn::File>(tokens.clone());
                prop_assert!(
                    parsed.is_ok(),
                    "{name}({args}) accepted `{item}` but expanded to invalid syntax ({:?}):\n{tokens}",
                    parsed.err()
                );
            }
            Err(error) => {
                let _ = error.to_compile_error();
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_tokens_as_the_item_give_an_expansion_or_errors(
        args in prop::sample::select(ARGS),
        item in toks_strategy(24),
    ) {
        expand_everywhere(TokenStream::from_str(args).unwrap(), stream(&item))?;
    }

    #[test]
    fn arbitrary_tokens_as_the_arguments_give_an_expansion_or_errors(
        args in toks_strategy(12),
        item in 0..ITEMS.len(),
    ) {
        let args = stream(&args);
        let _ = args::parse_task(args.clone());
        let _ = args::parse_entry(args.clone());
        expand_everywhere(args, TokenStream::from_str(ITEMS[item]).unwrap())?;
    }

    #[test]
    fn mutated_fn_items_give_an_expansion_or_errors(
        args in prop::sample::select(ARGS),
        (item, mutations) in mutated_item(),
    ) {
        expand_everywhere(TokenStream::from_str(args).unwrap(), apply_all(item, &mutations))?;
    }
}

#[test]
fn the_corpus_round_trips_through_tok() {
    for item in ITEMS {
        let toks = toks(item);
        assert!(!toks.is_empty(), "{item}");
        assert!(syn::parse2::<syn::ItemFn>(stream(&toks)).is_ok() || item.contains("..."));
    }
}

#[test]
fn a_call_on_a_struct_literal_expands_to_valid_syntax() {
    let item = TokenStream::from_str("fn f() -> u32 { Point { x: 1 }.norm() }").unwrap();
    let (tokens, checked) = task::expand(TokenStream::new(), item);
    checked.unwrap();
    syn::parse2::<syn::File>(tokens.clone()).unwrap_or_else(|error| panic!("{error}:\n{tokens}"));
}
