//! The chip's link to its host (`docs/spec.md` §7): the CRC step and the frame engine that
//! decodes requests, executes them on the learning core and encodes the responses.
mod crc16_step;
mod frame_engine;

pub use crc16_step::Crc16Step;
pub(crate) use frame_engine::frame_engine_states;
pub use frame_engine::{core_wait_cycles, FrameEngine};
