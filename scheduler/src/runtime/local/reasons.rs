//! What each started task of a single-threaded scheduler waits on, for its deadlock report:
//! one byte per registry key, beside the registry rather than in its entries, so that a
//! parked task costs the registry only its header and its waker. The few reasons that carry
//! a name (`join` of a task) keep it in a map of their own.

use core::cell::RefCell;
use std::collections::HashMap;

use crate::reason::Reason;

/// No reason known (a task that has not paused yet, or whose flavour noted none).
const NONE: u8 = 0;

/// A reason with a payload: it is in [`Reasons::named`].
const NAMED: u8 = 1;

/// The code of `Reason::UNITS[0]`: code `FIRST_UNIT + i` is `Reason::UNITS[i]`.
const FIRST_UNIT: u8 = 2;

// Every reason without a payload has a code of one byte.
const _: () = assert!(Reason::UNITS.len() <= (u8::MAX - FIRST_UNIT) as usize + 1);

/// The code of `reason` (`NAMED` for one with a payload).
#[inline]
fn code(reason: Option<Reason>) -> u8 {
    match reason.map(Reason::unit_index) {
        None => NONE,
        Some(None) => NAMED,
        // Below `u8::MAX - FIRST_UNIT` (asserted above): no truncation.
        Some(Some(index)) => FIRST_UNIT + index as u8,
    }
}

/// The reason of a unit's `code`.
#[inline]
fn unit(code: u8) -> Reason {
    Reason::UNITS[usize::from(code - FIRST_UNIT)]
}

/// The reasons of the registered tasks, by registry key.
#[derive(Default)]
pub(crate) struct Reasons {
    /// The code of each key's reason (`NONE` past the end).
    codes: RefCell<Vec<u8>>,
    /// The reasons coded `NAMED`, by key.
    named: RefCell<HashMap<usize, Reason>>,
}

impl Reasons {
    /// What the task `key` waits on.
    #[inline]
    pub(crate) fn get(&self, key: usize) -> Option<Reason> {
        match self.codes.borrow().get(key).copied().unwrap_or(NONE) {
            NONE => None,
            NAMED => self.named.borrow().get(&key).copied(),
            code => Some(unit(code)),
        }
    }

    /// Notes that the task `key` waits on `reason`; returns what it waited on before, if
    /// that was something else (`None`: no change, the common case, found by comparing one
    /// byte).
    #[inline]
    pub(crate) fn set(&self, key: usize, reason: Option<Reason>) -> Option<Option<Reason>> {
        let new = code(reason);
        let stored = self.codes.borrow().get(key).copied().unwrap_or(NONE);
        if stored == new && new != NAMED {
            return None;
        }
        self.replace(key, reason, new)
    }

    /// Forgets what the task `key` waited on (it left the registry) and returns it.
    #[inline]
    pub(crate) fn clear(&self, key: usize) -> Option<Reason> {
        let mut codes = self.codes.borrow_mut();
        let code = core::mem::replace(codes.get_mut(key)?, NONE);
        match code {
            NONE => None,
            NAMED => self.named.borrow_mut().remove(&key),
            code => Some(unit(code)),
        }
    }

    /// [`Reasons::set`] past its fast path: the code changes, or a name is involved.
    fn replace(&self, key: usize, reason: Option<Reason>, new: u8) -> Option<Option<Reason>> {
        let old = self.get(key);
        if old == reason {
            return None;
        }
        if old.is_some_and(|old| code(Some(old)) == NAMED) {
            self.named.borrow_mut().remove(&key);
        }
        if let Some(named) = reason.filter(|_| new == NAMED) {
            self.named.borrow_mut().insert(key, named);
        }
        let mut codes = self.codes.borrow_mut();
        if key >= codes.len() {
            codes.resize(key + 1, NONE);
        }
        codes[key] = new;
        Some(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::TaskName;

    #[test]
    fn every_reason_reads_back_as_it_was_set() {
        let reasons = Reasons::default();
        let joined = Reason::Join(TaskName::path("app::child"));
        assert_eq!(
            reasons.get(3),
            None,
            "a key never set waits on nothing known"
        );
        for (key, reason) in Reason::UNITS.iter().copied().chain([joined]).enumerate() {
            assert_eq!(
                reasons.set(key, Some(reason)),
                Some(None),
                "it waited on nothing"
            );
            assert_eq!(reasons.get(key), Some(reason));
            assert_eq!(reasons.set(key, Some(reason)), None, "no change");
        }
        let named = Reason::UNITS.len(); // the key set to `joined` last
        assert_eq!(reasons.set(named, Some(Reason::Recv)), Some(Some(joined)));
        assert!(
            reasons.named.borrow().is_empty(),
            "a name is kept only while needed"
        );
        assert_eq!(reasons.set(named, None), Some(Some(Reason::Recv)));
        assert_eq!(reasons.get(named), None);
        assert_eq!(reasons.set(named, None), None, "no change");
        assert_eq!(reasons.clear(named), None);
        assert_eq!(
            reasons.clear(17),
            Some(Reason::Scope),
            "a left task's reason is given back"
        );
        assert_eq!(reasons.get(17), None, "and forgotten");
        reasons.set(5, Some(joined));
        assert_eq!(reasons.clear(5), Some(joined));
        assert!(reasons.named.borrow().is_empty());
        assert_eq!(reasons.clear(1_000), None, "a key never set");
    }
}
