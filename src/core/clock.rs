//! The sandbox clock: every timestamp and every scheduled transition reads it.

use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use parking_lot::RwLock;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    Real,
    Frozen(Option<DateTime<Utc>>),
}

impl std::str::FromStr for ClockMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "real" => Ok(ClockMode::Real),
            "frozen" => Ok(ClockMode::Frozen(None)),
            _ => match s.strip_prefix("frozen:") {
                Some(at) => DateTime::parse_from_rfc3339(at)
                    .map(|t| ClockMode::Frozen(Some(t.with_timezone(&Utc))))
                    .map_err(|e| format!("invalid RFC 3339 time `{at}`: {e}")),
                None => Err(format!(
                    "unknown clock `{s}`: expected real, frozen or frozen:<RFC 3339 time>"
                )),
            },
        }
    }
}

/// How far the sandbox clock may run ahead in one move (and, in real mode, in total): 100 years.
pub const MAX_ADVANCE: Duration = Duration::days(36_525);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the clock can move forward by 0 to 100 years at a time")]
    OutOfRange,
}

#[derive(Debug)]
struct ClockState {
    frozen_at: Option<DateTime<Utc>>,
    offset: Duration,
}

/// Real time plus an offset, or a frozen instant. Millisecond precision, like the providers' timestamps.
#[derive(Debug)]
pub struct Clock {
    state: RwLock<ClockState>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ClockView {
    pub now: DateTime<Utc>,
    pub frozen: bool,
    pub offset_ms: i64,
}

fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
}

/// The machine's time moved by `offset`, pinned to the calendar's ends rather than panicking
/// (the offset is kept within `MAX_ADVANCE`, so this is only a safety net).
fn offset_now(offset: Duration) -> DateTime<Utc> {
    let now = Utc::now();
    let moved = now
        .checked_add_signed(offset)
        .unwrap_or(if offset < Duration::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        });
    to_millis(moved)
}

impl Clock {
    pub fn new(mode: ClockMode) -> Self {
        let frozen_at = match mode {
            ClockMode::Real => None,
            ClockMode::Frozen(at) => Some(to_millis(at.unwrap_or_else(Utc::now))),
        };
        Clock {
            state: RwLock::new(ClockState {
                frozen_at,
                offset: Duration::zero(),
            }),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let state = self.state.read();
        match state.frozen_at {
            Some(at) => at,
            None => offset_now(state.offset),
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.state.read().frozen_at.is_some()
    }

    /// Moves the clock forward and returns the new time. Firing what fell due is the caller's job.
    /// Refuses a negative step, or one that would take the clock past `MAX_ADVANCE` from now.
    pub fn advance(&self, by: Duration) -> Result<DateTime<Utc>, ClockError> {
        if by < Duration::zero() || by > MAX_ADVANCE {
            return Err(ClockError::OutOfRange);
        }
        let mut state = self.state.write();
        match state.frozen_at {
            Some(at) => {
                state.frozen_at = Some(at.checked_add_signed(by).ok_or(ClockError::OutOfRange)?)
            }
            None => {
                let offset = state.offset.checked_add(&by).filter(|o| *o <= MAX_ADVANCE);
                state.offset = offset.ok_or(ClockError::OutOfRange)?;
            }
        }
        drop(state);
        Ok(self.now())
    }

    pub fn freeze(&self) -> DateTime<Utc> {
        let now = self.now();
        self.state.write().frozen_at = Some(now);
        now
    }

    /// Lets time flow again from the frozen instant, so nothing jumps.
    pub fn resume(&self) -> DateTime<Utc> {
        let mut state = self.state.write();
        if let Some(at) = state.frozen_at.take() {
            state.offset = at - Utc::now();
        }
        drop(state);
        self.now()
    }

    /// Whether a snapshot's view can be restored: a running clock's offset is at most
    /// `MAX_ADVANCE` either way (any more and reading the clock would leave the calendar).
    pub fn check_restorable(saved: &ClockView) -> Result<(), ClockError> {
        if saved.frozen {
            return Ok(());
        }
        Duration::try_milliseconds(saved.offset_ms)
            .filter(|offset| offset.abs() <= MAX_ADVANCE)
            .filter(|offset| Utc::now().checked_add_signed(*offset).is_some())
            .map(|_| ())
            .ok_or(ClockError::OutOfRange)
    }

    /// Puts the clock where a snapshot's view says: frozen at its instant, or running with its
    /// offset from the machine's time (so time that passed since keeps counting). An offset
    /// beyond `MAX_ADVANCE` (refused by `check_restorable` first) is clamped to it.
    pub fn restore(&self, saved: &ClockView) {
        let mut state = self.state.write();
        if saved.frozen {
            state.frozen_at = Some(to_millis(saved.now));
        } else {
            state.frozen_at = None;
            state.offset = Duration::try_milliseconds(saved.offset_ms)
                .unwrap_or(MAX_ADVANCE)
                .clamp(-MAX_ADVANCE, MAX_ADVANCE);
        }
    }

    pub fn view(&self) -> ClockView {
        let state = self.state.read();
        let now = match state.frozen_at {
            Some(at) => at,
            None => offset_now(state.offset),
        };
        ClockView {
            now,
            frozen: state.frozen_at.is_some(),
            offset_ms: state.offset.num_milliseconds(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn parses_modes() {
        assert_eq!("real".parse::<ClockMode>(), Ok(ClockMode::Real));
        assert_eq!("frozen".parse::<ClockMode>(), Ok(ClockMode::Frozen(None)));
        assert_eq!(
            "frozen:2026-01-01T00:00:00Z".parse::<ClockMode>(),
            Ok(ClockMode::Frozen(Some(at("2026-01-01T00:00:00Z"))))
        );
        assert!("frozen:yesterday".parse::<ClockMode>().is_err());
        assert!("sundial".parse::<ClockMode>().is_err());
    }

    #[test]
    fn a_restored_clock_is_frozen_where_it_was_or_runs_with_its_offset() {
        let frozen = Clock::new(ClockMode::Frozen(Some(at("2026-01-01T00:00:00Z"))));
        frozen.advance(Duration::hours(2)).unwrap();
        let running = Clock::new(ClockMode::Real);
        running.advance(Duration::days(3)).unwrap();

        let clock = Clock::new(ClockMode::Real);
        clock.restore(&frozen.view());
        assert_eq!(
            (clock.now(), clock.is_frozen()),
            (at("2026-01-01T02:00:00Z"), true)
        );
        clock.restore(&running.view());
        assert!(!clock.is_frozen());
        assert_eq!(clock.view().offset_ms, Duration::days(3).num_milliseconds());
    }

    #[test]
    fn a_huge_restored_offset_is_refused_and_never_panics() {
        let saved = |offset_ms| ClockView {
            now: at("2026-01-01T00:00:00Z"),
            frozen: false,
            offset_ms,
        };
        for offset_ms in [-4_611_686_018_427_387_904, i64::MIN, i64::MAX] {
            assert_eq!(
                Clock::check_restorable(&saved(offset_ms)),
                Err(ClockError::OutOfRange)
            );
            let clock = Clock::new(ClockMode::Real);
            clock.restore(&saved(offset_ms));
            let _ = (clock.now(), clock.view());
        }
        let day = Duration::days(1).num_milliseconds();
        assert_eq!(Clock::check_restorable(&saved(-day)), Ok(()));
        assert_eq!(Clock::check_restorable(&saved(day)), Ok(()));
    }

    #[test]
    fn frozen_clock_only_moves_when_advanced() {
        let clock = Clock::new(ClockMode::Frozen(Some(at("2026-01-01T00:00:00Z"))));
        assert_eq!(clock.now(), at("2026-01-01T00:00:00Z"));
        assert_eq!(clock.now(), at("2026-01-01T00:00:00Z"));
        clock.advance(Duration::seconds(90)).unwrap();
        assert_eq!(clock.now(), at("2026-01-01T00:01:30Z"));
        assert_eq!(
            clock.advance(Duration::seconds(-1)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(
            clock.advance(Duration::days(40_000)),
            Err(ClockError::OutOfRange)
        );
        assert_eq!(
            clock.now(),
            at("2026-01-01T00:01:30Z"),
            "a refused move changes nothing"
        );
    }

    #[test]
    fn real_clock_advances_by_offset_and_freezes_without_jumping() {
        let clock = Clock::new(ClockMode::Real);
        let before = clock.now();
        clock.advance(Duration::hours(1)).unwrap();
        for _ in 0..200 {
            let _ = clock.advance(MAX_ADVANCE);
        }
        assert!(
            clock.view().offset_ms <= MAX_ADVANCE.num_milliseconds(),
            "the offset is capped"
        );
        let after = clock.now();
        assert!(after - before >= Duration::hours(1));
        let clock = Clock::new(ClockMode::Real);
        let frozen = clock.freeze();
        assert_eq!(clock.now(), frozen);
        let resumed = clock.resume();
        assert!(resumed >= frozen && resumed - frozen < Duration::seconds(1));
        assert!(!clock.is_frozen());
    }
}
