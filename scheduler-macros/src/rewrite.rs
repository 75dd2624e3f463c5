//! The body rewrite: every call in a `#[task]` body becomes a possible pause point, and the
//! misuse the rewrite cannot honour (`.await`, `async` blocks) is rejected.
//!
//! Which calls pause is decided by type, not by name: each call's value goes through
//! `__private`'s autoref dispatch, which awaits a `Pause` and passes every other value
//! through a ready future. The rewrite only decides *where* that dispatch goes:
//!
//! - in the body's own async context (blocks, `let`, `if`, `match`, loops, operators, `?`,
//!   the arguments of `println!` and friends, ...): `step`, awaited;
//! - inside a closure, which cannot pause: `forbid`, not awaited, which fails to compile
//!   for a `Pause` (unless the closure returns it: then the closure is a task itself);
//! - never inside nested items (`fn`, `impl`, `mod`, `const`, `static`), types, patterns
//!   or `const` blocks: they are not part of the task.
//!
//! One call is also recognized by its path: `scheduler::queue_to_run(f, args)` (not a bare
//! `queue_to_run`, which may be a fn of the user's) goes through a second dispatch that
//! queues a `Send` task so that any worker of a pool may run it, and any other task on the
//! calling thread, where the compiler can tell which it is (`queue.rs`). Closures handed to
//! the scheduler calls that take a body become pausing blocks, `select!` is expanded here,
//! and a call statement whose value is a future nothing runs is rejected.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Ident, Token};

use crate::args::Errors;
use crate::queue::{self, ClosureLocals};
use crate::select;

/// Method calls left as they are: their value's type is often inferred from later code,
/// and the dispatch needs it known at the call.
pub(crate) const PLAIN_METHODS: &[&str] = &[
    "collect",
    "sum",
    "product",
    "into",
    "try_into",
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "clone",
    "to_string",
    "to_owned",
    "iter",
    "iter_mut",
    "into_iter",
    "as_ref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "len",
    "is_empty",
];

/// Path calls (`a::b(..)`) left as they are, by their last segment: constructors whose
/// type comes from later code, conversions, and fns that never return (`!`).
pub(crate) const PLAIN_FNS: &[&str] = &[
    "Some",
    "Ok",
    "Err",
    "default",
    "from",
    "into",
    "try_from",
    "drop",
    "exit",
    "abort",
    "panic_any",
    "resume_unwind",
    "unreachable_unchecked",
];

/// The fn every `#[task]` fn's expansion defines in its body, which gives its name: each
/// pause point's site names it (see `Rewrite::wrap_call`).
pub(crate) const FN_NAME: &str = "__scheduler_fn_name";

/// The `static` of the site of a `#[task]` fn's pause point `index` (numbered in the order
/// [`rewrite_body`] gives their spans), which its expansion defines in its body.
fn site_name(index: usize, span: Span) -> Ident {
    Ident::new(&format!("__SCHEDULER_SITE_{index}"), span)
}

/// Which of the dispatch's traits the rewritten body calls methods of, so that only those
/// are imported into it: every method call in the body, the user's own included, is
/// looked up in every trait imported there.
#[derive(Clone, Copy, Default)]
pub(crate) struct Uses {
    /// A call dispatched (`step`, `step_boxed`, `forbid`): `Plain`.
    pub(crate) dispatch: bool,
    /// A statement's value checked (`check`): `UnusedFuture`, `UnusedValue`.
    pub(crate) unused: bool,
    /// A `queue_to_run` dispatched on its task's `Send`ness: `QueueAnywhere`, `QueueHere`.
    pub(crate) queue: bool,
}

/// What [`rewrite_body`] found: every misuse, the span of each pause point, whose index
/// numbers its site's `static`, and which dispatch traits the body now uses.
pub(crate) struct Rewritten {
    pub(crate) errors: Option<syn::Error>,
    pub(crate) sites: Vec<Span>,
    pub(crate) uses: Uses,
}

/// Rewrites `body`, the body of the fn named `fn_name`, in place.
pub(crate) fn rewrite_body(body: &mut Block, fn_name: &Ident) -> Rewritten {
    let mut rewrite = Rewrite {
        in_closure: false,
        errors: Errors::default(),
        fn_name: fn_name.clone(),
        closure_locals: ClosureLocals::of(body),
        scopes: Vec::new(),
        closure_is_an_argument: false,
        sites: Vec::new(),
        uses: Uses::default(),
    };
    rewrite.visit_block_mut(body);
    Rewritten {
        errors: rewrite.errors.into_error(),
        sites: rewrite.sites,
        uses: rewrite.uses,
    }
}

/// The sites of a fn whose pause points are at `sites`, each made at its pause point's
/// span, so that its `Location::caller()` is the user's call: one call of the library's
/// `sites!`, which makes each by `cfg(debug_assertions)` in the user's crate: a `const`
/// `SiteRef`, its site's address, in a debug build (its `At` holds that word), a unit
/// struct in an optimized one (its `At` holds nothing), by the same name, so that the
/// calls are the same in both (`Locate` in the library's `stack.rs`). One macro call per
/// fn, and a name and a `Site::here(..)` per site: fewer tokens than a `static` per site
/// written here (the macro's own work is most of what more tokens cost a debug build).
//
// Output:
//     ::scheduler::__private::sites! {
//         __SCHEDULER_SITE_0 = ::scheduler::__private::Site::here(__scheduler_fn_name);
//         __SCHEDULER_SITE_1 = ::scheduler::__private::Site::here(__scheduler_fn_name);
//     }
pub(crate) fn site_table(sites: &[Span]) -> TokenStream {
    if sites.is_empty() {
        return TokenStream::new();
    }
    let name_fn = Ident::new(FN_NAME, Span::call_site());
    let entries = sites.iter().enumerate().map(|(index, &span)| {
        let krate = crate::krate::path_at(span);
        let name = site_name(index, Span::call_site());
        quote_spanned! {span=>
            #name = #krate::__private::Site::here(#name_fn);
        }
    });
    let krate = crate::krate::path();
    quote! { #krate::__private::sites! { #(#entries)* } }
}

/// The visitor: where it is (in the body, or in a closure) and what it found wrong.
struct Rewrite {
    /// `true` inside a closure: calls there cannot pause.
    in_closure: bool,
    /// Every `.await` and `async` block found.
    errors: Errors,
    /// The name of the fn whose body this is.
    fn_name: Ident,
    /// The locals that may hold a closure written in the body.
    closure_locals: ClosureLocals,
    /// The parameters of the `scope(|s| ..)` closures being visited.
    scopes: Vec<String>,
    /// `true` while visiting a closure written as a plain call's argument.
    closure_is_an_argument: bool,
    /// The dispatch traits the rewritten body uses.
    uses: Uses,
    /// The span of each pause point dispatched so far: its index is its site's entry.
    sites: Vec<Span>,
}

/// What a std macro's arguments are.
#[derive(Clone, Copy)]
enum MacroArgs {
    /// Comma-separated expressions, the one at this index being the format string, kept.
    Format(usize),
    /// Comma-separated expressions, all rewritten.
    Exprs,
    /// `vec![..]`: comma-separated expressions, or `elem; n`.
    Vec,
    /// `matches!(expr, pattern)`: only the first argument is an expression.
    First,
}

impl MacroArgs {
    /// How to read the arguments of the macro named `name`, if it is one the rewrite
    /// looks into.
    fn of(name: &str) -> Option<MacroArgs> {
        Some(match name {
            "print" | "println" | "eprint" | "eprintln" | "format" | "panic" | "format_args" => {
                MacroArgs::Format(0)
            }
            "write" | "writeln" => MacroArgs::Format(1),
            "assert" | "assert_eq" | "assert_ne" | "debug_assert" | "debug_assert_eq"
            | "debug_assert_ne" | "dbg" => MacroArgs::Exprs,
            "vec" => MacroArgs::Vec,
            // Common macros of other crates whose arguments are expressions.
            "ensure" | "bail" | "anyhow" | "format_err" | "todo" | "unimplemented"
            | "unreachable" => MacroArgs::Exprs,
            "matches" | "assert_matches" | "debug_assert_matches" => MacroArgs::First,
            _ => return None,
        })
    }
}

impl Rewrite {
    /// Rewrites a closure's body: its calls cannot pause, but what it returns is the
    /// closure's business (returning a pause value makes the closure a task).
    fn visit_closure_body(&mut self, body: &mut Expr) {
        let outer = std::mem::replace(&mut self.in_closure, true);
        self.visit_tail(body);
        self.in_closure = outer;
    }

    /// Rewrites `expr`, which is what a closure returns: a call here is left unwrapped.
    fn visit_tail(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Call(_) | Expr::MethodCall(_) => {
                visit_mut::visit_expr_mut(self, expr);
                self.dispatch_queue(expr);
            }
            Expr::Paren(paren) => self.visit_tail(&mut paren.expr),
            Expr::Block(block) => self.visit_tail_block(&mut block.block),
            Expr::If(if_expr) => {
                self.visit_expr_mut(&mut if_expr.cond);
                self.visit_tail_block(&mut if_expr.then_branch);
                if let Some((_, else_branch)) = &mut if_expr.else_branch {
                    self.visit_tail(else_branch);
                }
            }
            Expr::Match(match_expr) => {
                self.visit_expr_mut(&mut match_expr.expr);
                for arm in &mut match_expr.arms {
                    if let Some((_, guard)) = &mut arm.guard {
                        self.visit_expr_mut(guard);
                    }
                    self.visit_tail(&mut arm.body);
                }
            }
            _ => self.visit_expr_mut(expr),
        }
    }

    /// Rewrites a block whose last expression is what a closure returns.
    fn visit_tail_block(&mut self, block: &mut Block) {
        let last = block.stmts.len().saturating_sub(1);
        for (index, stmt) in block.stmts.iter_mut().enumerate() {
            match stmt {
                syn::Stmt::Expr(expr, None) if index == last => self.visit_tail(expr),
                _ => self.visit_stmt_mut(stmt),
            }
        }
    }

    /// Rewrites the arguments of a std macro such as `println!`, or leaves the macro as
    /// it is when they do not parse as expressions.
    fn visit_macro_args(&mut self, mac: &mut syn::Macro, args: MacroArgs) {
        if let MacroArgs::First = args {
            let parser = |input: syn::parse::ParseStream| {
                let first: Expr = input.parse()?;
                let rest: proc_macro2::TokenStream = input.parse()?;
                Ok((first, rest))
            };
            if let Ok((mut first, rest)) = mac.parse_body_with(parser) {
                self.visit_expr_mut(&mut first);
                mac.tokens = quote!(#first #rest);
            }
            return;
        }
        if let MacroArgs::Vec = args
            && let Ok(mut repeat) = mac.parse_body::<VecRepeat>()
        {
            self.visit_expr_mut(&mut repeat.elem);
            self.visit_expr_mut(&mut repeat.len);
            mac.tokens = quote!(#repeat);
            return;
        }
        let Ok(mut exprs) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        else {
            return;
        };
        let keep = match args {
            MacroArgs::Format(index) => Some(index),
            MacroArgs::Exprs | MacroArgs::Vec | MacroArgs::First => None,
        };
        for (index, expr) in exprs.iter_mut().enumerate() {
            if Some(index) != keep {
                self.visit_expr_mut(expr);
            }
        }
        mac.tokens = quote!(#exprs);
    }

    /// Sends a `queue_to_run(f, args)` call through the dispatch on its task's `Send`ness
    /// when it can (see `queue.rs`); returns whether `expr` was one it could.
    fn dispatch_queue(&mut self, expr: &mut Expr) -> bool {
        let span = call_span(expr);
        let dispatched = match expr {
            Expr::Call(call) => queue::dispatch(call, span, &self.fn_name, &self.closure_locals),
            Expr::MethodCall(call) => queue::dispatch_in_scope(
                call,
                span,
                &self.fn_name,
                &self.closure_locals,
                &self.scopes,
            ),
            _ => None,
        };
        match dispatched {
            Some(dispatched) => {
                *expr = Expr::Verbatim(dispatched);
                self.uses.queue = true;
                true
            }
            None => false,
        }
    }

    /// Wraps the call `expr`, whose children are already rewritten, in the dispatch.
    //
    // Input:
    //     scheduler::sleep(d)
    // Output, in the body:
    //     (match ::scheduler::__private::Dispatch(scheduler::sleep(d)).step(__SCHEDULER_SITE_0) {
    //         __scheduler_v => match __scheduler_v {
    //             ::scheduler::__private::Step::Now(__scheduler_now) => __scheduler_now,
    //             ::scheduler::__private::Step::Later(_) => __scheduler_v.await,
    //         },
    //     })
    // A pause point's `step` wraps its future in an `At` with its site (the containing fn,
    // whose name `__scheduler_fn_name` gives (`task.rs`), and the call's `file:line:col`:
    // made by `site_table`), which pushes it on the task's pause stack when
    // the await returns `Pending` (`stack.rs`); a plain value's ignores it. In a debug
    // build the site is a value, one word in the await's state, not a type: a type per
    // pause point (a closure giving a constant) cost the compiler a closure, a `const`
    // block and an `At::poll` instance at every call, about as much as the rest of the
    // dispatch. In an optimized build it is a type (a unit struct, `site_table`), whose
    // `At` holds nothing: the state is an `async fn`'s, and the per-site code is inlined
    // anyway. The call is the same in both (`__SCHEDULER_SITE_0`). Given to `step`,
    // it needs no generic fn of its own per pause type, and an item per site needs no
    // index (and no bounds check in a debug build): 4.5% fewer instructions for the
    // compiler than `at(step, &TABLE[i])` on the script's program.
    // `Later` of a plain value holds a type with no values: the compiler knows that arm's
    // `.await` never runs, so a plain call is no await point. The arm moves the whole step
    // into the await (binding `Later(f)`, or `v @ Later(_)`, keeps the step's storage alive
    // beside the awaited future: the chat loop of `benches/future_size.rs` grew by 96 bytes). A call of the fn to itself
    // goes through `step_boxed`, which boxes its future, or its state would hold itself.
    // One method, found by type in one probe (an inherent method of `Dispatch<Pause<_>>`
    // first, `Plain`'s for any other value), and one generic fn: what every call of every
    // task body costs the compiler, so as little as it can be.
    // Output, in a closure:
    //     ::scheduler::__private::Dispatch(scheduler::sleep(d)).forbid()
    fn wrap_call(&mut self, expr: &mut Expr) {
        self.uses.dispatch = true;
        let span = call_span(expr);
        // The binding's scope is its arm, which holds no user code, so it needs no
        // `Span::mixed_site()` hygiene; the call's own span keeps rustc's diagnostics
        // (a pause point in a closure, a type error) on the user's call, where a
        // mixed-site span would send them to the `#[task]` attribute.
        let value = Ident::new("__scheduler_v", span);
        // A name of its own: rebinding `__scheduler_v` would be clippy's `shadow_reuse` at
        // every call, in the user's name.
        let now = Ident::new("__scheduler_now", span);
        let krate = crate::krate::path_at(span);
        let wrapped = if self.in_closure {
            quote_spanned! {span=>
                #krate::__private::Dispatch(#expr).forbid()
            }
        } else {
            let site = self.site(span);
            let step = if self.calls_itself(expr) {
                Ident::new("step_boxed", span)
            } else {
                Ident::new("step", span)
            };
            quote_spanned! {span=>
                (match #krate::__private::Dispatch(#expr).#step(#site) {
                    #value => match #value {
                        #krate::__private::Step::Now(#now) => #now,
                        #krate::__private::Step::Later(_) => #value.await,
                    },
                })
            }
        };
        *expr = Expr::Verbatim(wrapped);
    }
}

impl Rewrite {
    /// A new pause point at `span`: the tokens that name its site (`__SCHEDULER_SITE_i`,
    /// see [`site_table`]).
    fn site(&mut self, span: Span) -> TokenStream {
        let name = site_name(self.sites.len(), crate::anchor::at(Span::call_site()));
        self.sites.push(span);
        quote_spanned!(span=> #name)
    }

    /// `true` when `expr` calls the fn being expanded, directly (`me(..)`, `Self::me(..)`,
    /// `x.me(..)`) or through `run_until_finished(me, ..)` / `with_timeout(d, me, ..)`:
    /// its future is then part of its own state, which only a box can hold.
    fn calls_itself(&self, expr: &Expr) -> bool {
        let names_me = |expr: &Expr| match expr {
            Expr::Path(path) => {
                let segments = &path.path.segments;
                segments
                    .last()
                    .is_some_and(|last| last.ident == self.fn_name)
                    && (segments.len() == 1 || (segments.len() == 2 && segments[0].ident == "Self"))
            }
            _ => false,
        };
        match expr {
            Expr::Call(call) => {
                if names_me(&call.func) {
                    return true;
                }
                let runs = match &*call.func {
                    Expr::Path(path) => path.path.segments.last().is_some_and(|last| {
                        last.ident == "run_until_finished" || last.ident == "with_timeout"
                    }),
                    _ => false,
                };
                runs && call.args.iter().any(names_me)
            }
            // Any receiver: `child.size()` in `Tree::size`. A plain value of a method
            // that only shares the name goes through `step_boxed` unboxed, at no cost.
            Expr::MethodCall(call) => call.method == self.fn_name,
            _ => false,
        }
    }
}

/// The index of the argument that is the task to run, for the scheduler calls that take
/// one (`queue_to_run(f, args)`, `with_timeout(d, f, args)`, ...), by the called name.
fn task_argument(name: &Ident) -> Option<usize> {
    if name == "queue_to_run" || name == "run_until_finished" {
        Some(0)
    } else if name == "queue_to_run_after" || name == "with_timeout" || name == "with_deadline" {
        Some(1)
    } else {
        None
    }
}

/// Where a scheduler call that takes a body (a pausing block) has it, and how many
/// parameters that closure takes: `scope(|s| ..)`, `with_timeout(d, || .., ())`,
/// `with_deadline(at, || .., ())`.
fn block_argument(name: &Ident) -> Option<(usize, usize)> {
    if name == "scope" {
        Some((0, 1))
    } else if name == "with_timeout" || name == "with_deadline" {
        Some((1, 0))
    } else {
        None
    }
}

/// The name a call calls: the method's, or the path's last segment.
fn called_name(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::MethodCall(call) => Some(&call.method),
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => path.path.segments.last().map(|last| &last.ident),
            _ => None,
        },
        _ => None,
    }
}

impl Rewrite {
    /// Makes `move || x.wait()`, handed to a scheduler call as the task to run, own what it
    /// waits on: the closure's value would borrow the closure's own `x`, which it cannot
    /// return. The call is awaited in an `async move` block that owns `x` instead.
    //
    // Input:
    //     scheduler::queue_to_run(move || ev.wait(), ())
    // Output:
    //     scheduler::queue_to_run(
    //         move || ::scheduler::__private::owned(async move { <ev.wait(), dispatched> }),
    //         (),
    //     )
    fn own_task_closure(&mut self, expr: &mut Expr) {
        let Some(index) = called_name(expr).and_then(task_argument) else {
            return;
        };
        if called_name(expr)
            .and_then(block_argument)
            .is_some_and(|(at, _)| at == index)
        {
            return; // a pausing block owns what it waits on already
        }
        let arg = match expr {
            Expr::Call(call) => call.args.iter_mut().nth(index),
            Expr::MethodCall(call) => call.args.iter_mut().nth(index),
            _ => None,
        };
        let Some(Expr::Closure(closure)) = arg else {
            return;
        };
        let borrows_a_capture = matches!(
            &*closure.body,
            Expr::MethodCall(call) if matches!(&*call.receiver, Expr::Path(_))
        );
        if closure.capture.is_none()
            || closure.asyncness.is_some()
            || !closure.inputs.is_empty()
            || !borrows_a_capture
        {
            return;
        }
        let outer = std::mem::replace(&mut self.in_closure, false);
        self.visit_expr_mut(&mut closure.body);
        self.in_closure = outer;
        let body = &closure.body;
        let span = body.span();
        let krate = crate::krate::path_at(span);
        *closure.body = Expr::Verbatim(quote_spanned! {span=>
            #krate::__private::owned(async move { #body })
        });
    }
}

impl Rewrite {
    /// Visits a call's callee, receiver and arguments. A closure among the arguments is
    /// marked as one (it may return a pause value only when it is the task a scheduler call
    /// takes, `queue_to_run(move || greet(x), ())`).
    fn visit_call_parts(&mut self, expr: &mut Expr) {
        let task = called_name(expr).and_then(task_argument);
        let block = called_name(expr).and_then(block_argument);
        let takes_a_future = called_name(expr).is_some_and(|name| name == "timeout");
        let args = match expr {
            Expr::Call(call) => {
                if block == Some((0, 1))
                    && call.args.len() == 1
                    && matches!(&call.args[0], Expr::Closure(c) if c.inputs.len() == 1 && c.asyncness.is_none())
                {
                    // `scope(|s| ..)`: the library's scope with a pausing body.
                    let span = call_span(&Expr::Call(call.clone()));
                    let krate = crate::krate::path_at(span);
                    *call.func =
                        Expr::Verbatim(quote_spanned!(span=> #krate::__private::scope_pausing));
                } else {
                    self.visit_expr_mut(&mut call.func);
                }
                &mut call.args
            }
            Expr::MethodCall(call) => {
                self.visit_expr_mut(&mut call.receiver);
                if let Some(turbofish) = &mut call.turbofish {
                    self.visit_angle_bracketed_generic_arguments_mut(turbofish);
                }
                &mut call.args
            }
            _ => return,
        };
        for (index, arg) in args.iter_mut().enumerate() {
            // `timeout(d, rx.recv())`: the future is timed, not awaited where it is written.
            if takes_a_future && index == 1 && matches!(arg, Expr::Call(_) | Expr::MethodCall(_)) {
                self.visit_call_parts(arg);
                continue;
            }
            if let (Some((at, params)), Expr::Closure(closure)) = (block, &mut *arg)
                && at == index
                && closure.inputs.len() == params
                && closure.asyncness.is_none()
            {
                *arg = self.pausing_block(closure, params == 1);
                continue;
            }
            self.closure_is_an_argument = matches!(arg, Expr::Closure(_)) && Some(index) != task;
            self.visit_expr_mut(arg);
            self.closure_is_an_argument = false;
        }
    }

    /// A closure handed to a scheduler call that takes a body: its body pauses like the
    /// task body around it.
    //
    // Input:
    //     scheduler::scope(|s| { s.queue_to_run(a, ()); sleep(d); v })
    //     scheduler::with_timeout(d, move || { sleep(d); v }, ())
    // Output:
    //     ::scheduler::__private::scope_pausing(|scope: Scope| async {
    //         let scope = scope; // moves the scope in; other captures as the closure had them
    //         let s = &scope;
    //         <body>
    //     })
    //     scheduler::with_timeout(d, ::scheduler::__private::pausing(async move { <body> }), ())
    // with the body rewritten as the task body's own code: its pause points pause.
    fn pausing_block(&mut self, closure: &mut syn::ExprClosure, takes_scope: bool) -> Expr {
        let outer = std::mem::replace(&mut self.in_closure, false);
        self.visit_expr_mut(&mut closure.body);
        self.in_closure = outer;
        let (capture, inputs, body) = (&closure.capture, &closure.inputs, &closure.body);
        let span = closure.or1_token.span;
        let krate = crate::krate::path_at(span);
        let output = match &closure.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(arrow, ty) => Some(quote!(#arrow #ty)),
        };
        Expr::Verbatim(if takes_scope {
            // The block owns the scope it is given (moved in by its first statement; every
            // other capture is as the closure had it) and lends it to the user's pattern.
            let scope = Ident::new("__scheduler_scope", Span::mixed_site());
            let param = &inputs[0];
            let body = match output {
                Some(output) => {
                    quote!({ let __scheduler_value: #output = #body; __scheduler_value })
                }
                None => quote!(#body),
            };
            // Its own tokens are made at the attribute: walked to the anchor (`anchor.rs`).
            crate::anchor::fragment(quote_spanned! {span=>
                #capture |#scope: #krate::Scope| async #capture {
                    let #scope = #scope;
                    let #param = &#scope;
                    #body
                }
            })
        } else {
            quote_spanned! {span=>
                #krate::__private::pausing(async #capture { #body })
            }
        })
    }
}

impl Rewrite {
    /// Expands `select! { .. }` (see `select.rs`) into `expr`, its arms rewritten: each
    /// raced pause point as the call it is (its arguments rewritten), each body as part of
    /// the task body.
    fn expand_select(&mut self, mac: &syn::Macro) -> Expr {
        let span = mac.path.span();
        if self.in_closure {
            self.errors.push(syn::Error::new(
                span,
                "this `select!` is inside a closure, where it cannot pause: move it into the \
                 #[task] fn body",
            ));
            return Expr::Verbatim(quote_spanned!(span=> ::core::unreachable!()));
        }
        let mut select = match mac.parse_body::<select::Select>() {
            Ok(select) => select,
            Err(error) => {
                self.errors.push(error);
                return Expr::Verbatim(quote_spanned!(span=> ::core::unreachable!()));
            }
        };
        for arm in &mut select.arms {
            match &mut arm.future {
                future @ (Expr::Call(_) | Expr::MethodCall(_)) => self.visit_call_parts(future),
                future => self.visit_expr_mut(future),
            }
            self.visit_expr_mut(&mut arm.body);
        }
        let sites = select::Sites {
            select: self.site(span),
            arms: select
                .arms
                .iter()
                .map(|arm| self.site(arm.future.span()))
                .collect(),
        };
        // Its own tokens are made at the attribute: walked to the anchor (`anchor.rs`).
        Expr::Verbatim(crate::anchor::fragment(select::expand(
            select, span, &sites,
        )))
    }
}

impl VisitMut for Rewrite {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Macro(mac) if select::is_select(&mac.mac.path) => {
                *expr = self.expand_select(&mac.mac);
            }
            Expr::Call(_) | Expr::MethodCall(_) => {
                self.own_task_closure(expr);
                let scope = match expr {
                    Expr::Call(call) => queue::scope_param(call),
                    _ => None,
                };
                let inside_a_scope = scope.is_some();
                self.scopes.extend(scope);
                self.visit_call_parts(expr);
                if inside_a_scope {
                    self.scopes.pop();
                }
                // A queued task's handle is a plain value: no pause dispatch around it.
                if !self.dispatch_queue(expr) && !is_plain(expr) {
                    self.wrap_call(expr);
                }
            }
            Expr::Closure(closure) => {
                if let Some(asyncness) = closure.asyncness {
                    self.errors.push(syn::Error::new(
                        asyncness.span(),
                        "a #[task] fn cannot hold an `async` closure: make its work a #[task] \
                         fn and queue it with `scheduler::queue_to_run(f, args)`",
                    ));
                }
                if std::mem::replace(&mut self.closure_is_an_argument, false) {
                    // An argument of a plain call (`map`, `for_each`): whatever it returns
                    // goes to plain code, so a pause point there is misuse too.
                    let outer = std::mem::replace(&mut self.in_closure, true);
                    self.visit_expr_mut(&mut closure.body);
                    self.in_closure = outer;
                } else {
                    self.visit_closure_body(&mut closure.body);
                }
            }
            Expr::Async(async_block) => {
                let (async_token, capture) = (&async_block.async_token, &async_block.capture);
                self.errors.push(syn::Error::new_spanned(
                    quote!(#async_token #capture),
                    "a #[task] fn cannot hold an `async` block: make this code a #[task] fn and \
                     call it (the call pauses by itself); to wait for a future from another \
                     library, write `scheduler::wait(fut)`",
                ));
            }
            Expr::Await(await_expr) => {
                let (dot, await_token) = (&await_expr.dot_token, &await_expr.await_token);
                self.errors.push(syn::Error::new_spanned(
                    quote!(#dot #await_token),
                    "remove `.await`: in a #[task] fn a call to a pause point pauses by itself; \
                     to wait for a future from another library, write `scheduler::wait(fut)`",
                ));
                // Reported; drop the `.await` so the expansion reads as the fix would.
                let mut base = (*await_expr.base).clone();
                self.visit_expr_mut(&mut base);
                *expr = base;
            }
            Expr::Repeat(repeat) => self.visit_expr_mut(&mut repeat.expr),
            Expr::Const(_) => {}
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    // Input, a call as a statement in the body:
    //     set_flag(flag);
    // Output:
    //     ::scheduler::__private::Unused(&<set_flag(flag), dispatched>).check();
    // which fails to compile when the value is a future that is not a `TaskHandle` (whose
    // task runs by itself; a pause value was awaited by the dispatch): nothing would run it.
    // One probe, as in the dispatch: an inherent method for a handle, a trait's for a future,
    // another's one autoref later for any other value.
    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        let checked = match stmt {
            syn::Stmt::Expr(expr @ (Expr::Call(_) | Expr::MethodCall(_)), Some(_))
                if !self.in_closure =>
            {
                let exempt = called_name(expr).is_some_and(|name| {
                    let name = name.to_string();
                    name.starts_with("queue_to_run") || name.contains("spawn")
                });
                let span = call_span(expr);
                self.visit_expr_mut(expr);
                if exempt || !matches!(expr, Expr::Verbatim(_)) {
                    return;
                }
                self.uses.unused = true;
                let krate = crate::krate::path_at(span);
                let check = Ident::new("check", span);
                quote_spanned! {span=>
                    #krate::__private::Unused(&#expr).#check();
                }
            }
            syn::Stmt::Macro(mac) if select::is_select(&mac.mac.path) => {
                let expanded = self.expand_select(&mac.mac);
                *stmt = syn::Stmt::Expr(expanded, mac.semi_token);
                return;
            }
            _ => return visit_mut::visit_stmt_mut(self, stmt),
        };
        *stmt = syn::Stmt::Expr(Expr::Verbatim(checked), None);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string());
        if let Some(args) = name.as_deref().and_then(MacroArgs::of) {
            self.visit_macro_args(mac, args);
        }
    }

    // Nothing below runs as part of the task: nested items are their own code, and types,
    // patterns, paths and attributes hold no calls that run here.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_type_mut(&mut self, _: &mut syn::Type) {}
    fn visit_pat_mut(&mut self, _: &mut syn::Pat) {}
    fn visit_path_mut(&mut self, _: &mut syn::Path) {}
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}
    fn visit_angle_bracketed_generic_arguments_mut(
        &mut self,
        _: &mut syn::AngleBracketedGenericArguments,
    ) {
    }
}

/// `true` for the calls the rewrite leaves as they are ([`PLAIN_METHODS`], [`PLAIN_FNS`]).
fn is_plain(expr: &Expr) -> bool {
    match expr {
        Expr::MethodCall(call) => PLAIN_METHODS.iter().any(|name| call.method == name),
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => path
                .path
                .segments
                .last()
                .is_some_and(|last| PLAIN_FNS.iter().any(|name| last.ident == name)),
            _ => false,
        },
        _ => false,
    }
}

/// The token a call's errors point at: the method's name, or the called fn's last segment.
fn call_span(expr: &Expr) -> Span {
    match expr {
        Expr::MethodCall(call) => call.method.span(),
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => path
                .path
                .segments
                .last()
                .map_or_else(|| path.span(), |s| s.ident.span()),
            func => func.span(),
        },
        other => other.span(),
    }
}

/// `vec![elem; n]`.
struct VecRepeat {
    /// The element, cloned `n` times.
    elem: Expr,
    /// The `;`.
    semi: Token![;],
    /// How many.
    len: Expr,
}

impl Parse for VecRepeat {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Ok(VecRepeat {
            elem: input.parse()?,
            semi: input.parse()?,
            len: input.parse()?,
        })
    }
}

impl quote::ToTokens for VecRepeat {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let VecRepeat { elem, semi, len } = self;
        tokens.extend(quote!(#elem #semi #len));
    }
}

/// Parses `tokens` as the statements of a block.
#[cfg(test)]
fn parse_block(tokens: TokenStream) -> Block {
    use syn::parse::Parser;
    Block::parse_within
        .parse2(tokens)
        .map(|stmts| Block {
            brace_token: Default::default(),
            stmts,
        })
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rewritten body, as compact text: `step(` marks a pause dispatch, `forbid(` a
    /// closure's.
    fn rewrite(tokens: TokenStream) -> String {
        let mut block = parse_block(tokens);
        if let Some(error) = rewrite_body(&mut block, &Ident::new("me", Span::call_site())).errors {
            panic!("unexpected error: {error}");
        }
        let stmts = &block.stmts;
        quote!(#(#stmts)*).to_string()
    }

    fn errors(tokens: TokenStream) -> Vec<String> {
        let mut block = parse_block(tokens);
        rewrite_body(&mut block, &Ident::new("me", Span::call_site()))
            .errors
            .expect("expected errors")
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    fn count(text: &str, what: &str) -> usize {
        text.matches(what).count()
    }

    #[test]
    fn every_call_is_dispatched() {
        let text = rewrite(quote!(let x = f(1); g(x).h();));
        assert_eq!(count(&text, ". step ("), 3, "{text}");
        assert_eq!(count(&text, ". await"), 3, "{text}");
    }

    #[test]
    fn dispatch_is_spelled_as_the_library_expects() {
        let text = rewrite(quote!(f()));
        assert_eq!(
            text,
            "(match :: scheduler :: __private :: Dispatch (f ()) . step (__SCHEDULER_SITE_0) \
             { __scheduler_v => match __scheduler_v { :: scheduler :: __private :: Step :: Now \
             (__scheduler_now) => __scheduler_now , :: scheduler :: __private :: Step :: Later (_) \
             => __scheduler_v . await , } , })"
        );
    }

    #[test]
    fn inner_calls_are_rewritten_first() {
        let text = rewrite(quote!(f(g(h()))));
        assert!(
            text.starts_with(
                "(match :: scheduler :: __private :: Dispatch (f ((match :: scheduler :: \
                 __private :: Dispatch (g ((match :: scheduler :: __private :: Dispatch (h ()"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_call_of_the_fn_to_itself_is_boxed() {
        for body in [
            quote!(me(n - 1)),
            quote!(Self::me(n - 1)),
            quote!(self.me(n - 1)),
            quote!(scheduler::run_until_finished(me, (n - 1,))),
        ] {
            let text = rewrite(body);
            assert_eq!(count(&text, ". step_boxed ("), 1, "{text}");
        }
        for body in [
            quote!(other::me(1)),
            quote!(x.you(1)),
            quote!(run_until_finished(other, ())),
        ] {
            let text = rewrite(body);
            assert_eq!(count(&text, ". step_boxed ("), 0, "{text}");
        }
    }

    #[test]
    fn inference_dependent_calls_are_left_alone() {
        let text = rewrite(quote!(
            let v: Vec<u32> = it.collect();
            let n = "5".parse::<u32>().unwrap();
            let o = Some(n);
            let d = Default::default();
            let s = x.clone().to_string();
            drop(s);
            std::process::exit(0)
        ));
        // Only `parse` is dispatched.
        assert_eq!(count(&text, ". step ("), 1, "{text}");
    }

    #[test]
    fn calls_in_control_flow_are_rewritten() {
        let text = rewrite(quote!(
            if a() { b() } else { c() }
            while d() { e(); }
            for x in f() { g(x); }
            match h() { _ if i() => j(), _ => k() }
            let Some(y) = l() else { return m(); };
            let z = [n(), o()];
            let w = (p()? + -q()).r[s()];
        ));
        assert_eq!(count(&text, ". step ("), 18, "{text}");
    }

    #[test]
    fn calls_in_std_macros_are_rewritten() {
        let text = rewrite(quote!(
            println!("{} {x}", a(), x = b());
            std::assert_eq!(c(), 1, "{}", d());
            let v = vec![e(); f()];
            let w = vec![g(), h()];
            write!(out(), "{}", i()).unwrap();
            my_macro!(j());
        ));
        assert_eq!(count(&text, ". step ("), 10, "{text}");
        assert!(text.contains("my_macro ! (j ())"), "{text}");
    }

    #[test]
    fn macros_that_do_not_parse_are_left_alone() {
        let text = rewrite(quote!(println!(a() =>);));
        assert_eq!(text, "println ! (a () =>) ;");
    }

    #[test]
    fn queue_to_run_of_a_fn_goes_through_the_send_dispatch() {
        let text = rewrite(quote!(let h = scheduler::queue_to_run(worker, (a, b.clone()));));
        assert_eq!(count(&text, "__private :: queue ("), 1, "{text}");
        let text =
            rewrite(quote!(let v: Vec<_> = xs.map(|x| scheduler::queue_to_run(worker, (x,)));));
        assert_eq!(count(&text, "__private :: queue ("), 1, "{text}");
        let text = rewrite(quote!(scheduler::queue_to_run_after(d, worker, (1,));));
        assert_eq!(count(&text, "__private :: queue_after ("), 1, "{text}");
        let text = rewrite(quote!(scheduler::queue_to_run_after(d, || 1, ());));
        assert_eq!(count(&text, "__private :: queue_after ("), 0, "{text}");
    }

    #[test]
    fn queue_to_run_on_a_scope_goes_through_the_send_dispatch() {
        let text = rewrite(quote!(scheduler::scope(|s| { s.queue_to_run(worker, (1,)); });));
        assert_eq!(count(&text, "__private :: queue_in ("), 1, "{text}");
        let text =
            rewrite(quote!(let v = scope(|s: &Scope| xs.map(|x| s.queue_to_run(worker, (x,))));));
        assert_eq!(count(&text, "__private :: queue_in ("), 1, "{text}");
        // Not a scope's parameter, or not a decidable task: the method call as written.
        for body in [
            quote!(t.queue_to_run(worker, (1,));),
            quote!(scope(|s| s.queue_to_run(|| 1, ()));),
            quote!(scope(|s| s.queue_to_run(me, ()));),
        ] {
            let text = rewrite(body);
            assert_eq!(count(&text, "__private :: queue_in ("), 0, "{text}");
        }
    }

    #[test]
    fn queue_to_run_keeps_the_plain_call_where_the_compiler_could_not_tell() {
        for body in [
            // The fn being expanded (`me` in these tests) queuing itself.
            quote!(scheduler::queue_to_run(me, (1,));),
            quote!(scheduler::queue_to_run(Self::me, (1,));),
            // A closure written in the body, directly or through locals.
            quote!(scheduler::queue_to_run(|| 1, ());),
            quote!(scheduler::queue_to_run(worker, (|| 1,));),
            quote!(let c = move || x; scheduler::queue_to_run(c, ());),
            quote!(let c = move || x; let d = (c, 1); scheduler::queue_to_run(worker, d);),
            quote!(let mut c = None; c = Some(|| 1); scheduler::queue_to_run(worker, (c,));),
            quote!(let mut v = Vec::new(); v.push(|| 1); scheduler::queue_to_run(worker, (v,));),
            // Some other `queue_to_run`: a method, another path, or a bare name (a fn of the
            // user's may have it).
            quote!(s.queue_to_run(worker, ());),
            quote!(other::queue_to_run(worker, ());),
            quote!(queue_to_run(worker, (1,));),
        ] {
            let text = rewrite(body);
            assert_eq!(count(&text, "__private :: queue ("), 0, "{text}");
        }
    }

    #[test]
    fn calls_in_closures_are_forbidden_not_awaited() {
        let text = rewrite(quote!(let c = |x| { let y = f(x); y + 1 };));
        assert_eq!(count(&text, ". forbid ("), 1, "{text}");
        assert_eq!(count(&text, ". await"), 0, "{text}");
    }

    #[test]
    fn a_closure_may_return_a_call() {
        let text = rewrite(quote!(queue_to_run(move || greet(name(), true), ())));
        // `greet(..)` is returned as it is; `name()` is forbidden; `queue_to_run` pauses.
        assert_eq!(count(&text, ". forbid ("), 1, "{text}");
        assert_eq!(count(&text, ". step ("), 1, "{text}");
        assert!(text.contains("move | | greet ("), "{text}");
    }

    #[test]
    fn nested_items_and_const_blocks_are_not_rewritten() {
        let text = rewrite(quote!(
            fn helper() -> u32 { f() }
            const N: usize = g();
            let a = [0u8; h()];
            let b = const { i() };
        ));
        assert_eq!(count(&text, ". step ("), 0, "{text}");
    }

    #[test]
    fn await_is_an_error() {
        let found = errors(quote!(let x = f().await; g(async { 1 }); let c = async |y| y;));
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("remove `.await`"), "{found:?}");
        assert!(
            found[1].contains("cannot hold an `async` block"),
            "{found:?}"
        );
        assert!(
            found[2].contains("cannot hold an `async` closure"),
            "{found:?}"
        );
    }
}
