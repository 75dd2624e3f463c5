//! Which `scheduler::queue_to_run(f, args)` calls in a `#[task]` body go through the
//! dispatch on `Send` (see `__private`'s module docs), so that on a pool any worker may run
//! their task; and the same for `queue_to_run_after(delay, f, args)`, and for
//! `s.queue_to_run(f, args)` inside `scope(|s| ..)`.
//!
//! The dispatch asks the compiler, at the call, whether the task's future is `Send`. The
//! compiler can answer for the futures of fns defined elsewhere, but not yet for two kinds of
//! types, and then it reports an error instead of choosing: a closure written in this body
//! (what it captures is only settled at the end of the body), and the future of the fn
//! being expanded (asking inside its own body is a cycle). So a call is dispatched only when
//! `f` is a path that does not name this fn, and its arguments hold no closure written here:
//! no closure expression, and no local that may hold one (a let or an assignment whose
//! value holds a closure, or such a local, taints the names it binds, and so does a method
//! call with such an argument its receiver: `v.push(|| ..)`). Every other call keeps the
//! plain `queue_to_run`, whose task stays on the calling thread.
//!
//! Two fns that queue each other by name (`a` queues `b`, `b` queues `a`) ask the compiler
//! a question whose answer depends on itself: a cycle it rejects (E0391, naming
//! `QueueAnywhere`). Through a closure (`queue_to_run(move || b(x), ())`) the call is not
//! dispatched, and compiles: `Pause` is `!Unpin` by an impl that never looks at the future
//! (`pause.rs`), so the plain `queue_to_run` asks nothing about `b`'s body.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::visit::{self, Visit};
use syn::{Block, Expr, ExprCall, ExprMethodCall, Ident, Pat};

/// The locals of a body that may hold a closure written in it.
pub(crate) struct ClosureLocals(HashSet<String>);

impl ClosureLocals {
    /// Finds them in `body`, before it is rewritten.
    pub(crate) fn of(body: &Block) -> Self {
        let mut locals = ClosureLocals(HashSet::new());
        // A let can hold a local that an earlier let tainted: go over the body until no
        // new name is found.
        loop {
            let before = locals.0.len();
            let mut finder = Finder {
                locals: &mut locals,
            };
            finder.visit_block(body);
            if locals.0.len() == before {
                return locals;
            }
        }
    }

    /// Whether `tokens` hold a closure or a tainted local.
    fn hold_a_closure(&self, tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => self.0.contains(&ident.to_string()),
            TokenTree::Group(group) => self.hold_a_closure(group.stream()),
            // `|` starts a closure (`|x| ..`, `||`), and is also a binary or: a false alarm
            // only keeps a call's task on its thread.
            TokenTree::Punct(punct) => punct.as_char() == '|',
            TokenTree::Literal(_) => false,
        })
    }
}

/// Walks a body, adding to `locals` the names that may come to hold a closure: bound by a
/// let or assigned from a value that holds one, or the receiver of a method given one.
struct Finder<'a> {
    locals: &'a mut ClosureLocals,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            let value = &init.expr;
            if self.locals.hold_a_closure(quote!(#value)) {
                bind(&local.pat, &mut self.locals.0);
            }
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_assign(&mut self, assign: &'ast syn::ExprAssign) {
        let value = &assign.right;
        if self.locals.hold_a_closure(quote!(#value)) {
            let place = &assign.left;
            for token in quote!(#place) {
                if let TokenTree::Ident(ident) = token {
                    self.locals.0.insert(ident.to_string());
                }
            }
        }
        visit::visit_expr_assign(self, assign);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `v.push(|| ..)`: the receiver may now hold a closure.
        if call
            .args
            .iter()
            .any(|arg| self.locals.hold_a_closure(quote!(#arg)))
            && let Expr::Path(receiver) = &*call.receiver
            && let Some(name) = receiver.path.get_ident()
        {
            self.locals.0.insert(name.to_string());
        }
        visit::visit_expr_method_call(self, call);
    }

    // Nested items are not part of the body.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Adds every name `pat` binds to `names`.
fn bind(pat: &Pat, names: &mut HashSet<String>) {
    struct Names<'a>(&'a mut HashSet<String>);
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
            self.0.insert(pat.ident.to_string());
            visit::visit_pat_ident(self, pat);
        }
    }
    Names(names).visit_pat(pat);
}

/// The path `call` calls, segment by segment, when it is a plain path (`a::b(..)`, no
/// generic arguments, no `<T as Trait>::`).
fn called_path(call: &ExprCall) -> Option<Vec<String>> {
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    if func.qself.is_some() || func.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    Some(
        func.path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect(),
    )
}

/// The name `call` gives its scope when it is `scope(|s| ..)` or `scheduler::scope(|s| ..)`.
pub(crate) fn scope_param(call: &ExprCall) -> Option<String> {
    let names = called_path(call)?;
    let is_scope = matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["scope"] | ["scheduler", "scope"]
    );
    let [Expr::Closure(closure)] = call.args.iter().collect::<Vec<_>>().as_slice() else {
        return None;
    };
    match closure.inputs.first() {
        Some(Pat::Ident(param)) if is_scope => Some(param.ident.to_string()),
        Some(Pat::Type(typed)) if is_scope => match &*typed.pat {
            Pat::Ident(param) => Some(param.ident.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The dispatched form of `call` when it is `s.queue_to_run(f, args)` on a scope named in
/// `scopes` (the parameters of the `scope(|s| ..)` closures around it) that the dispatch can
/// decide, as [`dispatch`] says.
//
// Input:
//     s.queue_to_run(f, args)
// Output:
//     (match ::scheduler::__private::queue_in(&*s, f, args) {
//         __scheduler_q => ::scheduler::__private::resolved(&__scheduler_q)
//             .__scheduler_queue_kind()
//             .queue_in(__scheduler_q)
//     })
pub(crate) fn dispatch_in_scope(
    call: &ExprMethodCall,
    span: Span,
    fn_name: &Ident,
    locals: &ClosureLocals,
    scopes: &[String],
) -> Option<TokenStream> {
    let Expr::Path(receiver) = &*call.receiver else {
        return None;
    };
    let scope = receiver.path.get_ident()?;
    if call.method != "queue_to_run"
        || call.turbofish.is_some()
        || call.args.len() != 2
        || !scopes.iter().any(|name| scope == name)
    {
        return None;
    }
    let (f, args) = (&call.args[0], &call.args[1]);
    if !decidable(f, args, fn_name, locals) {
        return None;
    }
    let start = quote_spanned!(span=> queue_in(&*#scope, #f, #args));
    Some(dispatched(span, start, "queue_in"))
}

/// The dispatch around `start`, a call of a `__private` fn that gathers the call's parts,
/// finished by the tag's `method`.
//
// Output:
//     (match ::scheduler::__private::<start> {
//         __scheduler_q => ::scheduler::__private::resolved(&__scheduler_q)
//             .__scheduler_queue_kind()
//             .<method>(__scheduler_q)
//     })
fn dispatched(span: Span, start: TokenStream, method: &str) -> TokenStream {
    let queue = Ident::new("__scheduler_q", span);
    let method = Ident::new(method, span);
    let krate = crate::krate::path_at(span);
    quote_spanned! {span=>
        (match #krate::__private::#start {
            #queue => #krate::__private::resolved(&#queue)
                .__scheduler_queue_kind()
                .#method(#queue)
        })
    }
}

/// Whether the compiler can tell at the call whether queuing `f` with `args` makes a
/// `Send` task (see the module docs).
fn decidable(f: &Expr, args: &Expr, fn_name: &Ident, locals: &ClosureLocals) -> bool {
    matches!(f, Expr::Path(_))
        && !mentions(quote!(#f), fn_name)
        && !locals.hold_a_closure(quote!(#f))
        && !locals.hold_a_closure(quote!(#args))
}

/// Which free function `call` is: `Some(false)` for `scheduler::queue_to_run(f, args)`,
/// `Some(true)` for `scheduler::queue_to_run_after(delay, f, args)` (or through the
/// `crate = ".."` path), `None` for any other.
fn queue_call(call: &ExprCall) -> Option<bool> {
    let names = called_path(call)?;
    // Only the crate's own path: a bare `queue_to_run(..)` may be a fn of the user's (a
    // wrapper that logs, say), which must be called as written.
    let (last, prefix) = names.split_last()?;
    let krate = crate::krate::path().to_string().replace(' ', "");
    let krate: Vec<&str> = krate.trim_start_matches("::").split("::").collect();
    let ours = prefix == ["scheduler"] || prefix.iter().map(String::as_str).eq(krate);
    if !ours {
        return None;
    }
    let after = match last.as_str() {
        "queue_to_run" => false,
        "queue_to_run_after" => true,
        _ => return None,
    };
    let arity = if after { 3 } else { 2 };
    (call.args.len() == arity).then_some(after)
}

/// Whether `tokens` name `ident` anywhere.
fn mentions(tokens: TokenStream, ident: &Ident) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(found) => found == *ident,
        TokenTree::Group(group) => mentions(group.stream(), ident),
        _ => false,
    })
}

/// The dispatched form of `call` when it is a `queue_to_run` call the dispatch can decide
/// (see the module docs), in the body of the fn named `fn_name`.
//
// Input:
//     scheduler::queue_to_run(f, args)
// Output:
//     (match ::scheduler::__private::queue(f, args) {
//         __scheduler_q => ::scheduler::__private::resolved(&__scheduler_q)
//             .__scheduler_queue_kind()
//             .queue(__scheduler_q)
//     })
pub(crate) fn dispatch(
    call: &ExprCall,
    span: Span,
    fn_name: &Ident,
    locals: &ClosureLocals,
) -> Option<TokenStream> {
    let after = queue_call(call)?;
    if after {
        let (delay, f, args) = (&call.args[0], &call.args[1], &call.args[2]);
        if !decidable(f, args, fn_name, locals) {
            return None;
        }
        let start = quote_spanned!(span=> queue_after(#delay, #f, #args));
        return Some(dispatched(span, start, "queue_after"));
    }
    let (f, args) = (&call.args[0], &call.args[1]);
    if !decidable(f, args, fn_name, locals) {
        return None;
    }
    let start = quote_spanned!(span=> queue(#f, #args));
    Some(dispatched(span, start, "queue"))
}
