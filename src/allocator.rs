//! How glibc's allocator is set up before the first thread starts.
//!
//! glibc gives each thread after the first a heap of its own (an arena) and grows such a heap
//! one page at a time, each step an `mprotect` call: about 0.3 system calls per create under
//! load, as stores grow. The main heap instead grows by `brk` in 128 KiB steps. A server with a
//! single worker has nothing to gain from separate heaps, so it uses the main one only; with
//! more workers, separate heaps keep them from waiting on one lock.

/// Limits glibc to one arena when `workers` is 1, unless `MALLOC_ARENA_MAX` already says how
/// many. Call before any other thread starts: glibc fixes its arena limit when a second thread
/// first allocates.
pub fn tune_for_workers(workers: usize) {
    if workers == 1 && std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        one_arena();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_arena() {
    // SAFETY: `mallopt` only sets an allocator parameter; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_arena() {}
