//! When failed deliveries are tried again, and how long and how many attempts may run.

use std::time::Duration as StdDuration;

use chrono::Duration;

/// The retry schedule, on the sandbox clock, plus limits of the sender.
///
/// After failed attempt `n` (1-based) the next attempt is due `backoff[n - 1]` after the failure;
/// once the schedule runs out the delivery is `failed`. The default, 1 min, 5 min, 30 min, 2 h,
/// 6 h, makes 6 attempts in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub backoff: Vec<Duration>,
    /// Real time one attempt may take, connecting and reading the answer included.
    pub attempt_timeout: StdDuration,
    /// Attempts in flight at once, across all deliveries.
    pub max_in_flight: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            backoff: vec![
                Duration::minutes(1),
                Duration::minutes(5),
                Duration::minutes(30),
                Duration::hours(2),
                Duration::hours(6),
            ],
            attempt_timeout: StdDuration::from_secs(5),
            max_in_flight: 32,
        }
    }
}

impl RetryPolicy {
    /// Attempts made before a delivery is `failed`: the first one plus one per backoff step.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.backoff.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// How long after failed attempt `attempt` (1-based) the next one is due; `None` when it was
    /// the last.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        self.backoff.get(index).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_makes_six_attempts() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts(), 6);
        let delays: Vec<_> = (1..=6).map(|n| policy.delay_after(n)).collect();
        assert_eq!(
            delays,
            vec![
                Some(Duration::minutes(1)),
                Some(Duration::minutes(5)),
                Some(Duration::minutes(30)),
                Some(Duration::hours(2)),
                Some(Duration::hours(6)),
                None,
            ]
        );
        assert_eq!(policy.delay_after(0), None);
        assert_eq!(policy.delay_after(u32::MAX), None);
        assert_eq!(policy.attempt_timeout, StdDuration::from_secs(5));
    }

    #[test]
    fn an_empty_schedule_means_one_attempt() {
        let policy = RetryPolicy {
            backoff: vec![],
            ..RetryPolicy::default()
        };
        assert_eq!(policy.max_attempts(), 1);
        assert_eq!(policy.delay_after(1), None);
    }
}
