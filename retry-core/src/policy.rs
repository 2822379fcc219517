//! [`Policy`]: the wait, jitter and limit settings in one `const`-constructible value.

use core::time::Duration;

use crate::backoff::{Constant, Exponential, Fibonacci, Schedule};
use crate::jitter::Jitter;

/// How long to wait between attempts and when to stop.
///
/// Every constructor starts from the attribute's defaults: 3 tries, full jitter,
/// `max_delay` 60 s, no `max_time`. All methods are `const fn`, so one policy can be a
/// `const` shared by many functions:
///
/// ```
/// use retry_core::{Jitter, Policy};
/// use std::time::Duration;
///
/// const HTTP: Policy = Policy::expo()
///     .factor(Duration::from_millis(100))
///     .max_tries(4)
///     .max_time(Duration::from_secs(10));
///
/// let waits: Vec<_> = HTTP.jitter(Jitter::None).waits().collect();
/// assert_eq!(waits, [100, 200, 400].map(Duration::from_millis));
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Policy {
    pub(crate) schedule: Schedule,
    pub(crate) jitter: Jitter,
    /// `None`: no limit on attempts.
    pub(crate) max_tries: Option<u32>,
    /// Whether `max_tries` (or `forever`) was set, rather than left at its default.
    tries_set: bool,
    pub(crate) max_time: Option<Duration>,
    pub(crate) max_delay: Duration,
    /// The schedule and `max_delay` in u64 nanoseconds, computed by every builder
    /// method: what the engine's fast path reads.
    pub(crate) plan: Plan,
}

impl core::fmt::Debug for Policy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Policy")
            .field("schedule", &self.schedule)
            .field("jitter", &self.jitter)
            .field("max_tries", &self.max_tries)
            .field("max_time", &self.max_time)
            .field("max_delay", &self.max_delay)
            .finish()
    }
}

/// A policy's waits as integer arithmetic: wait `n` (0-based) is `factor << (shift * n)`
/// nanoseconds when that fits in a u64, capped by `max_delay`. Derived from the other
/// fields (so equality is unchanged); a schedule that has no such form (Fibonacci, a
/// base that is not a power of two, a factor of 584 years or more) has `shift == NONE`
/// and takes the exact `Duration` path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Plan {
    /// The first wait, in nanoseconds.
    pub(crate) factor: u64,
    /// `max_delay` in nanoseconds, saturated at `u64::MAX` (which caps nothing a u64
    /// wait can reach).
    pub(crate) delay: u64,
    /// log2 of the growth per step (0: constant), or [`Plan::NONE`].
    pub(crate) shift: u32,
    /// The wait is the plan's wait, capped, perhaps with full jitter, and nothing else
    /// is checked but `max_tries`: an integer schedule, jitter none or full, no
    /// `max_time`. The engine's quickest path.
    pub(crate) quick: bool,
    /// Full jitter (with `quick`).
    pub(crate) full: bool,
}

impl Plan {
    /// No integer form: use the exact path.
    pub(crate) const NONE: u32 = u32::MAX;

    /// A placeholder, replaced before any policy is handed out.
    const EMPTY: Plan = Plan {
        factor: 0,
        delay: 0,
        shift: Plan::NONE,
        quick: false,
        full: false,
    };

    #[inline(always)]
    const fn of(policy: &Policy) -> Plan {
        let (factor, shift) = match &policy.schedule {
            Schedule::Exponential(e) => (nanos(e.factor()), e.pow2_shift()),
            Schedule::Constant(c) => (nanos(c.interval()), Some(0)),
            Schedule::Fibonacci(_) => (None, None),
        };
        let delay = match nanos(policy.max_delay) {
            Some(n) => n,
            None => u64::MAX,
        };
        let (factor, shift) = match (factor, shift) {
            (Some(factor), Some(shift)) => (factor, shift),
            _ => (0, Plan::NONE),
        };
        let full = matches!(policy.jitter, Jitter::Full);
        let quick = shift != Plan::NONE
            && policy.max_time.is_none()
            && (full || matches!(policy.jitter, Jitter::None));
        Plan {
            factor,
            delay,
            shift,
            quick,
            full,
        }
    }

    /// Wait `n` in nanoseconds before `max_delay`, or `None` when it does not fit in a
    /// u64 (or the schedule has no integer form): then the exact path decides.
    #[inline(always)]
    pub(crate) fn wait(&self, n: u32) -> Option<u64> {
        if self.shift == Plan::NONE {
            return None;
        }
        self.integer_wait(n)
    }

    /// [`wait`](Self::wait) of a plan with an integer form (`shift` is not `NONE`, as
    /// `quick` promises).
    #[inline(always)]
    pub(crate) fn integer_wait(&self, n: u32) -> Option<u64> {
        let shift = u64::from(self.shift) * u64::from(n);
        if shift < 64 && shift <= u64::from(self.factor.leading_zeros()) {
            Some(self.factor << shift)
        } else if self.factor == 0 {
            // Zero stays zero however far it is shifted.
            Some(0)
        } else {
            None
        }
    }
}

/// `d` in nanoseconds, if that fits in a u64.
#[inline(always)]
const fn nanos(d: Duration) -> Option<u64> {
    match d.as_secs().checked_mul(1_000_000_000) {
        Some(n) => n.checked_add(d.subsec_nanos() as u64),
        None => None,
    }
}

const SECOND: Duration = Duration::from_secs(1);

impl Policy {
    /// The default number of attempts.
    pub const DEFAULT_MAX_TRIES: u32 = 3;
    /// The default cap on a single wait.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);

    #[inline]
    const fn with_schedule(schedule: Schedule) -> Policy {
        Self::unplanned(schedule).replanned()
    }

    /// The defaults around `schedule`, its [`Plan`] not yet computed (the builders and
    /// [`Keys`] plan once they are done).
    #[inline(always)]
    const fn unplanned(schedule: Schedule) -> Policy {
        Policy {
            schedule,
            jitter: Jitter::Full,
            max_tries: Some(Self::DEFAULT_MAX_TRIES),
            tries_set: false,
            max_time: None,
            max_delay: Self::DEFAULT_MAX_DELAY,
            plan: Plan::EMPTY,
        }
    }

    /// `self` with its [`Plan`] recomputed (after the schedule, jitter, `max_time` or
    /// `max_delay` changed).
    #[inline(always)]
    const fn replanned(mut self) -> Policy {
        self.plan = Plan::of(&self);
        self
    }

    /// Exponential waits `factor * base^n`: base 2, factor 1 s (1, 2, 4, 8 s, ...).
    #[inline]
    pub const fn expo() -> Policy {
        Self::with_schedule(Schedule::Exponential(Exponential::new(2.0, SECOND)))
    }

    /// Fibonacci waits `factor * fib(n)`: factor 1 s (1, 1, 2, 3, 5 s, ...).
    #[inline]
    pub const fn fibo() -> Policy {
        Self::with_schedule(Schedule::Fibonacci(Fibonacci::new(SECOND)))
    }

    /// The same wait every time.
    #[inline]
    pub const fn constant(interval: Duration) -> Policy {
        Self::with_schedule(Schedule::Constant(Constant::new(interval)))
    }

    /// The growth per step of an exponential policy (at least 1; no effect on others).
    #[inline]
    pub const fn base(mut self, base: f64) -> Policy {
        if let Schedule::Exponential(e) = self.schedule {
            self.schedule = Schedule::Exponential(Exponential::new(base, e.factor()));
        }
        self.replanned()
    }

    /// The unit of the schedule: the first wait of an exponential or Fibonacci policy,
    /// the interval of a constant one.
    #[inline]
    pub const fn factor(mut self, factor: Duration) -> Policy {
        self.schedule = match self.schedule {
            Schedule::Exponential(e) => Schedule::Exponential(Exponential::new(e.base(), factor)),
            Schedule::Fibonacci(_) => Schedule::Fibonacci(Fibonacci::new(factor)),
            Schedule::Constant(_) => Schedule::Constant(Constant::new(factor)),
        };
        self.replanned()
    }

    /// How waits are randomised (default [`Jitter::Full`]).
    #[inline]
    pub const fn jitter(mut self, jitter: Jitter) -> Policy {
        self.jitter = jitter;
        self.replanned()
    }

    /// Total attempts, the first included (default 3, or no limit when `max_time` is
    /// set). 0 is taken as 1: the operation always runs once.
    #[inline]
    pub const fn max_tries(mut self, max_tries: u32) -> Policy {
        self.max_tries = Some(if max_tries == 0 { 1 } else { max_tries });
        self.tries_set = true;
        self
    }

    /// No limit on attempts; `max_time`, a finite schedule and a budget still apply.
    #[inline]
    pub const fn forever(mut self) -> Policy {
        self.max_tries = None;
        self.tries_set = true;
        self
    }

    /// A time budget from the start of the first attempt: no attempt starts after it.
    ///
    /// With a time budget and no explicit [`max_tries`](Self::max_tries), the budget is
    /// the limit: the default of 3 attempts no longer applies (as in Python's
    /// `backoff`). So `constant(10 s)` without jitter and `max_time(25 s)` makes attempts
    /// at 0, 10, 20 and 25 s. An explicit `max_tries`, before or after, still applies.
    #[inline]
    pub const fn max_time(self, max_time: Duration) -> Policy {
        self.limited_in_time(max_time).replanned()
    }

    /// [`max_time`](Self::max_time) before the plan is computed again.
    #[inline(always)]
    const fn limited_in_time(mut self, max_time: Duration) -> Policy {
        self.max_time = Some(max_time);
        if !self.tries_set {
            self.max_tries = None;
        }
        self
    }

    /// The cap on any single wait, server hints included (default 60 s).
    #[inline]
    pub const fn max_delay(mut self, max_delay: Duration) -> Policy {
        self.max_delay = max_delay;
        self.replanned()
    }

    /// The schedule's waits before jitter.
    #[inline]
    pub const fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// The jitter setting.
    #[inline]
    pub const fn jitter_kind(&self) -> Jitter {
        self.jitter
    }

    /// The attempt limit; `None` for [`forever`](Self::forever).
    #[inline]
    pub const fn tries_limit(&self) -> Option<u32> {
        self.max_tries
    }

    /// The time budget, if any.
    #[inline]
    pub const fn time_limit(&self) -> Option<Duration> {
        self.max_time
    }

    /// The cap on a single wait.
    #[inline]
    pub const fn delay_limit(&self) -> Duration {
        self.max_delay
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::expo()
    }
}

/// The policy keys of `#[retry]`, as the expansion writes them: one struct literal and
/// one constant evaluation of [`policy`](Self::policy), where a chain of builder calls
/// would cost every annotated function a few million instructions of compile time.
/// Means what the builder methods in the key order of SPEC §2 mean (a unit test holds
/// the two together).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Keys {
    /// `expo(..)`, `fibo(..)` or `constant(..)`.
    pub schedule: KeySchedule,
    /// `jitter = ..` (default full).
    pub jitter: Option<Jitter>,
    /// `max_tries = N` or `max_tries = forever`.
    pub max_tries: KeyTries,
    /// `max_time = ..`.
    pub max_time: Option<Duration>,
    /// `max_delay = ..` (default 60 s).
    pub max_delay: Option<Duration>,
}

/// The schedule keys of [`Keys`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum KeySchedule {
    /// `expo(base = .., factor = ..)` (defaults 2 and 1 s).
    Expo {
        /// `base`.
        base: Option<f64>,
        /// `factor`.
        factor: Option<Duration>,
    },
    /// `fibo(factor = ..)` (default 1 s).
    Fibo {
        /// `factor`.
        factor: Option<Duration>,
    },
    /// `constant(..)`.
    Constant(Duration),
}

/// The attempt limit of [`Keys`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum KeyTries {
    /// Not given: 3, or no limit with `max_time`.
    Default,
    /// `max_tries = N` (0 is taken as 1).
    At(u32),
    /// `max_tries = forever`.
    Forever,
}

impl Keys {
    /// No keys: the attribute's defaults (the expansion writes only the keys it was
    /// given, then `..Keys::DEFAULT`).
    pub const DEFAULT: Keys = Keys {
        schedule: KeySchedule::Expo {
            base: None,
            factor: None,
        },
        jitter: None,
        max_tries: KeyTries::Default,
        max_time: None,
        max_delay: None,
    };

    /// The policy of literal keys, with the expansion's word on it checked (see
    /// `__private::literal_needs`): evaluated in the expansion's constant, so a wrong
    /// word fails to compile.
    pub const fn literal(self, deadline: bool, decorrelated: bool) -> Policy {
        let policy = self.policy();
        crate::__private::literal_needs(&policy, deadline, decorrelated);
        policy
    }

    /// The policy these keys describe.
    pub const fn policy(self) -> Policy {
        let schedule = match self.schedule {
            KeySchedule::Expo { base, factor } => Schedule::Exponential(Exponential::new(
                match base {
                    Some(base) => base,
                    None => 2.0,
                },
                match factor {
                    Some(factor) => factor,
                    None => SECOND,
                },
            )),
            KeySchedule::Fibo { factor } => Schedule::Fibonacci(Fibonacci::new(match factor {
                Some(factor) => factor,
                None => SECOND,
            })),
            KeySchedule::Constant(interval) => Schedule::Constant(Constant::new(interval)),
        };
        // The builders' own rules, in the expansion's key order; planned once at the end.
        let mut policy = Policy::unplanned(schedule);
        if let Some(jitter) = self.jitter {
            policy.jitter = jitter;
        }
        policy = match self.max_tries {
            KeyTries::Default => policy,
            KeyTries::At(n) => policy.max_tries(n),
            KeyTries::Forever => policy.forever(),
        };
        if let Some(max_time) = self.max_time {
            policy = policy.limited_in_time(max_time);
        }
        if let Some(max_delay) = self.max_delay {
            policy.max_delay = max_delay;
        }
        policy.replanned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn defaults() {
        let p = Policy::expo();
        assert_eq!(p.tries_limit(), Some(3));
        assert_eq!(p.jitter_kind(), Jitter::Full);
        assert_eq!(p.delay_limit(), Duration::from_secs(60));
        assert_eq!(p.time_limit(), None);
        assert_eq!(Policy::default(), p);
    }

    #[test]
    fn const_policy() {
        const HTTP: Policy = Policy::expo()
            .factor(ms(100))
            .base(3.0)
            .jitter(Jitter::None)
            .max_tries(4)
            .max_time(Duration::from_secs(50));
        assert_eq!(
            HTTP.waits().collect::<Vec<_>>(),
            [ms(100), ms(300), ms(900)]
        );
    }

    #[test]
    fn waits_capped_by_max_delay() {
        let waits: Vec<_> = Policy::expo()
            .jitter(Jitter::None)
            .max_tries(8)
            .max_delay(Duration::from_secs(10))
            .waits()
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10, 10].map(Duration::from_secs));
    }

    #[test]
    fn waits_end_at_the_deadline() {
        let waits: Vec<_> = Policy::constant(Duration::from_secs(10))
            .jitter(Jitter::None)
            .forever()
            .max_time(Duration::from_secs(25))
            .waits()
            .collect();
        assert_eq!(waits, [10, 10, 5].map(Duration::from_secs));
    }

    #[test]
    fn fibo_and_constant() {
        let fibo: Vec<_> = Policy::fibo()
            .jitter(Jitter::None)
            .max_tries(6)
            .waits()
            .collect();
        assert_eq!(fibo, [1, 1, 2, 3, 5].map(Duration::from_secs));
        let constant: Vec<_> = Policy::constant(ms(250))
            .jitter(Jitter::None)
            .waits()
            .collect();
        assert_eq!(constant, [ms(250), ms(250)]);
    }

    #[test]
    fn max_time_lifts_the_default_tries_only() {
        let ten = Duration::from_secs(10);
        let budget = Duration::from_secs(25);
        // SPEC: attempts at 0, 10, 20 and 25 s.
        let waits: Vec<_> = Policy::constant(ten)
            .jitter(Jitter::None)
            .max_time(budget)
            .waits()
            .collect();
        assert_eq!(waits, [10, 10, 5].map(Duration::from_secs));
        assert_eq!(Policy::expo().max_time(budget).tries_limit(), None);
        // An explicit limit holds in either order.
        assert_eq!(
            Policy::expo().max_tries(2).max_time(budget).tries_limit(),
            Some(2)
        );
        assert_eq!(
            Policy::expo().max_time(budget).max_tries(2).tries_limit(),
            Some(2)
        );
        assert_eq!(Policy::expo().tries_limit(), Some(3));
    }

    /// The integer plan agrees with the exact schedule wherever it answers, and
    /// answers for every power-of-two base and constant schedule that fits in u64.
    #[test]
    fn plan_matches_the_exact_schedule() {
        let factors = [
            Duration::ZERO,
            Duration::from_nanos(1),
            ms(100),
            Duration::new(1, 999_999_999),
            Duration::from_nanos(u64::MAX / 2),
            Duration::from_nanos(u64::MAX),
            Duration::new(18_446_744_073, 709_551_616),
            Duration::MAX,
        ];
        for factor in factors {
            for base in [1.0, 2.0, 3.0, 4.0, 1.5, 2f64.powi(31), 2f64.powi(32)] {
                let policy = Policy::expo().base(base).factor(factor);
                for n in [0, 1, 2, 10, 31, 32, 63, 64, 65, 1000, u32::MAX] {
                    let exact = policy.schedule.nth_wait(n);
                    match policy.plan.wait(n) {
                        Some(nanos) => assert_eq!(Duration::from_nanos(nanos), exact),
                        None => assert!(
                            exact.as_nanos() >= u128::from(u64::MAX >> 1)
                                || policy.plan.shift == Plan::NONE,
                            "{factor:?} {base} {n}"
                        ),
                    }
                }
            }
            let constant = Policy::constant(factor);
            assert_eq!(constant.plan.wait(7).map(Duration::from_nanos), {
                u64::try_from(factor.as_nanos())
                    .ok()
                    .map(Duration::from_nanos)
            });
        }
        assert_eq!(Policy::fibo().plan.wait(0), None);
        assert_eq!(Policy::expo().base(3.0).plan.wait(0), None);
        assert_eq!(Policy::expo().max_delay(Duration::MAX).plan.delay, u64::MAX);
        assert_eq!(Policy::expo().plan.delay, 60_000_000_000);
    }

    #[test]
    fn max_tries_zero_is_one() {
        assert_eq!(Policy::expo().max_tries(0).tries_limit(), Some(1));
        assert_eq!(Policy::expo().max_tries(0).waits().count(), 0);
    }

    #[test]
    fn seeded_jitter_ranges() {
        let policy = Policy::expo().max_tries(5);
        let waits: Vec<_> = policy.waits_seeded(11).collect();
        assert_eq!(waits, policy.waits_seeded(11).collect::<Vec<_>>());
        for (w, cap) in waits.iter().zip([1, 2, 4, 8]) {
            assert!(*w <= Duration::from_secs(cap));
        }
        let equal: Vec<_> = policy.jitter(Jitter::Equal).waits_seeded(11).collect();
        for (w, cap) in equal.iter().zip([1u64, 2, 4, 8]) {
            assert!(*w >= Duration::from_secs(cap) / 2 && *w <= Duration::from_secs(cap));
        }
    }

    #[test]
    fn keys_mean_what_the_builder_means() {
        let ms = Duration::from_millis;
        let schedules: [(KeySchedule, Policy); 6] = [
            (
                KeySchedule::Expo {
                    base: None,
                    factor: None,
                },
                Policy::expo(),
            ),
            (
                KeySchedule::Expo {
                    base: Some(3.0),
                    factor: Some(ms(10)),
                },
                Policy::expo().base(3.0).factor(ms(10)),
            ),
            (
                KeySchedule::Expo {
                    base: Some(0.5),
                    factor: None,
                },
                Policy::expo().base(0.5),
            ),
            (KeySchedule::Fibo { factor: None }, Policy::fibo()),
            (
                KeySchedule::Fibo {
                    factor: Some(ms(7)),
                },
                Policy::fibo().factor(ms(7)),
            ),
            (KeySchedule::Constant(ms(250)), Policy::constant(ms(250))),
        ];
        let jitters = [
            None,
            Some(Jitter::None),
            Some(Jitter::Equal),
            Some(Jitter::Decorrelated),
        ];
        let tries = [
            KeyTries::Default,
            KeyTries::At(0),
            KeyTries::At(5),
            KeyTries::Forever,
        ];
        for (schedule, built) in schedules {
            for jitter in jitters {
                for max_tries in tries {
                    for max_time in [None, Some(ms(900))] {
                        for max_delay in [None, Some(ms(40))] {
                            let keys = Keys {
                                schedule,
                                jitter,
                                max_tries,
                                max_time,
                                max_delay,
                            };
                            // The builder calls in the expansion's old order.
                            let mut p = built;
                            if let Some(j) = jitter {
                                p = p.jitter(j);
                            }
                            p = match max_tries {
                                KeyTries::Default => p,
                                KeyTries::At(n) => p.max_tries(n),
                                KeyTries::Forever => p.forever(),
                            };
                            if let Some(t) = max_time {
                                p = p.max_time(t);
                            }
                            if let Some(d) = max_delay {
                                p = p.max_delay(d);
                            }
                            let from_keys = keys.policy();
                            assert!(
                                from_keys == p && from_keys.tries_set == p.tries_set,
                                "{keys:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
