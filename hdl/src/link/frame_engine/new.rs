//! The frame engine built for a network: its constants (the identity, the memory map, the
//! register masks, the wait bound) and the checks behind them.
use super::*;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{
    weight_space_code, CoreShape, LayerId, Register, StateField, MAX_HIDDEN_LAYERS,
};
use spikeforge_sim::wire::{Direction, Identity, MemoryMap, Response, MAX_PAYLOAD, MAX_RUN_STEPS};

fn constant<const N: usize>(value: usize) -> Constant<Bits<N>> {
    Constant::new(u64::try_from(value).unwrap_or(u64::MAX).into())
}

/// The mask of the `N` register ids from `first` on for which `usable` holds.
fn register_mask<const N: usize>(first: u16, usable: impl Fn(u16) -> bool) -> Constant<Bits<N>> {
    let mask = (0..N as u16)
        .filter(|&offset| usable(first + offset))
        .fold(0u64, |mask, offset| mask | 1 << offset);
    Constant::new(mask.into())
}

/// Check that the register blocks of hidden layers 1, 2, ... (their first ids, `blocks`) lie
/// past the ids of the 64-bit masks, each at a multiple of [`REGISTER_BLOCK_IDS`], and that
/// every id the core of `shape` reads or writes lies in the masks or one of the blocks.
fn check_register_blocks(shape: &CoreShape, blocks: &[u16]) {
    for &first in blocks {
        let first = usize::from(first);
        assert!(
            first >= REGISTER_IDS && first % REGISTER_BLOCK_IDS == 0,
            "a register block at id {first}"
        );
    }
    let in_block = |id: usize| {
        blocks.iter().any(|&first| {
            let first = usize::from(first);
            (first..first + REGISTER_BLOCK_IDS).contains(&id)
        })
    };
    for id in 0..=u16::MAX {
        let usable = shape.register_readable(id) || shape.register_writable(id);
        let wide = usize::from(id);
        assert!(
            !usable || wide < REGISTER_IDS || in_block(wide),
            "register {id} lies outside the frame engine's masks"
        );
    }
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

fn rom(bytes: &[u8]) -> ROM<Bits<8>, 6> {
    assert!(bytes.len() <= 1 << 6, "{} ROM bytes exceed 64", bytes.len());
    ROM::from(bytes.iter().map(|&b| Bits::<8>::from(u64::from(b))))
}

impl FrameEngine {
    /// The engine of the chip generated for `cfg`: the identity, the memory map and the
    /// register masks are fixed here.
    pub fn new(cfg: &NetworkConfig) -> Self {
        let map = MemoryMap::of(cfg);
        let shape = map.shape();
        let stacked: Vec<LayerId> = (1..shape.hidden_layers()).map(LayerId::hidden).collect();
        let state_layers: Vec<LayerId> = if stacked.is_empty() {
            Vec::new()
        } else {
            (1..MAX_HIDDEN_LAYERS).map(LayerId::hidden).collect()
        };
        let blocks: Vec<u16> = stacked
            .iter()
            .map(|&layer| Register::ThetaOffset(layer).id())
            .collect();
        check_register_blocks(shape, &blocks);
        let identity = Identity::of(cfg).encode();
        let saturated = (1 << POSITION_BITS) - 1;
        assert!(
            BUFFER_BYTES < saturated && Direction::Request.max_encoded_len() < saturated,
            "the {POSITION_BITS}-bit frame counts cannot tell a {BUFFER_BYTES}-byte buffer or a \
             {}-byte request from a saturated count",
            Direction::Request.max_encoded_len()
        );
        let link_errors: Vec<u8> = LINK_ERRORS
            .iter()
            .flat_map(|&status| {
                let bytes = Response::link_error(status)
                    .encode()
                    .unwrap_or_else(|err| panic!("link-error response: {err}"));
                assert_eq!(bytes.len(), LINK_ERROR_WIRE_BYTES, "a link-error response");
                bytes
            })
            .collect();
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
            request: Ram::new(BUFFER_BYTES),
            response: Ram::new(BUFFER_BYTES),
            codes: Ram::new(BUFFER_BYTES),
            rx_crc_step: Crc16Step::new(),
            tx_crc_step: Crc16Step::new(),
            identity: rom(&identity),
            link_rom: rom(&link_errors),
            state: DFF::default(),
            encoded_count: DFF::default(),
            decoded_count: DFF::default(),
            block_left: DFF::default(),
            zero_pending: DFF::default(),
            rx_crc_complement: DFF::default(),
            older_byte: DFF::default(),
            newer_byte: DFF::default(),
            seq: DFF::default(),
            opcode: DFF::default(),
            length: DFF::default(),
            arguments: (0..ARGUMENT_BYTES).map(|_| DFF::default()).collect(),
            last_valid: DFF::default(),
            last_seq: DFF::default(),
            last_crc: DFF::default(),
            rx_overflows: DFF::default(),
            framing_errors: DFF::default(),
            link_errors: DFF::default(),
            replays: DFF::default(),
            status: DFF::default(),
            command: DFF::default(),
            space: DFF::default(),
            start: DFF::default(),
            count: DFF::default(),
            width: DFF::default(),
            index: DFF::default(),
            byte_index: DFF::default(),
            pointer: DFF::default(),
            value: DFF::default(),
            response_length: DFF::default(),
            steps_left: DFF::default(),
            wait_left: DFF::default(),
            write_op: DFF::default(),
            read_op: DFF::default(),
            core_op: DFF::default(),
            out_count: DFF::default(),
            run: DFF::default(),
            blocks: DFF::default(),
            just_full: DFF::default(),
            tx_crc: DFF::default(),
            crc_high: DFF::default(),
            block: DFF::default(),
            tx_pointer: DFF::default(),
            left: DFF::default(),
            code_full: DFF::default(),
            rom_index: DFF::default(),
            reset_pending: DFF::default(),
            pixels: constant(shape.inputs),
            hidden_words: constant(shape.weight_words(LayerId::hidden(0))),
            classifier_words: constant(shape.weight_words(LayerId::CLASSIFIER)),
            hidden_neurons: constant(shape.size(LayerId::hidden(0))),
            classes: constant(shape.classes),
            readable: register_mask(0, |id| shape.register_readable(id)),
            writable: register_mask(0, |id| shape.register_writable(id)),
            hidden_neuron_mask: constant((1 << shape.hidden_neuron_bits()) - 1),
            stacked_spaces: stacked
                .iter()
                .map(|&layer| constant(weight_space_code(layer).into()))
                .collect(),
            stacked_words: stacked
                .iter()
                .map(|&layer| constant(shape.weight_words(layer)))
                .collect(),
            stacked_state_layers: state_layers
                .iter()
                .map(|&layer| {
                    constant(usize::from(
                        shape.state_address(layer, StateField::Membrane, 0) >> 10,
                    ))
                })
                .collect(),
            stacked_neurons: state_layers
                .iter()
                .map(|&layer| constant(shape.size(layer)))
                .collect(),
            stacked_register_blocks: blocks
                .iter()
                .map(|&first| constant(usize::from(first) / REGISTER_BLOCK_IDS))
                .collect(),
            stacked_readable: blocks
                .iter()
                .map(|&first| register_mask(first, |id| shape.register_readable(id)))
                .collect(),
            stacked_writable: blocks
                .iter()
                .map(|&first| register_mask(first, |id| shape.register_writable(id)))
                .collect(),
            identity_last: constant(identity.len() - 1),
            max_payload: constant(MAX_PAYLOAD),
            max_steps: constant(usize::from(MAX_RUN_STEPS)),
            max_encoded: constant(Direction::Request.max_encoded_len()),
            wait_bound: constant(wait_bound(shape)),
            argument_at: (0..ARGUMENT_BYTES).map(|i| constant(4 + i)).collect(),
            decoded_valid: Signal::default(),
            link_error: Signal::default(),
            restart: Signal::default(),
            abort: Signal::default(),
            decoded_byte: Signal::default(),
            emit_valid: Signal::default(),
            emit_byte: Signal::default(),
            received_crc: Signal::default(),
            payload_length: Signal::default(),
            values_length: Signal::default(),
            argument_start: Signal::default(),
            argument_count: Signal::default(),
            argument_steps: Signal::default(),
            argument_word: Signal::default(),
            space_known: Signal::default(),
            space_width: Signal::default(),
            width_mask: Signal::default(),
            max_count: Signal::default(),
            write_count: Signal::default(),
            range_end: Signal::default(),
            range_start: Signal::default(),
            layer_size: Signal::default(),
            field: Signal::default(),
            register_id: Signal::default(),
            register_ok: Signal::default(),
            read_length: Signal::default(),
            index_next: Signal::default(),
            byte_next: Signal::default(),
            value_byte: Signal::default(),
            data_wide: Signal::default(),
            run_next: Signal::default(),
            code_minus_one: Signal::default(),
        }
    }
}
