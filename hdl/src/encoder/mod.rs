//! Input encoding: the chip's random generator and the Bernoulli pixel encoder.
mod bernoulli_encoder;
mod xorshift32_jump;
mod xorshift32_step;

pub use bernoulli_encoder::BernoulliEncoder;
pub use xorshift32_jump::{jump_rows, Xorshift32Jump};
pub use xorshift32_step::Xorshift32Step;
