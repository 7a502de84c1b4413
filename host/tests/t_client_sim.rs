//! The protocol client against the golden chip (`--port sim`), with links that damage,
//! drop, duplicate or swallow chosen frames, or hold answers to bytes sent before: every
//! command runs exactly once, stale answers never count against a request, errors name the
//! request and what came back, and the counters say what happened.

use std::time::{Duration, Instant};

use spikeforge_host::client::{Client, ClientError, Timing, DRAIN_BYTES, DRAIN_QUIET};
use spikeforge_host::transport::{SimChip, Transport, TransportError};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{LayerId, Register};
use spikeforge_sim::wire::{Command, Response, Space, Status};

fn cfg() -> NetworkConfig {
    NetworkConfig::default_network().expect("default network")
}

fn sim() -> SimChip {
    SimChip::new(&cfg()).expect("chip")
}

/// What a [`Scripted`] link does to one frame of the host's (by send call) or the chip's (by
/// response) stream.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// Flip a bit in the middle of send call `n` (a link error follows).
    DamageSend(usize),
    /// Send call `n` loses its final 0x00 (no response until the host times out).
    DropDelimiter(usize),
    /// Received response `n` has a bit flipped (a damaged response).
    DamageResponse(usize),
    /// Received response `n` arrives twice.
    Duplicate(usize),
}

/// What a scripted link holds for the host: the bytes it hands out, in order, as the host
/// reads them.
#[derive(Debug, Default)]
struct Pending(Vec<u8>);

impl Pending {
    /// Queue `bytes` behind what is held.
    fn push(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    /// Hand out as much as `buf` takes, without waiting.
    fn recv(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        n
    }
}

/// Send `bytes` to `chip` and take all it answers.
fn exchange(chip: &mut SimChip, bytes: &[u8]) -> Result<Vec<u8>, TransportError> {
    chip.send(bytes)?;
    let mut raw = [0u8; 4096];
    let n = chip.recv(&mut raw, Instant::now())?;
    Ok(raw[..n].to_vec())
}

/// The golden chip behind a link that applies one fault.
#[derive(Debug)]
struct Scripted {
    chip: SimChip,
    fault: Fault,
    sends: usize,
    responses: usize,
    pending: Pending,
}

impl Scripted {
    fn new(fault: Fault) -> Self {
        Self {
            chip: sim(),
            fault,
            sends: 0,
            responses: 0,
            pending: Pending::default(),
        }
    }
}

impl Transport for Scripted {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let mut bytes = bytes.to_vec();
        match self.fault {
            Fault::DamageSend(n) if n == self.sends => {
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x10;
            }
            Fault::DropDelimiter(n) if n == self.sends => {
                assert_eq!(bytes.pop(), Some(0));
            }
            _ => {}
        }
        self.sends += 1;
        // Take whole responses from the chip and apply the response faults.
        let raw = exchange(&mut self.chip, &bytes)?;
        for frame in raw.split_inclusive(|&b| b == 0) {
            let mut frame = frame.to_vec();
            match self.fault {
                Fault::DamageResponse(k) if k == self.responses => frame[2] ^= 0x01,
                Fault::Duplicate(k) if k == self.responses => self.pending.push(&frame),
                _ => {}
            }
            self.responses += 1;
            self.pending.push(&frame);
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], _deadline: Instant) -> Result<usize, TransportError> {
        Ok(self.pending.recv(buf))
    }

    fn baud(&self) -> Option<u32> {
        None
    }

    fn describe(&self) -> String {
        format!("scripted {:?}", self.fault)
    }
}

/// A link on which nothing ever answers.
#[derive(Debug)]
struct Dead;

impl Transport for Dead {
    fn send(&mut self, _bytes: &[u8]) -> Result<(), TransportError> {
        Ok(())
    }

    /// A line that stays silent: wait for the deadline.
    fn recv(&mut self, _buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError> {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        Ok(0)
    }

    fn baud(&self) -> Option<u32> {
        Some(115_200)
    }

    fn describe(&self) -> String {
        "dead".to_string()
    }
}

fn encoder(client: &mut Client) -> u32 {
    client
        .read(Space::Register, usize::from(Register::EncoderState.id()), 1)
        .expect("encoder state")[0]
}

/// Seed the encoder, run one STEP through a link with `fault`, return the encoder state and
/// the client.
fn one_step(fault: Fault) -> (u32, Client) {
    let mut client =
        Client::connect(Box::new(Scripted::new(fault)), Timing::default()).expect("IDENTIFY");
    client
        .write(
            Space::Register,
            usize::from(Register::EncoderState.id()),
            &[12_345],
        )
        .expect("seed");
    client.step(0).expect("STEP");
    (encoder(&mut client), client)
}

#[test]
fn t_client_identify_and_round_trips() {
    let mut client = Client::connect(Box::new(sim()), Timing::default()).expect("IDENTIFY");
    let id = client.identity().clone();
    assert_eq!((id.inputs, id.hidden, id.classes), (64, 256, 10));
    // 300 weights from address 100: three WRITEs of at most 126, three READs of at most 128.
    let values: Vec<u32> = (0..300u32).map(|i| (i * 7) & 0xFFFF).collect();
    client
        .write(Space::HIDDEN_WEIGHT, 100, &values)
        .expect("WRITE");
    let back = client.read(Space::HIDDEN_WEIGHT, 100, 300).expect("READ");
    // 10-bit weights: the core keeps the low 10 bits, sign-extended.
    assert_eq!(id.weight_bits, 10);
    let want: Vec<u32> = values
        .iter()
        .map(|&v| {
            let low = v & 0x3FF;
            let extended = if low & 0x200 == 0 { low } else { low | 0xFC00 };
            extended & 0xFFFF
        })
        .collect();
    assert_eq!(back, want);
    let stats = client.stats();
    assert_eq!(stats.requests, 1 + 3 + 3);
    assert_eq!(stats.retransmissions, 0);
}

#[test]
fn t_client_refusals_name_the_request_and_the_status() {
    let mut client = Client::connect(Box::new(sim()), Timing::default()).expect("IDENTIFY");
    let err = client
        .read(Space::HIDDEN_WEIGHT, 18_944 - 1, 3)
        .expect_err("past the end of W");
    assert!(matches!(
        err,
        ClientError::Refused {
            status: Status::OutOfRange,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "READ of 3 values of W from 0x49ff (seq 1): the chip answered OUT_OF_RANGE"
    );
    let err = client
        .request(&Command::Read {
            space: Space::Register,
            start: 16,
            count: 1,
        })
        .expect_err("parameters are write-only");
    assert!(err.to_string().contains("OUT_OF_RANGE"), "{err}");
    let err = client
        .write(Space::State, 0xFFFF, &[1, 2])
        .expect_err("past the state addresses");
    assert!(err.to_string().contains("OUT_OF_RANGE"), "{err}");
    let err = client
        .write(Space::HIDDEN_WEIGHT, 0xFFFF_FFFF, &[1, 2])
        .expect_err("past 32 bits");
    assert!(err.to_string().contains("past address 0xFFFFFFFF"), "{err}");
}

#[test]
fn t_client_retransmits_and_runs_each_command_once() {
    let (clean, mut client) = one_step(Fault::DamageSend(usize::MAX));
    assert_eq!(client.stats().retransmissions, 0);
    assert_eq!(client.link_status().expect("status").replays, 0);
    // Send calls: 0 the leading 0x00, 1 IDENTIFY, 2 the seed, 3 the STEP.
    let cases = [
        (Fault::DamageSend(3), "link error"),
        (Fault::DropDelimiter(3), "timeout"),
        (Fault::DamageResponse(2), "damaged response"),
        (Fault::Duplicate(2), "late duplicate"),
    ];
    for (fault, what) in cases {
        let (state, mut client) = one_step(fault);
        assert_eq!(state, clean, "{what}: the STEP ran exactly once");
        let stats = client.stats();
        let chip = client.link_status().expect("status");
        match fault {
            Fault::DamageSend(_) => {
                assert_eq!(
                    (stats.link_errors, stats.retransmissions),
                    (1, 1),
                    "{stats}"
                );
                assert_eq!((chip.link_errors, chip.replays), (1, 0));
            }
            Fault::DropDelimiter(_) => {
                // The 0x00 before the retransmission ends the frame: it runs, the
                // retransmission is answered from the replay store and dropped as late.
                assert_eq!((stats.timeouts, stats.retransmissions), (1, 1), "{stats}");
                assert_eq!(stats.late_responses, 1, "{stats}");
                assert_eq!(chip.replays, 1);
            }
            Fault::DamageResponse(_) => {
                assert_eq!(
                    (stats.damaged_responses, stats.retransmissions),
                    (1, 1),
                    "{stats}"
                );
                assert_eq!(chip.replays, 1);
            }
            Fault::Duplicate(_) => {
                assert_eq!(
                    (stats.late_responses, stats.retransmissions),
                    (1, 0),
                    "{stats}"
                );
                assert_eq!(chip.replays, 0);
            }
        }
    }
}

#[test]
fn t_client_gives_up_naming_what_came_back() {
    let timing = Timing {
        max_retries: 2,
        clock_hz: 12_000_000,
        turnaround: Duration::ZERO,
        response_timeout: None,
    };
    let started = Instant::now();
    let err = Client::connect(Box::new(Dead), timing).expect_err("nothing answers");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "IDENTIFY (seq 0): no valid response after 3 attempts; last: no response within"
        ),
        "{text}"
    );
    // Three waits of 2 x (8 + 41 bytes at 115,200 baud + 32 cycles) + 50 ms each.
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(3 * 58), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
}

#[test]
fn t_client_drops_a_late_duplicate_of_the_same_opcode() {
    // Responses: 0 IDENTIFY, 1 the seed WRITE, 2 the first READ (duplicated).
    let mut client = Client::connect(
        Box::new(Scripted::new(Fault::Duplicate(2))),
        Timing::default(),
    )
    .expect("IDENTIFY");
    client
        .write(
            Space::Register,
            usize::from(Register::EncoderState.id()),
            &[111, 222],
        )
        .expect("seeds");
    let first = client
        .read(Space::Register, usize::from(Register::EncoderState.id()), 1)
        .expect("READ");
    let second = client
        .read(
            Space::Register,
            usize::from(Register::LearnState(LayerId::hidden(0)).id()),
            1,
        )
        .expect("READ");
    assert_eq!((first[0], second[0]), (111, 222));
    assert_eq!(client.stats().late_responses, 1);
}

/// `n` link-error responses on the wire, as the chip answers `n` frames too short.
fn link_errors(n: usize) -> Vec<u8> {
    let one = Response::link_error(Status::TooShort)
        .encode()
        .expect("a link-error response encodes");
    one.repeat(n)
}

/// The golden chip behind a link that holds answers to bytes sent before the session (a
/// host that flooded the port without reading): `before` link-error responses wait when the
/// session starts, and `ahead` more come in front of the chip's answer to send call `at`.
#[derive(Debug)]
struct Stale {
    chip: SimChip,
    sends: usize,
    at: usize,
    ahead: usize,
    pending: Pending,
}

impl Stale {
    fn new(before: usize, at: usize, ahead: usize) -> Self {
        Self {
            chip: sim(),
            sends: 0,
            at,
            ahead,
            pending: Pending(link_errors(before)),
        }
    }
}

impl Transport for Stale {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.sends == self.at {
            self.pending.push(&link_errors(self.ahead));
        }
        self.sends += 1;
        let answer = exchange(&mut self.chip, bytes)?;
        self.pending.push(&answer);
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], _deadline: Instant) -> Result<usize, TransportError> {
        Ok(self.pending.recv(buf))
    }

    fn baud(&self) -> Option<u32> {
        None
    }

    fn describe(&self) -> String {
        "stale".to_string()
    }
}

#[test]
fn t_client_stale_link_errors_do_not_count_against_a_request() {
    let frame = link_errors(1).len() as u64;
    // Send calls: 0 the leading 0x00, 1 IDENTIFY, 2 the STEP.
    for (before, at, ahead) in [(2_000, usize::MAX, 0), (0, 1, 2_000), (30, 2, 50)] {
        let timing = Timing {
            max_retries: 0,
            ..Timing::default()
        };
        let case = format!("{before} before the session, {ahead} ahead of send {at}");
        let mut client = Client::connect(Box::new(Stale::new(before, at, ahead)), timing)
            .unwrap_or_else(|err| panic!("{case}: {err}"));
        client.step(0).unwrap_or_else(|err| panic!("{case}: {err}"));
        let stats = client.stats();
        assert_eq!(
            (stats.retransmissions, stats.link_errors, stats.timeouts),
            (0, 0, 0),
            "{case}: {stats}"
        );
        assert_eq!(
            stats.drained_bytes,
            (before + ahead) as u64 * frame,
            "{case}: {stats}"
        );
        let chip = client.link_status().expect("status");
        assert_eq!((chip.link_errors, chip.replays), (0, 0), "{case}");
    }
}

#[test]
fn t_client_a_link_error_with_nothing_after_it_still_counts() {
    // The answer to a damaged STEP, with nothing after it, is the STEP's own.
    let mut client = Client::connect(
        Box::new(Scripted::new(Fault::DamageSend(3))),
        Timing {
            max_retries: 0,
            ..Timing::default()
        },
    )
    .expect("IDENTIFY");
    client.write(Space::Register, 0, &[0]).expect("WRITE");
    let err = client.step(0).expect_err("the only attempt was damaged");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "STEP (word 0x00000000) (seq 2): no valid response after 1 attempts; last: a \
             link-error response"
        ),
        "{text}"
    );
    assert_eq!(client.stats().link_errors, 1);
}

/// A link on which link-error responses never stop.
#[derive(Debug)]
struct Babbling {
    frame: Vec<u8>,
    at: usize,
}

impl Transport for Babbling {
    fn send(&mut self, _bytes: &[u8]) -> Result<(), TransportError> {
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], _deadline: Instant) -> Result<usize, TransportError> {
        for slot in buf.iter_mut() {
            *slot = self.frame[self.at];
            self.at = (self.at + 1) % self.frame.len();
        }
        Ok(buf.len())
    }

    fn baud(&self) -> Option<u32> {
        None
    }

    fn describe(&self) -> String {
        "babbling".to_string()
    }
}

#[test]
fn t_client_a_link_that_never_falls_quiet_is_named() {
    let link = Babbling {
        frame: link_errors(1),
        at: 0,
    };
    let err = Client::connect(Box::new(link), Timing::default()).expect_err("never quiet");
    let ClientError::Flooded { bytes, .. } = err else {
        panic!("{err}");
    };
    assert!(bytes > DRAIN_BYTES, "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "IDENTIFY: babbling did not fall quiet for {DRAIN_QUIET:?}: {bytes} bytes"
        )),
        "{text}"
    );
}

#[test]
fn t_client_an_explicit_timeout_replaces_the_computed_ones() {
    let explicit = Duration::from_millis(1_234);
    let timing = Timing {
        response_timeout: Some(explicit),
        ..Timing::default()
    };
    assert_eq!(timing.quiet(), explicit);
    assert_eq!(Timing::default().quiet(), DRAIN_QUIET);
    let client = Client::connect(Box::new(sim()), timing).expect("IDENTIFY");
    let longest = Command::RunPhase {
        word: 0,
        steps: 1_024,
    };
    for command in [Command::Identify, longest] {
        assert_eq!(client.timeout(&command, 14), explicit, "{command:?}");
    }
    let computed = Client::connect(Box::new(sim()), Timing::default()).expect("IDENTIFY");
    assert_ne!(computed.timeout(&Command::Identify, 8), explicit);

    let timing = Timing {
        max_retries: 1,
        response_timeout: Some(Duration::from_millis(120)),
        ..Timing::default()
    };
    let err = Client::connect(Box::new(Dead), timing).expect_err("nothing answers");
    assert_eq!(
        err.to_string(),
        "IDENTIFY (seq 0): no valid response after 2 attempts; last: no response within 120ms"
    );
}

/// A chip whose parameters are fixed in its logic: the host loads its network without
/// writing them (the chip refuses those writes, as a WRITE here shows) and the chip holds the
/// network's values; a network with other parameters is refused before anything is written,
/// naming the parameter hash, while a chip with its parameters in registers takes it, and so
/// does the fixed chip with the same parameters and another seed.
#[test]
fn a_chip_with_fixed_parameters_takes_only_its_network() {
    use spikeforge_host::chip_model::{ChipModel, LoadError};
    use spikeforge_sim::core_interface::{parameter_id, LayerField};
    use spikeforge_sim::network::Network;

    let cfg = cfg();
    let fixed = || SimChip::build(&cfg, true).expect("chip");
    let client = Client::connect(Box::new(fixed()), Timing::default()).expect("IDENTIFY");
    assert!(client.identity().shape().fixed_parameters);
    let chip = ChipModel::load(client, &cfg, &Network::new(&cfg)).expect("load");
    let threshold = parameter_id(LayerId::hidden(0), LayerField::Threshold);
    let err = chip
        .client()
        .write(Space::Register, threshold.into(), &[1])
        .expect_err("a parameter write");
    assert!(
        matches!(
            err,
            ClientError::Refused {
                status: Status::OutOfRange,
                ..
            }
        ),
        "{err}"
    );

    let mut other = cfg.clone();
    other.hidden[0].threshold += 1;
    let client = Client::connect(Box::new(fixed()), Timing::default()).expect("IDENTIFY");
    let err = ChipModel::load(client, &other, &Network::new(&other)).expect_err("refused");
    assert!(matches!(err, LoadError::Mismatch { .. }), "{err}");
    assert!(err.to_string().contains("parameter hash"), "{err}");
    // Another seed, the same parameters: loaded.
    let mut reseeded = cfg.clone();
    reseeded.seed += 1;
    let client = Client::connect(Box::new(fixed()), Timing::default()).expect("IDENTIFY");
    ChipModel::load(client, &reseeded, &Network::new(&reseeded)).expect("another seed");
    let registers = Client::connect(Box::new(sim()), Timing::default()).expect("IDENTIFY");
    ChipModel::load(registers, &other, &Network::new(&other)).expect("registers take it");
}
