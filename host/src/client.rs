//! [`Client`]: the host's side of the protocol of `docs/spec.md` §7: stop-and-wait with
//! sequence numbers (§7.7), a session that starts with `IDENTIFY`, retransmission after a
//! link-error response, a damaged response or a timeout derived from the request's cost
//! (§7.9), and late duplicates dropped. The chip answers a retransmitted frame from its
//! replay store without executing it again, so every command runs exactly once however often
//! its frame is sent.
//!
//! A damaged response (a frame that is not a valid response) triggers the same immediate
//! retransmission as a link-error response: the host cannot tell what it was, most likely its
//! own response or a link error damaged on the way, and a retransmission is always safe.

use std::time::{Duration, Instant};

use serde::Serialize;
use spikeforge_sim::core_interface::{Datapath, StepCommand, MAX_HIDDEN_LAYERS};
use spikeforge_sim::wire::{
    decode_response, max_read_count, max_wire_bytes, max_write_count, unpack_values, Command,
    Direction, FrameError, Identity, LinkStatus, Response, Space, Status, DELIMITER, MAGIC,
    MAX_PAYLOAD, PROTOCOL_VERSION, RESPONSE_FLAG,
};

use crate::transport::{Transport, TransportError};

/// Lanes of the widest core `gen-verilog` generates: the phase-reset bound covers its rounding.
pub const MAX_LANES: u64 = 8;
/// The bound on a request's time is multiplied by this before it becomes the timeout.
pub const TIMEOUT_FACTOR: u32 = 2;
/// Added to every timeout: operating-system scheduling and a USB adapter's latency timer
/// (16 ms by default on common adapters).
pub const TIMEOUT_SLACK: Duration = Duration::from_millis(50);
/// Executor cycles per request after its delimiter, and per READ or WRITE value beyond its
/// width (§7.9: at most `32 + (width + 3)` per value).
const EXEC_CYCLES: u64 = 32;
const EXEC_CYCLES_PER_VALUE: u64 = 3;

/// The chip's side of the timing: its clock, the host's turnaround, how often to retry, or
/// an explicit timeout for a chip whose pace is not its clock's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// The chip's clock in Hz (the board's oscillator; 12 MHz on the iCE40 boards).
    pub clock_hz: u64,
    /// The host's turnaround per request (§7.9 `T_host`).
    pub turnaround: Duration,
    /// Retransmissions of one request before the client gives up.
    pub max_retries: u32,
    /// The timeout of every request, replacing the one computed from `clock_hz`
    /// ([`Client::timeout`]): for a simulated chip behind a pty, which runs at the pace of a
    /// process on a loaded machine, not a board's.
    pub response_timeout: Option<Duration>,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            clock_hz: 12_000_000,
            turnaround: Duration::from_millis(1),
            max_retries: 16,
            response_timeout: None,
        }
    }
}

/// Counters of one session's link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkStats {
    /// Requests sent (each counted once, however often retransmitted).
    pub requests: u64,
    /// Frames sent again.
    pub retransmissions: u64,
    /// Link-error responses received.
    pub link_errors: u64,
    /// Received frames that were no valid response.
    pub damaged_responses: u64,
    /// Waits that ended without a response.
    pub timeouts: u64,
    /// Valid responses to an earlier request (duplicates from retransmissions), dropped.
    pub late_responses: u64,
    /// Bytes sent, delimiters included.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

impl std::fmt::Display for LinkStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests, {} retransmissions ({} link errors, {} damaged responses, {} timeouts), \
             {} late responses dropped; {} bytes sent, {} received",
            self.requests,
            self.retransmissions,
            self.link_errors,
            self.damaged_responses,
            self.timeouts,
            self.late_responses,
            self.bytes_sent,
            self.bytes_received
        )
    }
}

/// Why a request failed. Every message names the request and what came back.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The link itself failed.
    #[error("{command}: {cause}")]
    Transport {
        /// The request.
        command: String,
        /// The link's error.
        cause: TransportError,
    },
    /// The chip executed nothing and answered with a command status.
    #[error("{command} (seq {seq}): the chip answered {}", status.name())]
    Refused {
        /// The request.
        command: String,
        /// Its sequence number.
        seq: u8,
        /// The chip's status.
        status: Status,
    },
    /// No valid response after every retransmission.
    #[error("{command} (seq {seq}): no valid response after {attempts} attempts; last: {last}")]
    GaveUp {
        /// The request.
        command: String,
        /// Its sequence number.
        seq: u8,
        /// Frames sent.
        attempts: u32,
        /// What came back the last time.
        last: String,
    },
    /// An OK response whose payload does not fit the request.
    #[error("{command}: the response carries {len} payload bytes, expected {expected}")]
    PayloadSize {
        /// The request.
        command: String,
        /// Payload bytes received.
        len: usize,
        /// Payload bytes expected.
        expected: usize,
    },
    /// The identity is not that of a spikeforge chip this host speaks to.
    #[error("IDENTIFY: {0}")]
    Identity(String),
    /// An access beyond what one space's 16-bit addresses reach.
    #[error("{access} of {count} values of {space} from address {start}: past address 0xFFFF")]
    Address {
        /// `"READ"` or `"WRITE"`.
        access: &'static str,
        /// The space's name.
        space: &'static str,
        /// First address.
        start: usize,
        /// Values.
        count: usize,
    },
    /// A request the encoder refuses (a payload above the maximum).
    #[error("{command}: {cause}")]
    Encode {
        /// The request.
        command: String,
        /// Why.
        cause: FrameError,
    },
}

/// The request as error messages name it.
pub fn describe(command: &Command) -> String {
    match command {
        Command::Write {
            space,
            start,
            values,
        } => format!(
            "WRITE of {} values to {} from {start:#06x}",
            values.len(),
            space.name()
        ),
        Command::Read {
            space,
            start,
            count,
        } => format!(
            "READ of {count} values of {} from {start:#06x}",
            space.name()
        ),
        Command::Step { word } => format!("STEP (word {word:#010x})"),
        Command::RunPhase { word, steps } => {
            format!("RUN_PHASE of {steps} steps (word {word:#010x})")
        }
        other => other.opcode().name().to_string(),
    }
}

/// Cycles of the longest `STEP` of the chip `id` describes (§6, `cycles_step`): every pixel
/// and the label input spiking, every hidden neuron spiking, CSDP and the classifier learning,
/// one lane and the hidden weights in single-port SPRAM (any other core takes fewer cycles):
/// the core shape's formula.
pub fn max_step_cycles(id: &Identity) -> u64 {
    let shape = id.shape();
    let worst = StepCommand {
        csdp: Some(true),
        classifier_label: Some(0),
        label_input: (shape.label_inputs > 0).then_some(0),
    };
    let wide = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
    let spiking: Vec<u64> = shape.hidden.iter().map(|&n| wide(n)).collect();
    shape.cycles_per_step(Datapath::slowest(), wide(shape.inputs), &spiking, &worst)
}

/// Cycles of a `PHASE_RESET` of the chip `id` describes, for any lane count up to
/// [`MAX_LANES`]: one per neuron word, each layer rounded up to whole lanes.
pub fn max_phase_reset_cycles(id: &Identity) -> u64 {
    let hidden: u64 = id.hidden_sizes().into_iter().map(|n| n as u64).sum();
    let layers = id.hidden_sizes().len() as u64 + 1;
    hidden + u64::from(id.classes) + layers * (MAX_LANES - 1)
}

/// Core cycles a command keeps the chip busy at most.
pub fn max_core_cycles(id: &Identity, command: &Command) -> u64 {
    match command {
        Command::PhaseReset => max_phase_reset_cycles(id),
        Command::Step { .. } => max_step_cycles(id),
        Command::RunPhase { steps, .. } => {
            max_phase_reset_cycles(id) + u64::from(*steps) * max_step_cycles(id)
        }
        _ => 0,
    }
}

/// The longest identity: that of a core with the most hidden layers.
const MAX_IDENTITY: usize = Identity::LEN + 2 * (MAX_HIDDEN_LAYERS - 1);

/// Payload bytes of the OK response to `command` (for `IDENTIFY`, the longest identity; its
/// own size follows from its flags and is checked when it is decoded).
fn response_payload(command: &Command) -> usize {
    match command {
        Command::Identify => MAX_IDENTITY,
        Command::LinkStatus => LinkStatus::LEN,
        Command::Read { space, count, .. } => usize::from(*count) * space.width(),
        Command::ReadPrediction => 1,
        _ => 0,
    }
}

/// The longest a request may take (§7.9): wire bytes both ways at `baud` (if the link has
/// one), the executor's and the core's cycles at the chip's clock, the host's turnaround.
pub fn request_time(
    id: &Identity,
    command: &Command,
    request_bytes: usize,
    baud: Option<u32>,
    timing: &Timing,
) -> Duration {
    let response_bytes = max_wire_bytes(Direction::Response.min_len() + response_payload(command));
    let wire = baud.map_or(Duration::ZERO, |baud| {
        let bits = (request_bytes + response_bytes) as u64
            * u64::from(spikeforge_sim::wire::BITS_PER_BYTE);
        Duration::from_secs_f64(bits as f64 / f64::from(baud.max(1)))
    });
    let values = match command {
        Command::Write { space, values, .. } => (values.len(), space.width()),
        Command::Read { space, count, .. } => (usize::from(*count), space.width()),
        _ => (0, 0),
    };
    let exec = EXEC_CYCLES + values.0 as u64 * (values.1 as u64 + EXEC_CYCLES_PER_VALUE);
    let cycles = exec + max_core_cycles(id, command);
    let compute = Duration::from_secs_f64(cycles as f64 / timing.clock_hz.max(1) as f64);
    wire + compute + timing.turnaround
}

/// A session with a chip over one link.
#[derive(Debug)]
pub struct Client {
    link: Box<dyn Transport>,
    timing: Timing,
    identity: Identity,
    seq: u8,
    stats: LinkStats,
    /// Bytes received and not yet split into frames.
    received: Vec<u8>,
    taken: usize,
    /// Encoded bytes of the frame being received (up to one more than the longest response).
    frame: Vec<u8>,
    frame_len: usize,
}

/// Encoded bytes a response frame may have; a longer one is damaged.
const MAX_RESPONSE_ENCODED: usize = Direction::Response.max_encoded_len();

impl Client {
    /// Start a session: one 0x00 (ending whatever partial frame the chip holds), then
    /// `IDENTIFY`, whose identity must be a spikeforge chip of this protocol version.
    pub fn connect(link: Box<dyn Transport>, timing: Timing) -> Result<Self, ClientError> {
        let mut client = Self {
            link,
            timing,
            // Until IDENTIFY answers: no network, so timeouts cover the wire and executor only.
            identity: Identity::decode(&[0; Identity::LEN])
                .map_err(|e| ClientError::Identity(e.to_string()))?,
            seq: 0,
            stats: LinkStats::default(),
            received: Vec::new(),
            taken: 0,
            frame: Vec::with_capacity(MAX_RESPONSE_ENCODED + 1),
            frame_len: 0,
        };
        client.send_bytes("IDENTIFY", &[DELIMITER])?;
        let payload = client.request(&Command::Identify)?;
        let identity =
            Identity::decode(&payload).map_err(|e| ClientError::Identity(e.to_string()))?;
        if identity.magic != MAGIC {
            return Err(ClientError::Identity(format!(
                "magic {:02X?} is not {:?}: no spikeforge chip on {}",
                identity.magic,
                String::from_utf8_lossy(&MAGIC),
                client.link.describe()
            )));
        }
        if identity.version != PROTOCOL_VERSION {
            return Err(ClientError::Identity(format!(
                "protocol version {}; this host speaks version {PROTOCOL_VERSION}",
                identity.version
            )));
        }
        if usize::from(identity.max_payload) != MAX_PAYLOAD {
            return Err(ClientError::Identity(format!(
                "MAX_PAYLOAD {}; this host uses {MAX_PAYLOAD}",
                identity.max_payload
            )));
        }
        for (space, &width) in Space::ALL.iter().zip(&identity.widths) {
            if usize::from(width) != space.width() {
                return Err(ClientError::Identity(format!(
                    "space {} has {width}-byte values; this host uses {}",
                    space.name(),
                    space.width()
                )));
            }
        }
        client.identity = identity;
        Ok(client)
    }

    /// The chip's identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The link's counters so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// The link.
    pub fn link(&self) -> &dyn Transport {
        &*self.link
    }

    /// The timeout of a request: [`TIMEOUT_FACTOR`] times [`request_time`], plus
    /// [`TIMEOUT_SLACK`]; or the explicit [`Timing::response_timeout`].
    pub fn timeout(&self, command: &Command, request_bytes: usize) -> Duration {
        if let Some(timeout) = self.timing.response_timeout {
            return timeout;
        }
        let time = request_time(
            &self.identity,
            command,
            request_bytes,
            self.link.baud(),
            &self.timing,
        );
        time * TIMEOUT_FACTOR + TIMEOUT_SLACK
    }

    fn send_bytes(&mut self, command: &str, bytes: &[u8]) -> Result<(), ClientError> {
        self.stats.bytes_sent += bytes.len() as u64;
        self.link
            .send(bytes)
            .map_err(|cause| ClientError::Transport {
                command: command.to_string(),
                cause,
            })
    }

    /// The next non-empty frame received by `deadline`: `None` if none is complete by then,
    /// else the response or why it is not one.
    fn next_frame(
        &mut self,
        command: &str,
        deadline: Instant,
    ) -> Result<Option<Result<Response, FrameError>>, ClientError> {
        loop {
            while let Some(&byte) = self.received.get(self.taken) {
                self.taken += 1;
                if byte != DELIMITER {
                    if self.frame.len() <= MAX_RESPONSE_ENCODED {
                        self.frame.push(byte);
                    }
                    self.frame_len += 1;
                    continue;
                }
                let len = std::mem::replace(&mut self.frame_len, 0);
                if len == 0 {
                    continue;
                }
                let frame = std::mem::take(&mut self.frame);
                if len > MAX_RESPONSE_ENCODED {
                    return Ok(Some(Err(FrameError::TooLong {
                        len,
                        max: MAX_RESPONSE_ENCODED,
                    })));
                }
                return Ok(Some(decode_response(&frame)));
            }
            self.received.clear();
            self.taken = 0;
            let mut buf = [0u8; 1024];
            let n = self
                .link
                .recv(&mut buf, deadline)
                .map_err(|cause| ClientError::Transport {
                    command: command.to_string(),
                    cause,
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.stats.bytes_received += n as u64;
            self.received.extend_from_slice(&buf[..n]);
        }
    }

    /// Send `command` and return the payload of its OK response, retransmitting as §7.7 says.
    pub fn request(&mut self, command: &Command) -> Result<Vec<u8>, ClientError> {
        let name = describe(command);
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let wire = command
            .request(seq)
            .encode()
            .map_err(|cause| ClientError::Encode {
                command: name.clone(),
                cause,
            })?;
        let opcode = command.opcode().code() | RESPONSE_FLAG;
        let timeout = self.timeout(command, wire.len() + 1);
        let mut again = Vec::with_capacity(wire.len() + 1);
        again.push(DELIMITER);
        again.extend_from_slice(&wire);
        self.stats.requests += 1;
        self.send_bytes(&name, &wire)?;
        let mut attempts = 1;
        let mut deadline = Instant::now() + timeout;
        loop {
            let last = match self.next_frame(&name, deadline)? {
                None => {
                    self.stats.timeouts += 1;
                    format!("no response within {timeout:?}")
                }
                Some(Err(err)) => {
                    self.stats.damaged_responses += 1;
                    format!("a damaged response ({err})")
                }
                Some(Ok(response)) if response.is_link_error() => {
                    self.stats.link_errors += 1;
                    format!("a link-error response {}", response.status.name())
                }
                Some(Ok(response)) if response.seq != seq || response.opcode != opcode => {
                    self.stats.late_responses += 1;
                    continue;
                }
                Some(Ok(response)) => {
                    if response.status != Status::Ok {
                        return Err(ClientError::Refused {
                            command: name,
                            seq,
                            status: response.status,
                        });
                    }
                    let expected = response_payload(command);
                    let fits = match command {
                        Command::Identify => response.payload.len() <= expected,
                        _ => response.payload.len() == expected,
                    };
                    if !fits {
                        return Err(ClientError::PayloadSize {
                            command: name,
                            len: response.payload.len(),
                            expected,
                        });
                    }
                    return Ok(response.payload);
                }
            };
            if attempts > self.timing.max_retries {
                return Err(ClientError::GaveUp {
                    command: name,
                    seq,
                    attempts,
                    last,
                });
            }
            attempts += 1;
            self.stats.retransmissions += 1;
            self.send_bytes(&name, &again)?;
            deadline = Instant::now() + timeout;
        }
    }

    /// Write `values` to `space` from address `start` on, in as many `WRITE`s as it takes.
    pub fn write(&mut self, space: Space, start: usize, values: &[u32]) -> Result<(), ClientError> {
        check_range("WRITE", space, start, values.len())?;
        for (i, chunk) in values.chunks(max_write_count(space)).enumerate() {
            let at = start + i * max_write_count(space);
            self.request(&Command::Write {
                space,
                start: address(at),
                values: chunk.to_vec(),
            })?;
        }
        Ok(())
    }

    /// Read `count` values of `space` from address `start` on, in as many `READ`s as it takes
    /// (values zero-extended from the space's width).
    pub fn read(
        &mut self,
        space: Space,
        start: usize,
        count: usize,
    ) -> Result<Vec<u32>, ClientError> {
        check_range("READ", space, start, count)?;
        let mut values = Vec::with_capacity(count);
        let most = max_read_count(space);
        let mut at = start;
        while at < start + count {
            let n = most.min(start + count - at);
            let payload = self.request(&Command::Read {
                space,
                start: address(at),
                // At most 256 values per READ.
                count: n as u16,
            })?;
            values.extend(unpack_values(space, &payload));
            at += n;
        }
        Ok(values)
    }

    /// `RUN_PHASE`: `PHASE_RESET`, then `steps` `STEP`s with `word`.
    pub fn run_phase(&mut self, word: u32, steps: u16) -> Result<(), ClientError> {
        self.request(&Command::RunPhase { word, steps }).map(drop)
    }

    /// `PHASE_RESET`.
    pub fn phase_reset(&mut self) -> Result<(), ClientError> {
        self.request(&Command::PhaseReset).map(drop)
    }

    /// One `STEP` with `word`.
    pub fn step(&mut self, word: u32) -> Result<(), ClientError> {
        self.request(&Command::Step { word }).map(drop)
    }

    /// `READ_PREDICTION`: the class.
    pub fn read_prediction(&mut self) -> Result<u8, ClientError> {
        Ok(self.request(&Command::ReadPrediction)?[0])
    }

    /// `LINK_STATUS`: the chip's link counters.
    pub fn link_status(&mut self) -> Result<LinkStatus, ClientError> {
        let payload = self.request(&Command::LinkStatus)?;
        LinkStatus::decode(&payload).map_err(|e| ClientError::PayloadSize {
            command: "LINK_STATUS".to_string(),
            len: e.len,
            expected: e.expected,
        })
    }
}

/// An address known to be below 2^16 ([`check_range`] ran first).
fn address(at: usize) -> u16 {
    u16::try_from(at).unwrap_or(u16::MAX)
}

fn check_range(
    access: &'static str,
    space: Space,
    start: usize,
    count: usize,
) -> Result<(), ClientError> {
    if start + count > 1 << 16 {
        return Err(ClientError::Address {
            access,
            space: space.name(),
            start,
            count,
        });
    }
    Ok(())
}
