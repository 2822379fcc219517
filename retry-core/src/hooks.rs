//! The predicates and hooks a retry loop consults, as traits implemented by closures
//! (and fn items) of the right shape and by [`Nop`] for "not set".
//!
//! Users pass closures; these traits only appear in bounds.

use core::fmt;
use core::time::Duration;

use crate::details::Details;

/// "Not set": the default of every predicate, hint, hook and sleeper slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nop;

/// A yes/no question about an error or a value (`giveup`, `retry_if`, `retry_if_ok`).
pub trait Predicate<A: ?Sized> {
    /// Whether the predicate is set (`Nop` is not).
    const SET: bool = true;
    /// The answer; `None` when the predicate is not set.
    fn test(&self, value: &A) -> Option<bool>;
}

impl<A: ?Sized> Predicate<A> for Nop {
    const SET: bool = false;
    #[inline]
    fn test(&self, _: &A) -> Option<bool> {
        None
    }
}

impl<A: ?Sized, F: Fn(&A) -> bool> Predicate<A> for F {
    #[inline]
    fn test(&self, value: &A) -> Option<bool> {
        Some(self(value))
    }
}

/// A server's hint how long to wait (`retry_after`), e.g. from a `Retry-After` header.
pub trait Hint<E> {
    /// The wait the error asks for, if any.
    fn hint(&self, error: &E) -> Option<Duration>;
}

impl<E> Hint<E> for Nop {
    #[inline]
    fn hint(&self, _: &E) -> Option<Duration> {
        None
    }
}

impl<E, F: Fn(&E) -> Option<Duration>> Hint<E> for F {
    #[inline]
    fn hint(&self, error: &E) -> Option<Duration> {
        self(error)
    }
}

/// A callback told about the call (`on_backoff`, `on_giveup`, `on_success`).
pub trait Hook<T, E> {
    /// Whether the hook is set; when none is, the clock is not read for it.
    const SET: bool = true;
    /// Run the hook.
    fn call(&self, details: &Details<'_, T, E>);
}

impl<T, E> Hook<T, E> for Nop {
    const SET: bool = false;
    #[inline]
    fn call(&self, _: &Details<'_, T, E>) {}
}

impl<T, E, F: Fn(&Details<'_, T, E>)> Hook<T, E> for F {
    #[inline]
    fn call(&self, details: &Details<'_, T, E>) {
        self(details)
    }
}

/// How events show an error: by its `Display` ([`ByDisplay`]), its `Debug`
/// ([`ByDebug`]), or not at all ([`Nop`]). `#[retry]` picks the first the error type
/// has; at a call site, [`Retry::error_display`](crate::Retry::error_display) or
/// [`Retry::error_debug`](crate::Retry::error_debug) choose.
pub trait Describe<E> {
    /// Whether anything is shown.
    const SHOWS: bool;
    /// Write `error`.
    fn describe(&self, error: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl<E> Describe<E> for Nop {
    const SHOWS: bool = false;
    fn describe(&self, _: &E, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

/// Show errors by their `Display`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByDisplay;

impl<E: fmt::Display> Describe<E> for ByDisplay {
    const SHOWS: bool = true;
    fn describe(&self, error: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(error, f)
    }
}

/// Show errors by their `Debug`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByDebug;

impl<E: fmt::Debug> Describe<E> for ByDebug {
    const SHOWS: bool = true;
    fn describe(&self, error: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(error, f)
    }
}

/// Every predicate, hint and hook of one retry loop, and how its events show errors.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hooks<
    Giveup = Nop,
    RetryIf = Nop,
    RetryIfOk = Nop,
    RetryAfter = Nop,
    OnBackoff = Nop,
    OnGiveup = Nop,
    OnSuccess = Nop,
    Describer = Nop,
> {
    pub(crate) giveup: Giveup,
    pub(crate) retry_if: RetryIf,
    pub(crate) retry_if_ok: RetryIfOk,
    pub(crate) retry_after: RetryAfter,
    pub(crate) on_backoff: OnBackoff,
    pub(crate) on_giveup: OnGiveup,
    pub(crate) on_success: OnSuccess,
    pub(crate) describe: Describer,
}

/// One setter per slot of [`Hooks`], each replacing that slot and its type.
macro_rules! slot_setters {
    ($($slot:ident: [$($param:ident),*] keeps [$($other:ident),*];)*) => {
        impl<G, R, K, A, B, X, Y, D> Hooks<G, R, K, A, B, X, Y, D> {
            $(
                pub(crate) fn $slot<F>(self, $slot: F) -> Hooks<$($param),*> {
                    let Hooks { $($other,)* .. } = self;
                    Hooks { $slot, $($other),* }
                }
            )*
        }
    };
}

slot_setters! {
    giveup: [F, R, K, A, B, X, Y, D] keeps [retry_if, retry_if_ok, retry_after, on_backoff, on_giveup, on_success, describe];
    retry_if: [G, F, K, A, B, X, Y, D] keeps [giveup, retry_if_ok, retry_after, on_backoff, on_giveup, on_success, describe];
    retry_if_ok: [G, R, F, A, B, X, Y, D] keeps [giveup, retry_if, retry_after, on_backoff, on_giveup, on_success, describe];
    retry_after: [G, R, K, F, B, X, Y, D] keeps [giveup, retry_if, retry_if_ok, on_backoff, on_giveup, on_success, describe];
    on_backoff: [G, R, K, A, F, X, Y, D] keeps [giveup, retry_if, retry_if_ok, retry_after, on_giveup, on_success, describe];
    on_giveup: [G, R, K, A, B, F, Y, D] keeps [giveup, retry_if, retry_if_ok, retry_after, on_backoff, on_success, describe];
    on_success: [G, R, K, A, B, X, F, D] keeps [giveup, retry_if, retry_if_ok, retry_after, on_backoff, on_giveup, describe];
    describe: [G, R, K, A, B, X, Y, F] keeps [giveup, retry_if, retry_if_ok, retry_after, on_backoff, on_giveup, on_success];
}

/// What the predicates make of an outcome, before the engine counts it.
pub(crate) enum Judgement<'a, E> {
    /// An `Ok` that `retry_if_ok` does not reject: the call returns it.
    Accepted,
    /// An error that `giveup` or `retry_if` will not retry: the call returns it.
    Stopped,
    /// A failure the engine judges: the error (whose hint it may ask), or `None` for a
    /// rejected `Ok`.
    Failed(Option<&'a E>),
}

/// The [`Judgement`] of `hooks` on `outcome`: each predicate asked at most once.
#[inline(always)]
pub(crate) fn judge<'a, T, E, H: HookSet<T, E>>(
    hooks: &H,
    outcome: &'a Result<T, E>,
) -> Judgement<'a, E> {
    match outcome {
        Ok(value) if !hooks.rejects_ok(value) => Judgement::Accepted,
        Ok(_) => Judgement::Failed(None),
        Err(error) if hooks.stops_on(error) => Judgement::Stopped,
        Err(error) => Judgement::Failed(Some(error)),
    }
}

/// The predicates, hint and hooks of one loop, seen together; implemented by [`Hooks`]
/// whose slots have the right shapes.
pub trait HookSet<T, E> {
    /// Whether any hook is set (the clock is read only then, or for `max_time`).
    const HOOKED: bool;
    /// Whether `retry_if_ok` is set: then only the engine's judgement of an outcome may
    /// ask it (once per attempt), not a shortcut for successes before it.
    const JUDGES_OK: bool;
    /// `giveup` says stop, or `retry_if` says don't retry.
    fn stops_on(&self, error: &E) -> bool;
    /// `retry_if_ok` rejects this value.
    fn rejects_ok(&self, value: &T) -> bool;
    /// `retry_after`'s hint.
    fn hint(&self, error: &E) -> Option<Duration>;
    /// Run `on_backoff`.
    fn on_backoff(&self, details: &Details<'_, T, E>);
    /// Run `on_giveup`.
    fn on_giveup(&self, details: &Details<'_, T, E>);
    /// Run `on_success`.
    fn on_success(&self, details: &Details<'_, T, E>);
    /// Write `error` as events show it (nothing when errors are not shown).
    fn describe(&self, error: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl<T, E, G, R, K, A, B, X, Y, D> HookSet<T, E> for Hooks<G, R, K, A, B, X, Y, D>
where
    D: Describe<E>,
    G: Predicate<E>,
    R: Predicate<E>,
    K: Predicate<T>,
    A: Hint<E>,
    B: Hook<T, E>,
    X: Hook<T, E>,
    Y: Hook<T, E>,
{
    const HOOKED: bool = B::SET || X::SET || Y::SET;
    const JUDGES_OK: bool = K::SET;

    #[inline]
    fn stops_on(&self, error: &E) -> bool {
        self.giveup.test(error) == Some(true) || self.retry_if.test(error) == Some(false)
    }

    #[inline]
    fn rejects_ok(&self, value: &T) -> bool {
        self.retry_if_ok.test(value) == Some(true)
    }

    #[inline]
    fn hint(&self, error: &E) -> Option<Duration> {
        self.retry_after.hint(error)
    }

    #[inline]
    fn on_backoff(&self, details: &Details<'_, T, E>) {
        self.on_backoff.call(details)
    }

    #[inline]
    fn on_giveup(&self, details: &Details<'_, T, E>) {
        self.on_giveup.call(details)
    }

    #[inline]
    fn on_success(&self, details: &Details<'_, T, E>) {
        self.on_success.call(details)
    }

    fn describe(&self, error: &E, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe.describe(error, f)
    }
}

/// How the expansion picks the way events show its error type `E`: `Display` if `E`
/// has it, else `Debug`, else nothing, by method resolution on
/// `(&&&Probe::<E>::new()).describer()` (the most specific impl wins).
#[doc(hidden)]
pub mod describe {
    use core::fmt::{Debug, Display};
    use core::marker::PhantomData;

    use super::{ByDebug, ByDisplay, Nop};

    /// A stand-in for `E`.
    pub struct Probe<E>(PhantomData<fn() -> E>);

    impl<E> Probe<E> {
        /// The probe.
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        pub const fn new() -> Self {
            Probe(PhantomData)
        }
    }

    impl<E> Default for Probe<E> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// `E: Display`.
    pub trait ViaDisplay {
        /// `ByDisplay`.
        fn describer(&self) -> ByDisplay;
    }

    impl<E: Display> ViaDisplay for &&Probe<E> {
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        fn describer(&self) -> ByDisplay {
            ByDisplay
        }
    }

    /// `E: Debug`.
    pub trait ViaDebug {
        /// `ByDebug`.
        fn describer(&self) -> ByDebug;
    }

    impl<E: Debug> ViaDebug for &Probe<E> {
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        fn describer(&self) -> ByDebug {
            ByDebug
        }
    }

    /// Neither.
    pub trait ViaNothing {
        /// `Nop`.
        fn describer(&self) -> Nop;
    }

    impl<E> ViaNothing for Probe<E> {
        #[cfg_attr(debug_assertions, inline)]
        #[cfg_attr(not(debug_assertions), inline(always))]
        fn describer(&self) -> Nop {
            Nop
        }
    }
}
