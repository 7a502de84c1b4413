//! Input encoding: the chip's random generator and the Bernoulli pixel encoder.
mod bernoulli_encoder;
mod xorshift32_jump;

pub use bernoulli_encoder::BernoulliEncoder;
pub use xorshift32_jump::Xorshift32Jump;
