//! Naming a signature's lifetimes, so a task's future may hold the references it is given
//! on every edition.
//!
//! Before edition 2024, a return type `impl Trait` may only hold the lifetimes its bounds
//! name, and an elided one (`&self`, `&str`, `Ref<'_>`) has no name to put there. So each
//! elided lifetime of the parameters gets a name, and `task.rs` names them all in a
//! `Captures<..>` bound.

use proc_macro2::Span;
use syn::visit_mut::{self, VisitMut};
use syn::{FnArg, GenericParam, Lifetime, LifetimeParam, Signature};

/// Names every elided lifetime in `sig`'s parameters (adding it to the generics) and
/// returns every lifetime the signature declares.
//
// Input:
//     fn get<'a>(&self, key: &'a str, rest: Ref<'_>) -> u32
// Output (in `sig`):
//     fn get<'__scheduler0, '__scheduler1, 'a>(&'__scheduler0 self, key: &'a str,
//         rest: Ref<'__scheduler1>) -> u32
// returning ['__scheduler0, '__scheduler1, 'a]
pub(crate) fn name_elided(sig: &mut Signature) -> Vec<Lifetime> {
    let mut namer = Namer::default();
    for input in &mut sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                if let Some((_, lifetime @ None)) = &mut receiver.reference {
                    let named = namer.fresh();
                    *lifetime = Some(named.clone());
                    if let syn::Type::Reference(reference) = &mut *receiver.ty {
                        reference.lifetime = Some(named);
                    }
                } else {
                    namer.visit_type_mut(&mut receiver.ty);
                }
            }
            FnArg::Typed(typed) => namer.visit_type_mut(&mut typed.ty),
        }
    }
    let fresh = namer.named;
    for (index, lifetime) in fresh.iter().enumerate() {
        let param = GenericParam::Lifetime(LifetimeParam::new(lifetime.clone()));
        sig.generics.params.insert(index, param);
    }
    if !fresh.is_empty() && sig.generics.lt_token.is_none() {
        sig.generics.lt_token = Some(Default::default());
        sig.generics.gt_token = Some(Default::default());
    }
    sig.generics
        .lifetimes()
        .map(|param| param.lifetime.clone())
        .collect()
}

/// The visitor that names elided lifetimes in a parameter's type.
#[derive(Default)]
struct Namer {
    /// The names given so far, in order.
    named: Vec<Lifetime>,
}

impl Namer {
    /// A new lifetime name.
    fn fresh(&mut self) -> Lifetime {
        let lifetime = Lifetime::new(
            &format!("'__scheduler{}", self.named.len()),
            Span::mixed_site(),
        );
        self.named.push(lifetime.clone());
        lifetime
    }
}

impl VisitMut for Namer {
    fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
        if reference.lifetime.is_none() {
            reference.lifetime = Some(self.fresh());
        }
        visit_mut::visit_type_reference_mut(self, reference);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            *lifetime = self.fresh();
        }
    }

    // Elided lifetimes in `fn(&T)` and `Fn(&T) -> &U` are the fn type's own (late-bound):
    // they stay elided.
    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn named(sig: Signature) -> (String, Vec<String>) {
        let mut sig = sig;
        let lifetimes = name_elided(&mut sig);
        (
            quote!(#sig).to_string(),
            lifetimes.iter().map(|l| l.to_string()).collect(),
        )
    }

    #[test]
    fn elided_lifetimes_get_names_and_declared_ones_are_kept() {
        let (text, lifetimes) = named(syn::parse_quote!(
            fn get<'a, T>(&self, key: &'a str, rest: Ref<'_>, f: fn(&u8)) -> u32
        ));
        assert_eq!(
            lifetimes,
            ["'__scheduler0", "'__scheduler1", "'a"],
            "{text}"
        );
        assert!(
            text.contains("& '__scheduler0 self , key : & 'a str , rest : Ref < '__scheduler1 >"),
            "{text}"
        );
        assert!(text.contains("f : fn (& u8)"), "{text}");
    }

    #[test]
    fn a_signature_without_references_gets_no_lifetimes() {
        let (text, lifetimes) = named(syn::parse_quote!(fn f(x: u32, y: Box<u8>)));
        assert!(lifetimes.is_empty());
        assert_eq!(text, "fn f (x : u32 , y : Box < u8 >)");
    }
}
