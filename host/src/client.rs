//! [`Client`]: the host's side of the protocol of `docs/spec.md` §7: stop-and-wait with
//! sequence numbers (§7.7), a session that starts with `IDENTIFY`, retransmission after a
//! link-error response, a damaged response or a timeout derived from the request's cost
//! (§7.9), and late duplicates dropped. The chip answers a retransmitted frame from its
//! replay store without executing it again, so every command runs exactly once however often
//! its frame is sent.
//!
//! A damaged response (a frame that is not a valid response) is handled like a link-error
//! response: the host cannot tell what it was, most likely its own response or a link error
//! damaged on the way, and a retransmission is always safe.
//!
//! Stale bytes never count against a request. A link-error response carries no `seq`, so the
//! host tells its own from answers to earlier bytes (a previous session's, noise's, a flood's)
//! by their order: the chip answers frames in the order they arrive, so an answer to earlier
//! bytes comes before the answer to the request. A session starts by draining what the link
//! already holds; after a link-error or damaged response the host keeps reading until the
//! link falls quiet ([`Timing::quiet`]): the request's own answer in the meantime ends it
//! without a retransmission, and the error counts against the request only when nothing
//! follows it. A timeout needs no drain: it was a silence at least as long as the quiet
//! interval. Both drains are bounded ([`DRAIN_BYTES`], [`DRAIN_TIME`]).

use std::time::{Duration, Instant};

use serde::Serialize;
use spikeforge_sim::core_interface::{Datapath, StepCommand};
use spikeforge_sim::wire::{
    decode_response, max_read_count, max_wire_bytes, max_write_count, unpack_values, Command,
    Direction, FrameError, Identity, LinkStatus, Response, Space, Status, DELIMITER, MAGIC,
    MAX_PAYLOAD, PROTOCOL_VERSION, RESPONSE_FLAG,
};

use crate::transport::{Transport, TransportError};

/// Lanes of the widest core `gen-verilog` generates: the phase-reset bound covers its rounding.
pub const MAX_LANES: u64 = 16;
/// The bound on a request's time is multiplied by this before it becomes the timeout.
pub const TIMEOUT_FACTOR: u32 = 2;
/// Added to every timeout: operating-system scheduling and a USB adapter's latency timer
/// (16 ms by default on common adapters).
pub const TIMEOUT_SLACK: Duration = Duration::from_millis(50);
/// The quiet interval of a link paced by a board's clock: a pause this long ends a drain.
/// A chip's transmitter sends its answers back to back, so a pause in them is the operating
/// system's or the USB adapter's, which [`TIMEOUT_SLACK`] covers.
pub const DRAIN_QUIET: Duration = TIMEOUT_SLACK;
/// Bytes one drain discards at most before the request fails ([`ClientError::Flooded`]):
/// 3.5 s of a 3 Mbaud line, over 400 times the answers a full receive FIFO of garbage can
/// cause (512 bytes, at most 256 link errors of 9 bytes).
pub const DRAIN_BYTES: u64 = 1 << 20;
/// Time one drain takes at most, beyond one quiet interval, before the request fails.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);
/// Executor cycles per request after its delimiter, and per READ or WRITE value beyond its
/// width (§7.9: at most `32 + (width + 3)` per value).
const EXEC_CYCLES: u64 = 32;
const EXEC_CYCLES_PER_VALUE: u64 = 3;

/// The chip's side of the timing: its clock, the host's turnaround, how often to retry, or
/// an explicit timeout for a chip whose pace is not its clock's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// The chip's core clock in Hz (a board's `core_hz`; 12 MHz when no board is named).
    pub clock_hz: u64,
    /// The host's turnaround per request (§7.9 `T_host`).
    pub turnaround: Duration,
    /// Retransmissions of one request before the client gives up.
    pub max_retries: u32,
    /// The timeout of every request and the quiet interval, replacing those computed from
    /// `clock_hz` ([`Client::timeout`], [`DRAIN_QUIET`]): for a simulated chip behind a
    /// pty, which runs at the pace of a process on a loaded machine, not a board's.
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

impl Timing {
    /// How long the link must stay silent before the host takes it to have nothing more to
    /// say: [`DRAIN_QUIET`], or the explicit timeout.
    pub fn quiet(&self) -> Duration {
        self.response_timeout.unwrap_or(DRAIN_QUIET)
    }
}

/// Counters of one session's link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkStats {
    /// Requests sent (each counted once, however often retransmitted).
    pub requests: u64,
    /// Frames sent again.
    pub retransmissions: u64,
    /// Link-error responses that counted against a request (nothing followed them before
    /// the link fell quiet): each led to a retransmission or to giving up.
    pub link_errors: u64,
    /// Received frames that were no valid response and counted against a request, as
    /// `link_errors`.
    pub damaged_responses: u64,
    /// Waits that ended without a response.
    pub timeouts: u64,
    /// Valid responses to an earlier request (duplicates from retransmissions), dropped.
    pub late_responses: u64,
    /// Bytes drained: received at the start of the session or after a link-error or damaged
    /// response, answering no outstanding request (answers to earlier bytes, noise), and
    /// dropped without counting against a request.
    pub drained_bytes: u64,
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
             {} late responses dropped, {} stale bytes drained; {} bytes sent, {} received",
            self.requests,
            self.retransmissions,
            self.link_errors,
            self.damaged_responses,
            self.timeouts,
            self.late_responses,
            self.drained_bytes,
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
    /// The chip answered a fault status (CORE_TIMEOUT): its core did not finish or did not
    /// answer, so what it holds is no longer known.
    #[error(
        "{command} (seq {seq}): the chip answered {}: its core did not finish or answer (a \
         hardware fault: an upset, or a clock out of its limits); power-cycle the board and \
         load the network again",
        status.name()
    )]
    Fault {
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
    /// An access beyond what a READ or WRITE's 32-bit start reaches.
    #[error("{access} of {count} values of {space} from address {start}: past address 0xFFFFFFFF")]
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
    /// The link did not fall quiet while being drained: more bytes answering no request
    /// arrived than a chip sends unasked ([`DRAIN_BYTES`], [`DRAIN_TIME`]).
    #[error(
        "{command}: {link} did not fall quiet for {quiet:?}: {bytes} bytes answering no \
         request arrived in {elapsed:.1?} (a drain ends after {DRAIN_BYTES} bytes, or \
         {DRAIN_TIME:?} and one quiet interval); is something else sending on it?"
    )]
    Flooded {
        /// The request.
        command: String,
        /// The link.
        link: String,
        /// The quiet interval waited for.
        quiet: Duration,
        /// Bytes drained.
        bytes: u64,
        /// Time spent draining.
        elapsed: Duration,
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

/// The longest identity: that of a core with the most hidden layers and fixed parameters.
const MAX_IDENTITY: usize = Identity::MAX_LEN;

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
    /// Bytes taken since the last frame was returned (empty frames' delimiters included).
    frame_wire: u64,
}

/// A frame received: the response or why it is not one, and the bytes it took on the wire.
type Received = (Result<Response, FrameError>, u64);

/// Encoded bytes a response frame may have; a longer one is damaged.
const MAX_RESPONSE_ENCODED: usize = Direction::Response.max_encoded_len();

impl Client {
    /// Start a session: drain the link, send one 0x00 (ending whatever partial frame the chip
    /// holds), then `IDENTIFY`, whose identity must be a spikeforge chip of this protocol
    /// version.
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
            frame_wire: 0,
        };
        // What the link holds from before this session (answers to a previous host's bytes,
        // noise) answers nothing of this one; the 0x00 goes to a chip done with those bytes,
        // whose receive FIFO has room for it.
        client.drain("IDENTIFY", |_| false)?;
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

    /// The next complete non-empty frame among the bytes received so far: the response or
    /// why it is not one, and the bytes it took (its delimiter and empty frames before it
    /// included).
    fn split_frame(&mut self) -> Option<Received> {
        while let Some(&byte) = self.received.get(self.taken) {
            self.taken += 1;
            self.frame_wire += 1;
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
            let wire = std::mem::replace(&mut self.frame_wire, 0);
            if len > MAX_RESPONSE_ENCODED {
                let err = FrameError::TooLong {
                    len,
                    max: MAX_RESPONSE_ENCODED,
                };
                return Some((Err(err), wire));
            }
            return Some((decode_response(&frame), wire));
        }
        None
    }

    /// Receive more bytes by `deadline` (after [`Client::split_frame`] took every byte
    /// received): how many, 0 when none arrived by then.
    fn fill(&mut self, command: &str, deadline: Instant) -> Result<usize, ClientError> {
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
        self.stats.bytes_received += n as u64;
        self.received.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    /// The next non-empty frame received by `deadline`: `None` if none is complete by then,
    /// else the response or why it is not one, and the bytes it took.
    fn next_frame(
        &mut self,
        command: &str,
        deadline: Instant,
    ) -> Result<Option<Received>, ClientError> {
        loop {
            if let Some(frame) = self.split_frame() {
                return Ok(Some(frame));
            }
            if self.fill(command, deadline)? == 0 {
                return Ok(None);
            }
        }
    }

    /// Read until the link has been silent for the quiet interval ([`Timing::quiet`]): the
    /// first response that `answers` accepts, if one arrives meanwhile, else `None`. Every
    /// other frame, and the bytes of a frame still unfinished when the link falls quiet (a
    /// chip sends whole frames), are dropped and counted in [`LinkStats::drained_bytes`].
    /// Fails when the link does not fall quiet within [`DRAIN_BYTES`] bytes and
    /// [`DRAIN_TIME`] plus the quiet interval.
    fn drain(
        &mut self,
        command: &str,
        answers: impl Fn(&Response) -> bool,
    ) -> Result<Option<Response>, ClientError> {
        let quiet = self.timing.quiet();
        let started = Instant::now();
        let mut drained = 0;
        loop {
            while let Some((frame, wire)) = self.split_frame() {
                match frame {
                    Ok(response) if answers(&response) => {
                        self.stats.drained_bytes += drained;
                        return Ok(Some(response));
                    }
                    _ => drained += wire,
                }
            }
            let elapsed = started.elapsed();
            if drained > DRAIN_BYTES || elapsed > DRAIN_TIME + quiet {
                self.stats.drained_bytes += drained;
                return Err(ClientError::Flooded {
                    command: command.to_string(),
                    link: self.link.describe(),
                    quiet,
                    bytes: drained,
                    elapsed,
                });
            }
            if self.fill(command, Instant::now() + quiet)? == 0 {
                drained += std::mem::replace(&mut self.frame_wire, 0);
                self.frame.clear();
                self.frame_len = 0;
                self.stats.drained_bytes += drained;
                return Ok(None);
            }
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
        let answers = move |response: &Response| {
            !response.is_link_error() && response.seq == seq && response.opcode == opcode
        };
        let timeout = self.timeout(command, wire.len() + 1);
        let mut again = Vec::with_capacity(wire.len() + 1);
        again.push(DELIMITER);
        again.extend_from_slice(&wire);
        self.stats.requests += 1;
        self.send_bytes(&name, &wire)?;
        let mut attempts = 1;
        loop {
            let deadline = Instant::now() + timeout;
            let last = loop {
                let (frame, frame_bytes) = match self.next_frame(&name, deadline)? {
                    None => {
                        self.stats.timeouts += 1;
                        break format!("no response within {timeout:?}");
                    }
                    Some((Ok(response), _)) if answers(&response) => {
                        return accept(command, name, seq, response);
                    }
                    Some((Ok(response), _)) if !response.is_link_error() => {
                        self.stats.late_responses += 1;
                        continue;
                    }
                    Some(frame) => frame,
                };
                // A link-error or damaged response: to this request, or to earlier bytes
                // and followed by more answers, this request's among them.
                if let Some(response) = self.drain(&name, answers)? {
                    self.stats.drained_bytes += frame_bytes;
                    return accept(command, name, seq, response);
                }
                match frame {
                    Err(err) => {
                        self.stats.damaged_responses += 1;
                        break format!("a damaged response ({err})");
                    }
                    Ok(response) => {
                        self.stats.link_errors += 1;
                        break format!("a link-error response {}", response.status.name());
                    }
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

    /// `RESET`: the chip answers, then returns every register to its power-up value; its
    /// memories keep their contents, so the network must be loaded again before a step.
    pub fn reset(&mut self) -> Result<(), ClientError> {
        self.request(&Command::Reset).map(drop)
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

/// The payload of `response`, the OK answer to `command` (`name`, `seq`), checked against
/// the request.
fn accept(
    command: &Command,
    name: String,
    seq: u8,
    response: Response,
) -> Result<Vec<u8>, ClientError> {
    if response.status.is_fault() {
        return Err(ClientError::Fault {
            command: name,
            seq,
            status: response.status,
        });
    }
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
    Ok(response.payload)
}

/// An address known to be below 2^32 ([`check_range`] ran first).
fn address(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

fn check_range(
    access: &'static str,
    space: Space,
    start: usize,
    count: usize,
) -> Result<(), ClientError> {
    if start.saturating_add(count) > 1 << 32 {
        return Err(ClientError::Address {
            access,
            space: space.name(),
            start,
            count,
        });
    }
    Ok(())
}
