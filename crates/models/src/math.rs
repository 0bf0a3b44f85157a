//! Elementary functions written so the compiler can vectorise the neuron loops.
//!
//! `f64::exp` calls the C library one value at a time; the membrane, Mg²⁺ block and AdEx
//! terms need up to three per neuron and step (45 % of a PFC-network run, measured with
//! perf). [`exp`] uses only multiplies, adds and bit operations, so LLVM turns a loop of
//! them into AVX2 code, and it gives the same bits on every machine (no FMA contraction,
//! no C-library version dependence). Other transcendental calls (decay factors computed once,
//! the connectivity and Poisson samplers) still go through the platform's libm, so runs are
//! bit-identical across thread counts on one platform, not promised across C libraries.

/// ln 2 rounded to 21 significant bits (6.93147180369123816490e-1), so k · LN2_HI is exact.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
/// ln 2 − LN2_HI (1.90821492927058770002e-10).
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// 1.5 · 2⁵²: adding it rounds to an integer held in the low mantissa bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// eˣ with a relative error below 10⁻¹⁴ for x in [−708, 709]; 0 below, +∞ above.
///
/// Cody & Waite (1980) range reduction x = k ln 2 + r, |r| ≤ ln 2 / 2, then the Taylor
/// series of eʳ to degree 12 (truncation error r¹³/13! < 2·10⁻¹⁶) and 2ᵏ built in the
/// exponent bits.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let clamped = x.clamp(-708.0, 709.0);
    let t = clamped * INV_LN2 + ROUNDER;
    let k = t - ROUNDER;
    let r = (clamped - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0 / 479_001_600.0; // 1/12!
    for inverse_factorial in [
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + inverse_factorial;
    }
    // The low 11 bits of t's mantissa hold k (two's complement); k + 1023 is the biased
    // exponent of 2ᵏ, shifted into place.
    let scale = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
    let y = p * scale;
    if x < -708.0 {
        0.0
    } else if x > 709.0 {
        f64::INFINITY
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_library_exp_to_1e_14() {
        let mut worst: f64 = 0.0;
        let n = 2_000_000;
        for i in 0..=n {
            let x = -708.0 + 1417.0 * f64::from(i) / f64::from(n);
            let rel = (exp(x) - x.exp()).abs() / x.exp();
            worst = worst.max(rel);
        }
        // The range the neuron models use most, densely.
        for i in 0..=n {
            let x = -10.0 + 20.0 * f64::from(i) / f64::from(n);
            worst = worst.max((exp(x) - x.exp()).abs() / x.exp());
        }
        assert!(worst < 1e-14, "worst relative error {worst:e}");
    }

    #[test]
    fn exact_where_the_result_is_exact_and_sane_at_the_edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
        assert!((exp(std::f64::consts::LN_2) - 2.0).abs() < 1e-15);
    }
}
