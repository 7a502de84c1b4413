//! The one random-number generator of the chip and the host: a 32-bit xorshift
//! shift register, and the derivation of its seeds.
//!
//! `xorshift32` (shifts 13, 17, 5) is a linear feedback shift register over GF(2): one step is
//! three shift-XOR stages, which map to one level of XOR gates per output bit in hardware. Its
//! period is 2^32 - 1 over all non-zero states; zero is a fixed point and is never used as a seed.

/// Which random stream a seed is derived for (see `docs/spec.md`, "Seeds").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Initial weights, drawn by the host.
    WeightInit,
    /// Bernoulli input encoder on the chip.
    Encoder,
    /// Sample order of each epoch, on the host.
    Shuffle,
    /// Choice of negative samples (wrong label or blend partner), on the host.
    Negative,
    /// Stochastic rounding of the CSDP engine of hidden layer `n`.
    Learn(u8),
    /// Stochastic rounding of the classifier's delta-rule engine.
    Classifier,
}

impl Stream {
    /// The stream number mixed into the run seed.
    pub fn id(self) -> u64 {
        match self {
            Stream::WeightInit => 1,
            Stream::Encoder => 2,
            Stream::Shuffle => 3,
            Stream::Negative => 4,
            Stream::Classifier => 5,
            Stream::Learn(layer) => 16 + u64::from(layer),
        }
    }
}

/// SplitMix64 finaliser: a bijective 64-bit mix used only to spread seeds.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 32-bit seed of `stream` for the run seed `seed`: the low half of
/// `splitmix64(seed ^ splitmix64(stream id))`, with zero replaced by `0x0000_0001`.
pub fn derive_seed(seed: u64, stream: Stream) -> u32 {
    let mixed = splitmix64(seed ^ splitmix64(stream.id()));
    // Truncation to the low 32 bits is the documented derivation.
    let low = (mixed & 0xFFFF_FFFF) as u32;
    if low == 0 {
        1
    } else {
        low
    }
}

/// One xorshift32 generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xorshift32 {
    state: u32,
}

impl Xorshift32 {
    /// A generator in state `seed`; a zero seed (the one fixed point) is replaced by 1.
    pub fn new(seed: u32) -> Self {
        Self {
            state: if seed == 0 { 1 } else { seed },
        }
    }

    /// A generator holding exactly `state`, zero included: the chip's generator registers power
    /// up at 0 and take whatever the host writes. Zero is the fixed point (every draw is 0),
    /// which the RTL reproduces; seeds for real runs come from [`Xorshift32::new`].
    pub fn from_state(state: u32) -> Self {
        Self { state }
    }

    /// The generator for `stream` of run seed `seed`.
    pub fn for_stream(seed: u64, stream: Stream) -> Self {
        Self::new(derive_seed(seed, stream))
    }

    /// The current state (what the chip's register holds).
    pub fn state(&self) -> u32 {
        self.state
    }

    /// Advance one step and return the new state.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u32 {
        self.state = xorshift32_step(self.state);
        self.state
    }

    /// A value uniform in `0..n` (`n > 0`) by modulo reduction; used on the host only.
    pub fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0, "below(0) has no values");
        self.next() % n
    }
}

/// Pure next-state function of the generator.
pub fn xorshift32_step(mut x: u32) -> u32 {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

/// Fisher-Yates shuffle driven by `rng` (host side).
pub fn shuffle<T>(items: &mut [T], rng: &mut Xorshift32) {
    for i in (1..items.len()).rev() {
        let bound = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let j = rng.below(bound) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_known_sequence() {
        // Marsaglia (2003): starting from 1 the first outputs are fixed by the recurrence.
        let mut rng = Xorshift32::new(1);
        assert_eq!(rng.next(), 270_369);
        assert_eq!(rng.next(), 67_634_689);
    }

    #[test]
    fn zero_seed_is_replaced() {
        assert_eq!(Xorshift32::new(0).state(), 1);
    }

    #[test]
    fn zero_state_is_a_fixed_point() {
        let mut rng = Xorshift32::from_state(0);
        assert_eq!((rng.next(), rng.next(), rng.state()), (0, 0, 0));
        assert_eq!(Xorshift32::from_state(1).next(), 270_369);
    }

    #[test]
    fn streams_get_distinct_seeds() {
        let streams = [
            Stream::WeightInit,
            Stream::Encoder,
            Stream::Shuffle,
            Stream::Negative,
            Stream::Classifier,
            Stream::Learn(0),
            Stream::Learn(1),
        ];
        let seeds: Vec<u32> = streams.iter().map(|&s| derive_seed(7, s)).collect();
        for (a, sa) in seeds.iter().enumerate() {
            for sb in &seeds[a + 1..] {
                assert_ne!(sa, sb);
            }
        }
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<u32> = (0..100).collect();
        shuffle(&mut v, &mut Xorshift32::new(9));
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }
}
