//! The chip's synchronous reset (`docs/spec.md` §7.10): held for a few cycles in the middle of
//! a `RUN_PHASE`, it returns every register of the chip to its power-up value, so the chip then
//! answers exactly as a golden `Chip` fresh from power-up, byte for byte: `IDENTIFY`,
//! `LINK_STATUS` (every counter 0), the status registers of every layer, the prediction, a
//! request sent again with the `seq` and CRC of one answered before the reset (executed, not
//! replayed: the stored response is gone), and a network loaded again and trained on three
//! samples, its weights read back. The negative control: the same check without the reset
//! must fail. And the RESET request, compared with the golden chip's RESET.

use spikeforge_sim::core_interface::CoreShape;
use spikeforge_sim::data::Dataset;
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{Stream, Xorshift32};
use spikeforge_sim::wire::{Command, Space};
use spikeforge_testbenches::epoch::stripes;
use spikeforge_testbenches::model::CHIP_SMALL;
use spikeforge_testbenches::Session;

/// Cycles the reset is held.
const RESET_CYCLES: u64 = 4;

/// The readable status registers of every layer, in one READ per run of ids.
fn read_status_registers(session: &mut Session) {
    let shape = CoreShape::of(session.config());
    let ids: Vec<u16> = (0..=u16::MAX)
        .filter(|&id| shape.register_readable(id))
        .collect();
    assert!(!ids.is_empty(), "no readable register");
    for &id in &ids {
        session.read(Space::Register, id.into(), 1);
    }
}

/// The network loaded and trained on the first three samples of `data`.
fn load_and_learn(session: &mut Session, data: &Dataset) {
    let cfg = session.config().clone();
    session.load(&Network::new(&cfg), &vec![0; cfg.inputs]);
    let mut negatives = Xorshift32::for_stream(cfg.seed, Stream::Negative);
    for sample in &data.train[..3] {
        session.learn_sample(sample, &data.train, &mut negatives);
    }
}

/// A session that leaves state everywhere (a network loaded and trained, a link error
/// counted, a stored response), then a `RUN_PHASE` cut short by `reset` cycles of reset (none:
/// the chip runs it to the end, its answer unread). Then the checks against a golden chip
/// fresh from power-up; panics at the first difference.
fn reset_mid_phase(reset: u64) {
    let data = stripes(5, 6, 0);
    let mut session = Session::new(&CHIP_SMALL);
    load_and_learn(&mut session, &data);
    // A damaged frame: one link error counted.
    session.chip.exchange(&[0x03, 0x55, 0x00]);
    // The READ to send again after the reset, with its seq and CRC.
    let read = Command::Read {
        space: Space::Register,
        start: 0,
        count: 1,
    };
    let again = read.request(200).encode().expect("a READ frame");
    session.chip.exchange(&again);
    // A RUN_PHASE, cut short once the chip is busy with it.
    let cfg = session.config().clone();
    let phase = Command::RunPhase {
        word: 0,
        steps: u16::try_from(cfg.steps).unwrap_or(u16::MAX),
    };
    session
        .chip
        .send(&phase.request(201).encode().expect("a RUN_PHASE frame"));
    let (sent, busy) = session
        .chip
        .idle_until(100_000, |pins| pins.active)
        .expect("the line");
    assert!(
        busy && sent.is_empty(),
        "the RUN_PHASE did not start: {sent:02x?}"
    );
    let (sent, _) = session.chip.idle_until(50, |_| false).expect("the line");
    assert!(
        sent.is_empty(),
        "the RUN_PHASE ended within 50 cycles: {sent:02x?}"
    );
    if reset > 0 {
        session.reset(reset);
    } else {
        // No reset: let the phase end, its answer unread, and start the golden chip afresh
        // all the same.
        session.chip.idle(100_000).expect("the line");
        session.reset(0);
    }
    // As from power-up: every counter 0, every status register 0, no prediction, no stored
    // response (the READ is executed again, and answered as a fresh chip answers it).
    session.request(&Command::LinkStatus);
    read_status_registers(&mut session);
    session.request(&Command::ReadPrediction);
    session.chip.exchange(&again);
    // And a network loaded again learns as on a fresh chip.
    load_and_learn(&mut session, &data);
    session.weights();
}

#[test]
fn t_reset_mid_phase_returns_the_chip_to_power_up() {
    reset_mid_phase(RESET_CYCLES);
}

/// The RESET request: answered, then every register at its power-up value while the memories
/// keep their contents, as in the golden chip after RESET: the counters, the status registers
/// and the prediction read 0, the weights as learned; a phase run without loading anything
/// (the parameters held in flip-flops are 0 on both), then the network loaded and trained
/// again, every byte the golden chip's.
#[test]
fn t_reset_request_returns_the_registers_to_power_up() {
    let data = stripes(5, 6, 0);
    let mut session = Session::new(&CHIP_SMALL);
    load_and_learn(&mut session, &data);
    session.chip.exchange(&[0x03, 0x55, 0x00]);
    session.request(&Command::Reset);
    session.request(&Command::LinkStatus);
    read_status_registers(&mut session);
    session.request(&Command::ReadPrediction);
    let learned = session.weights();
    let steps = u16::try_from(session.config().steps).unwrap_or(u16::MAX);
    session.request(&Command::RunPhase { word: 0, steps });
    session.request(&Command::ReadPrediction);
    assert_eq!(
        session.weights(),
        learned,
        "an inference phase changed the weights"
    );
    load_and_learn(&mut session, &data);
    session.weights();
}

#[test]
fn t_no_reset_keeps_state_bad() {
    let outcome = std::panic::catch_unwind(|| reset_mid_phase(0));
    assert!(
        outcome.is_err(),
        "the chip answered as from power-up without a reset: the check sees nothing"
    );
}
