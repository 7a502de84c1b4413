//! Safe state machines (`docs/spec.md` §7.6): an upset that leaves a state register of the
//! chip in an unused encoding returns the machine to idle, and a core that stops answering is
//! reported, not waited for.
//!
//! The RTL chip of the small network, at its pins; the state registers are forced through
//! Verilator's public signals (`ChipModel::force_state`).
//! - Every unused encoding of the frame engine, the core's sequencer and the UART receiver,
//!   forced once into an idle chip: the register holds it for a cycle, the machine is back in
//!   its idle state within a few cycles without a byte on the line, and the chip then answers
//!   IDENTIFY and a READ through the core exactly as the golden chip does.
//! - The core's sequencer held in an unused encoding (a core that never finishes): a READ and
//!   a STEP are answered CORE_TIMEOUT; released, the chip answers as the golden chip.
//! - Negative control: the frame engine held in an unused encoding must fail the IDENTIFY
//!   exchange as a hang.

use spikeforge_hdl::top::StateMachine;
use spikeforge_sim::wire::{Command, Response, Space, Status};
use spikeforge_testbenches::model::CHIP_SMALL;
use spikeforge_testbenches::{Failure, PinChip};

/// Cycles an idle machine gets to leave an unused encoding: the receiver waits for a high
/// line (two synchroniser stages), the others leave at the next edge.
const SETTLE_CYCLES: u64 = 8;

/// The request bytes of `command` with `seq`.
fn request(command: &Command, seq: u8) -> Vec<u8> {
    command
        .request(seq)
        .encode()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"))
}

/// A READ of the first two pixels: through the core's read port.
fn read_pixels() -> Command {
    Command::Read {
        space: Space::Pixel,
        start: 0,
        count: 2,
    }
}

/// IDENTIFY and a READ through the core, each answered as the golden chip answers.
fn answers(chip: &mut PinChip, seq: u8) {
    chip.exchange(&request(&Command::Identify, seq));
    chip.exchange(&request(&read_pixels(), seq.wrapping_add(1)));
}

/// The unused encodings of `machine`.
fn unused(machine: StateMachine) -> std::ops::Range<u8> {
    let (states, bits) = machine.encodings();
    let wide = |x: usize| u8::try_from(x).expect("a state encoding fits a byte");
    wide(states)..wide(1 << bits)
}

#[test]
fn t_unused_state_encodings_return_to_idle() {
    let mut chip = PinChip::new(&CHIP_SMALL);
    answers(&mut chip, 1);
    let mut seq = 10u8;
    let mut forced = 0;
    for machine in StateMachine::ALL {
        let (states, bits) = machine.encodings();
        assert!(
            states < 1 << bits,
            "{} uses every encoding of its {bits}-bit register",
            machine.name()
        );
        for encoding in unused(machine) {
            let what = format!("{} forced to encoding {encoding}", machine.name());
            assert_eq!(
                chip.model_mut().state(machine),
                0,
                "{what}: not idle before"
            );
            chip.model_mut().force_state(machine, encoding);
            let sent = chip.idle(1).unwrap_or_else(|err| panic!("{what}: {err}"));
            assert_eq!(
                chip.model_mut().state(machine),
                encoding,
                "{what}: the force did not land"
            );
            let sent_after = chip
                .idle(SETTLE_CYCLES)
                .unwrap_or_else(|err| panic!("{what}: {err}"));
            assert!(
                sent.is_empty() && sent_after.is_empty(),
                "{what}: the chip sent {sent:02x?} {sent_after:02x?}"
            );
            assert_eq!(
                chip.model_mut().state(machine),
                0,
                "{what}: not back in its idle state after {SETTLE_CYCLES} cycles"
            );
            answers(&mut chip, seq);
            seq = seq.wrapping_add(2);
            forced += 1;
        }
    }
    println!("{forced} unused encodings forced; each returned to idle and the chip answered");
    assert!(forced >= 3, "only {forced} unused encodings");
}

#[test]
fn t_stuck_core_is_answered_core_timeout() {
    let mut chip = PinChip::new(&CHIP_SMALL);
    answers(&mut chip, 1);
    let stuck = (
        StateMachine::CoreSequencer,
        unused(StateMachine::CoreSequencer).start,
    );
    let step = Command::Step { word: 0 };
    for (seq, command) in [(5u8, read_pixels()), (6, step)] {
        let bytes = request(&command, seq);
        let timeout = Response::to(
            seq,
            command.opcode().code() | 0x80,
            Status::CoreTimeout,
            vec![],
        )
        .encode()
        .expect("a CORE_TIMEOUT response");
        chip.expect_upset(&bytes, &timeout, Some(stuck))
            .unwrap_or_else(|err| panic!("{command:?} with the core stuck: {err}"));
    }
    // Released, the sequencer leaves the unused encoding and the chip answers as before (the
    // golden chip was not fed the two requests; neither changed the core's state).
    chip.idle(SETTLE_CYCLES).expect("the line");
    answers(&mut chip, 20);
}

#[test]
fn t_stuck_frame_engine_hangs_the_exchange_bad() {
    let mut chip = PinChip::new(&CHIP_SMALL);
    let bytes = request(&Command::Identify, 3);
    let expected = chip.golden_mut().feed(&bytes);
    let stuck = (
        StateMachine::FrameEngine,
        unused(StateMachine::FrameEngine).start,
    );
    match chip.expect_upset(&bytes, &expected, Some(stuck)) {
        Ok(received) => panic!("a stuck frame engine answered {received:02x?}"),
        Err(err) => {
            println!("{err}");
            assert!(
                matches!(err.failure, Failure::Hang { .. }),
                "not a hang: {err}"
            );
            assert!(err.received.is_empty(), "bytes from a stuck engine: {err}");
        }
    }
}
