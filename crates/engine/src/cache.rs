//! Cache hints for the scattered reads of the spike paths.

/// Hints the CPU to load the cache line holding `value`; no effect on the program's result.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch only hints the cache; it reads nothing, cannot fault, and the
    // pointer comes from a reference. SSE, which it needs, is part of every x86-64 CPU.
    #[allow(unsafe_code)]
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
