//! The frame engine built for a network: its blocks, the wait bound, and the helpers the
//! blocks build their constants with.
use super::*;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::CoreShape;
use spikeforge_sim::wire::{Direction, Identity, MemoryMap};

/// `value` as an `N`-bit constant (all ones past `u64`).
pub(super) fn constant<const N: usize>(value: usize) -> Constant<Bits<N>> {
    Constant::new(u64::try_from(value).unwrap_or(u64::MAX).into())
}

/// Cycles of one unit of the engine's wait for the core (`index` counts them).
const WAIT_UNIT: u64 = 1 << 16;

/// The units of [`WAIT_UNIT`] cycles the engine waits for the core to finish a `STEP` or
/// `PHASE_RESET`, besides the first, before it answers CORE_TIMEOUT: twice the longest
/// command of any core of `shape`, and 64 more, in whole units (at most 65,535, so the wait
/// ends after at most 2^32 cycles).
fn wait_bound(shape: &CoreShape) -> usize {
    let cycles = shape
        .longest_command_cycles()
        .saturating_mul(2)
        .saturating_add(64);
    let units = cycles.div_ceil(WAIT_UNIT).min(u64::from(u16::MAX));
    usize::try_from(units).unwrap_or(usize::MAX)
}

/// The most cycles the frame engine waits for a `STEP` or `PHASE_RESET` of a core of `shape`
/// before it answers CORE_TIMEOUT.
pub fn core_wait_cycles(shape: &CoreShape) -> u64 {
    (u64::try_from(wait_bound(shape)).unwrap_or(u64::MAX) + 1) * WAIT_UNIT
}

/// The engine's ROM (one block RAM, read a cycle after its address): the link-error
/// responses from address 0 and the encoded `identity` from [`IDENTITY_AT`].
fn engine_rom(identity: &[u8]) -> Ram<Bits<8>, ROM_BITS> {
    let mut bytes = sender::link_error_bytes();
    assert!(
        bytes.len() <= IDENTITY_AT,
        "{} link-error bytes run into the identity at ROM address {IDENTITY_AT}",
        bytes.len()
    );
    assert!(
        (1..=(1 << ROM_BITS) - IDENTITY_AT).contains(&identity.len()),
        "an identity of {} bytes: the ROM holds 1 to {}",
        identity.len(),
        (1 << ROM_BITS) - IDENTITY_AT
    );
    bytes.resize(IDENTITY_AT, 0);
    bytes.extend_from_slice(identity);
    Ram::with_contents(bytes.iter().map(|&b| u64::from(b).into()).collect())
}

impl FrameEngine {
    /// The engine of the chip generated for `cfg`, its layers' parameters fixed in the core
    /// (`fixed_parameters`: not writable) or not: the identity, the memory map and the
    /// register masks are fixed here.
    pub fn new(cfg: &NetworkConfig, fixed_parameters: bool) -> Self {
        let map = MemoryMap::new(CoreShape::of(cfg).with_fixed_parameters(fixed_parameters));
        let shape = map.shape();
        let identity = Identity::of_shape(cfg, shape).encode();
        let saturated = (1 << POSITION_BITS) - 1;
        assert!(
            BUFFER_BYTES < saturated && Direction::Request.max_encoded_len() < saturated,
            "the {POSITION_BITS}-bit frame counts cannot tell a {BUFFER_BYTES}-byte buffer or a \
             {}-byte request from a saturated count",
            Direction::Request.max_encoded_len()
        );
        Self {
            clock: Signal::default(),
            rx_data: Signal::default(),
            rx_valid: Signal::default(),
            rx_ready: Signal::default(),
            tx_data: Signal::default(),
            tx_valid: Signal::default(),
            tx_ready: Signal::default(),
            framing_error: Signal::default(),
            rx_overflow: Signal::default(),
            cmd_valid: Signal::default(),
            cmd_op: Signal::default(),
            cmd_addr: Signal::default(),
            cmd_data: Signal::default(),
            rsp_valid: Signal::default(),
            rsp_data: Signal::default(),
            busy: Signal::default(),
            active: Signal::default(),
            reset_request: Signal::default(),
            receiver: Receiver::new(),
            executor: Executor::new(shape, &identity, wait_bound(shape)),
            sender: Sender::new(),
            rom: engine_rom(&identity),
            state: DFF::default(),
            restart: Signal::default(),
        }
    }
}
