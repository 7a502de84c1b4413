//! [`ChipCore`]: the frame engine driving the learning core, the chip between its UART's byte
//! streams (`docs/spec.md` §7) and its network.
use crate::link::FrameEngine;
use crate::top::{CoreError, CoreOptions, LearningCore};
use rust_hdl::prelude::*;
use spikeforge_sim::config::NetworkConfig;

/// The chip behind its UART: [`FrameEngine`] wired to [`LearningCore`]. Bytes in, bytes out;
/// `spikeforge_sim::chip::Chip` is its golden model.
#[derive(Debug, LogicBlock)]
pub struct ChipCore {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Received byte, input.
    pub rx_data: Signal<In, Bits<8>>,
    /// `rx_data` is a byte, input.
    pub rx_valid: Signal<In, Bit>,
    /// The chip takes `rx_data` in this cycle if `rx_valid`, output.
    pub rx_ready: Signal<Out, Bit>,
    /// Byte to transmit, output.
    pub tx_data: Signal<Out, Bits<8>>,
    /// `tx_data` is a byte, output.
    pub tx_valid: Signal<Out, Bit>,
    /// The transmitter takes `tx_data` in this cycle, input.
    pub tx_ready: Signal<In, Bit>,
    /// A character with a framing error was dropped, input.
    pub framing_error: Signal<In, Bit>,
    /// A received byte was dropped for a full FIFO, input.
    pub rx_overflow: Signal<In, Bit>,
    /// A request is being executed or answered, output.
    pub active: Signal<Out, Bit>,
    /// The frame engine requests the chip's reset (after answering RESET), output.
    pub reset_request: Signal<Out, Bit>,
    engine: FrameEngine,
    core: LearningCore,
}

impl ChipCore {
    /// The chip for `cfg`, its core built as `options` say, or why the network does not fit
    /// the core.
    pub fn new(cfg: &NetworkConfig, options: CoreOptions) -> Result<Self, CoreError> {
        let core = LearningCore::with_options(cfg, options)?;
        Ok(Self {
            clock: Signal::default(),
            rx_data: Signal::default(),
            rx_valid: Signal::default(),
            rx_ready: Signal::default(),
            tx_data: Signal::default(),
            tx_valid: Signal::default(),
            tx_ready: Signal::default(),
            framing_error: Signal::default(),
            rx_overflow: Signal::default(),
            active: Signal::default(),
            reset_request: Signal::default(),
            engine: FrameEngine::new(cfg, options.fixed_parameters),
            core,
        })
    }
}

impl Logic for ChipCore {
    #[hdl_gen]
    fn update(&mut self) {
        self.engine.clock.next = self.clock.val();
        self.core.clock.next = self.clock.val();
        self.engine.rx_data.next = self.rx_data.val();
        self.engine.rx_valid.next = self.rx_valid.val();
        self.rx_ready.next = self.engine.rx_ready.val();
        self.tx_data.next = self.engine.tx_data.val();
        self.tx_valid.next = self.engine.tx_valid.val();
        self.engine.tx_ready.next = self.tx_ready.val();
        self.engine.framing_error.next = self.framing_error.val();
        self.engine.rx_overflow.next = self.rx_overflow.val();
        self.active.next = self.engine.active.val();
        self.reset_request.next = self.engine.reset_request.val();
        self.core.cmd_valid.next = self.engine.cmd_valid.val();
        self.core.cmd_op.next = self.engine.cmd_op.val();
        self.core.cmd_addr.next = self.engine.cmd_addr.val();
        self.core.cmd_data.next = self.engine.cmd_data.val();
        self.engine.rsp_valid.next = self.core.rsp_valid.val();
        self.engine.rsp_data.next = self.core.rsp_data.val();
        self.engine.busy.next = self.core.busy.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spikeforge_sim::chip::Chip;
    use spikeforge_sim::core_interface::{
        layer_parameter_writes, parameter_id, parameter_writes, CoreShape, LayerField, LayerId,
        Register, StateField,
    };
    use spikeforge_sim::network::Network;
    use spikeforge_sim::rng::Xorshift32;
    use spikeforge_sim::wire::{
        cobs, crc16, decode_response, pack_values, Identity, Opcode, Request, Space, Status,
        FLAG_FIXED_PARAMETERS, MAX_PAYLOAD,
    };

    const SETTLE_PASSES: usize = 1_000;

    /// The chip in rust-hdl's simulator, driven a byte at a time, transmitting freely.
    struct Bench {
        chip: ChipCore,
        cycles: u64,
    }

    impl Bench {
        fn new(cfg: &NetworkConfig, options: CoreOptions) -> Self {
            let mut chip =
                ChipCore::new(cfg, options).unwrap_or_else(|err| panic!("{}: {err}", cfg.name));
            chip.connect_all();
            chip.tx_ready.next = true;
            Self { chip, cycles: 0 }
        }

        fn tick(&mut self, out: &mut Vec<u8>) {
            if self.chip.tx_valid.val() && self.chip.tx_ready.val() {
                out.push(u8::try_from(self.chip.tx_data.val().index()).unwrap_or(0xEE));
            }
            self.chip.clock.next = Clock { clk: true };
            assert!(simulate(&mut self.chip, SETTLE_PASSES), "no settling");
            self.chip.clock.next = Clock { clk: false };
            assert!(simulate(&mut self.chip, SETTLE_PASSES), "no settling");
            self.cycles += 1;
        }

        /// Feed `bytes`, each as soon as the chip takes it, then run until it is idle.
        fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
            let mut out = Vec::new();
            for &byte in bytes {
                self.chip.rx_data.next = u64::from(byte).into();
                self.chip.rx_valid.next = true;
                let mut waited = 0;
                loop {
                    assert!(simulate(&mut self.chip, SETTLE_PASSES), "no settling");
                    let taken = self.chip.rx_ready.val();
                    self.tick(&mut out);
                    if taken {
                        break;
                    }
                    waited += 1;
                    assert!(waited < 5_000_000, "the chip never took byte {byte:#04x}");
                }
                self.chip.rx_valid.next = false;
            }
            let mut idle = 0;
            while idle < 4 {
                assert!(simulate(&mut self.chip, SETTLE_PASSES), "no settling");
                idle = if self.chip.active.val() { 0 } else { idle + 1 };
                self.tick(&mut out);
            }
            out
        }
    }

    fn request(seq: u8, opcode: Opcode, payload: Vec<u8>) -> Vec<u8> {
        let mut bytes = Request {
            seq,
            opcode: opcode as u8,
            payload,
        }
        .encode()
        .unwrap_or_else(|err| panic!("request: {err}"));
        // Requests are framed the same way as responses; make sure of the delimiter.
        if bytes.last() != Some(&0) {
            bytes.push(0);
        }
        bytes
    }

    fn write(seq: u8, space: Space, start: u32, values: &[u32]) -> Vec<u8> {
        let mut payload = vec![space.code()];
        payload.extend_from_slice(&start.to_le_bytes());
        payload.extend(pack_values(space, values));
        assert!(payload.len() <= MAX_PAYLOAD);
        request(seq, Opcode::Write, payload)
    }

    fn read(seq: u8, space: Space, start: u32, count: u16) -> Vec<u8> {
        let mut payload = vec![space.code()];
        payload.extend_from_slice(&start.to_le_bytes());
        payload.extend_from_slice(&count.to_le_bytes());
        request(seq, Opcode::Read, payload)
    }

    /// Run `session` (one element per exchange) through the RTL and the golden `Chip`, and
    /// require the same bytes back for every exchange; the statuses of the responses.
    fn assert_same_answers(cfg: &NetworkConfig, session: &[Vec<u8>]) -> Vec<Status> {
        assert_same_answers_of(cfg, CoreOptions::default(), session)
    }

    /// [`assert_same_answers`] with the chip's core built as `options` say.
    fn assert_same_answers_of(
        cfg: &NetworkConfig,
        options: CoreOptions,
        session: &[Vec<u8>],
    ) -> Vec<Status> {
        let mut bench = Bench::new(cfg, options);
        let mut model =
            Chip::build(cfg, options.fixed_parameters).unwrap_or_else(|err| panic!("{err}"));
        let mut statuses = Vec::new();
        for (i, bytes) in session.iter().enumerate() {
            let rtl = bench.feed(bytes);
            let want = model.feed(bytes);
            assert_eq!(
                rtl,
                want,
                "exchange {i} ({} bytes in): the RTL answered {rtl:02x?}, the model {want:02x?}",
                bytes.len()
            );
            for frame in want.split(|&b| b == 0).filter(|frame| !frame.is_empty()) {
                let response = decode_response(frame).unwrap_or_else(|err| panic!("{err}"));
                statuses.push(response.status);
            }
        }
        statuses
    }

    /// The network of a TOML of the Verilated models' networks, named `file`.
    fn test_network(text: &str, file: &str) -> NetworkConfig {
        NetworkConfig::from_toml_str(text, file).unwrap_or_else(|err| panic!("{file}: {err}"))
    }

    fn small() -> NetworkConfig {
        test_network(
            include_str!("../../../verilated/networks/small.toml"),
            "small.toml",
        )
    }

    /// Supervised 10-7-5-3: two hidden layers.
    fn deep() -> NetworkConfig {
        test_network(
            include_str!("../../../verilated/networks/deep.toml"),
            "deep.toml",
        )
    }

    #[test]
    fn identify_link_status_and_errors_match_the_golden_chip() {
        let cfg = small();
        let mut good = request(7, Opcode::Identify, vec![]);
        let mut bad_crc = good.clone();
        bad_crc[2] ^= 0x40;
        good.insert(0, 0);
        let session = vec![
            good.clone(),
            // A retransmission, then a damaged frame, an empty frame, noise, a short frame.
            good.clone(),
            bad_crc,
            vec![0, 0],
            vec![0x31, 0x32, 0x33, 0],
            vec![0x02, 0x05, 0],
            request(8, Opcode::LinkStatus, vec![]),
            request(9, Opcode::LinkStatus, vec![1]),
            // Unknown opcode, a length field that disagrees with the payload, unknown space,
            // zero count.
            Request {
                seq: 10,
                opcode: 0x7E,
                payload: vec![],
            }
            .encode()
            .unwrap_or_else(|err| panic!("{err}")),
            {
                let mut body = vec![11u8, Opcode::Step as u8, 3, 0, 1, 2, 3, 4];
                body.extend_from_slice(&crc16(&body).to_le_bytes());
                let mut raw = cobs::encode(&body);
                raw.push(0);
                raw
            },
            read(12, Space::Pixel, 0, 0),
            request(13, Opcode::Read, vec![9u8, 0, 0, 0, 0, 1, 0]),
            request(14, Opcode::Step, vec![1, 2, 3]),
            request(15, Opcode::RunPhase, vec![0, 0, 0, 0, 0x01, 0x04]),
        ];
        assert_same_answers(&cfg, &session);
    }

    /// A session of `cfg`'s chip: the parameters, every generator's seed, every layer's
    /// weights and the pixels written; reads past W and of registers that cannot be read; a
    /// positive supervised phase with CSDP and classifier learning; the prediction, every
    /// layer's weights, traces and status registers read back.
    fn load_run_and_read_back(cfg: &NetworkConfig) -> Vec<Vec<u8>> {
        let shape = CoreShape::of(cfg);
        let net = Network::new(cfg);
        let mut rng = Xorshift32::new(0x00C0_FFEE);
        let mut session = Vec::new();
        let mut seq = 1u8;
        let mut next = || {
            seq = seq.wrapping_add(1);
            seq
        };
        for (id, value) in parameter_writes(cfg, 0) {
            session.push(write(next(), Space::Register, u32::from(id), &[value]));
        }
        session.push(write(
            next(),
            Space::Register,
            u32::from(Register::EncoderState.id()),
            &[0x1234_5678],
        ));
        for layer in shape.layers() {
            let seed = rng.next().max(1);
            let id = Register::LearnState(layer).id();
            session.push(write(next(), Space::Register, u32::from(id), &[seed]));
        }
        for (l, layer) in net.hidden.iter().enumerate() {
            let weights: Vec<u32> = layer.weights.iter().map(|&w| u32::from(w as u16)).collect();
            session.push(write(
                next(),
                Space::Weight(LayerId::hidden(l)),
                0,
                &weights,
            ));
        }
        let pixels: Vec<u32> = (0..cfg.inputs).map(|_| rng.next() & 0xFF).collect();
        session.push(write(next(), Space::Pixel, 0, &pixels));
        // Out of range: one word past W, a register that cannot be read.
        let w_words = address(shape.weight_words(LayerId::hidden(0)));
        session.push(read(next(), Space::HIDDEN_WEIGHT, 1, w_words));
        session.push(read(next(), Space::Register, 6, 3));
        session.push(read(next(), Space::Register, 0, 7));
        // A positive supervised phase with CSDP and classifier learning, then reads.
        let word = 0b1111u32 | (1 << 8) | (1 << 16);
        let mut run = word.to_le_bytes().to_vec();
        run.extend_from_slice(&3u16.to_le_bytes());
        session.push(request(next(), Opcode::RunPhase, run));
        session.push(request(next(), Opcode::ReadPrediction, vec![]));
        for layer in shape.layers() {
            let words = address(shape.weight_words(layer).min(128));
            session.push(read(next(), Space::Weight(layer), 0, words));
            let trace = shape.state_address(layer, StateField::Trace, 0);
            session.push(read(
                next(),
                Space::State,
                u32::from(trace),
                address(shape.size(layer)),
            ));
            let status = Register::ThetaOffset(layer).id();
            session.push(read(next(), Space::Register, u32::from(status), 2));
        }
        session.push(read(next(), Space::State, 0xC000, 3));
        session.push(request(next(), Opcode::LinkStatus, vec![]));
        session
    }

    fn address(x: usize) -> u16 {
        u16::try_from(x).unwrap_or_else(|_| panic!("{x} exceeds 16 bits"))
    }

    /// Self-supervised 1100-64-4: W of 70,400 words, past 16-bit addresses.
    fn large() -> NetworkConfig {
        test_network(
            include_str!("../../../verilated/networks/large.toml"),
            "large.toml",
        )
    }

    /// The 32-bit start of a READ or WRITE: W's words past 65,535 and across it, W's end, a
    /// start past what the network's spaces reach (2^20, 2^32 - 1), a state address with
    /// bit 16 set, a register id past 16 bits and pixels at the end, as the golden chip.
    #[test]
    fn wide_starts_match_the_golden_chip() {
        let cfg = large();
        let w = Space::HIDDEN_WEIGHT;
        let v = u32::from(CoreShape::of(&cfg).state_address(
            LayerId::hidden(0),
            StateField::Membrane,
            0,
        ));
        let session = vec![
            write(1, w, 70_000, &[0xFFF0, 0x0011, 0x0022]),
            read(2, w, 70_000, 3),
            write(3, w, 65_534, &[1, 2, 3, 4]),
            read(4, w, 65_533, 6),
            read(5, w, 70_397, 3),
            read(6, w, 70_398, 3),
            write(7, w, 70_400, &[5]),
            read(8, w, 1 << 20, 1),
            write(9, w, u32::MAX, &[1, 2]),
            write(10, Space::State, v | 1 << 16, &[1]),
            read(11, Space::State, v, 2),
            read(12, Space::Register, (1 << 16) | 3, 1),
            write(13, Space::Pixel, 1_098, &[7, 8]),
            read(14, Space::Pixel, 1_099, 2),
            read(15, Space::CLASSIFIER_WEIGHT, 255, 1),
            read(16, Space::CLASSIFIER_WEIGHT, 256, 1),
        ];
        let (ok, out) = (Status::Ok, Status::OutOfRange);
        assert_eq!(
            assert_same_answers(&cfg, &session),
            [ok, ok, ok, ok, ok, out, out, out, out, out, ok, out, ok, out, ok, out]
        );
    }

    #[test]
    fn reads_writes_and_a_run_match_the_golden_chip() {
        let cfg = small();
        assert_same_answers(&cfg, &load_run_and_read_back(&cfg));
    }

    /// A chip whose layers' parameters are fixed: its identity says so, every write of a
    /// parameter is refused (OUT_OF_RANGE) while `w_max`, the anneal and the generators are
    /// taken, and it learns as the golden chip of the network's parameters.
    #[test]
    fn a_chip_with_fixed_parameters_refuses_their_writes_and_learns_as_the_golden_chip() {
        let cfg = small();
        let fixed = CoreOptions {
            fixed_parameters: true,
            ..CoreOptions::default()
        };
        let mut session = vec![request(1, Opcode::Identify, vec![])];
        session.extend(load_run_and_read_back(&cfg));
        let statuses = assert_same_answers_of(&cfg, fixed, &session);
        let parameters = layer_parameter_writes(&cfg).len();
        assert!(parameters > 20, "{parameters} parameter writes");
        // The parameters, then the session's read past W and its read of an unreadable id.
        let refused = statuses
            .iter()
            .filter(|&&s| s == Status::OutOfRange)
            .count();
        assert_eq!(refused, parameters + 2, "{statuses:?}");
        // The RTL answered IDENTIFY as the golden chip, whose identity has the flag.
        let mut golden = Chip::build(&cfg, true).unwrap_or_else(|err| panic!("{err}"));
        let answer = golden.feed(&session[0]);
        let frame = answer.split(|&b| b == 0).find(|frame| !frame.is_empty());
        let response = decode_response(frame.unwrap_or_default())
            .unwrap_or_else(|err| panic!("IDENTIFY: {err}"));
        let identity =
            Identity::decode(&response.payload).unwrap_or_else(|err| panic!("identity: {err}"));
        assert!(
            identity.shape().fixed_parameters,
            "flags {:#x}",
            identity.flags
        );
        assert_ne!(identity.flags & FLAG_FIXED_PARAMETERS, 0);
    }

    #[test]
    fn reads_writes_and_a_run_of_two_hidden_layers_match_the_golden_chip() {
        let cfg = deep();
        assert_same_answers(&cfg, &load_run_and_read_back(&cfg));
    }

    /// Two hidden layers: the identity lists the second layer; its weights are space 8 and
    /// spaces 9 and 10 are unknown; stacked state addresses reach each layer's neurons and no
    /// further, nor a layer the core lacks; the second layer's status registers (64..=66) read
    /// and write, its parameters (80 + f) only write, and the ids of a third layer neither.
    #[test]
    fn spaces_state_and_registers_of_two_hidden_layers_match_the_golden_chip() {
        let cfg = deep();
        let shape = CoreShape::of(&cfg);
        let (first, second) = (LayerId::hidden(0), LayerId::hidden(1));
        let w1 = Space::Weight(second);
        let w1_words = address(shape.weight_words(second));
        let state = |layer, field, n| shape.state_address(layer, field, n);
        let v1 = state(second, StateField::Membrane, 0);
        let count0 = state(first, StateField::Count, 0);
        let missing = state(LayerId::hidden(2), StateField::Trace, 0);
        let goodness1 = Register::Goodness(second).id();
        let parameters1 = parameter_id(second, LayerField::ALL[0]);
        let session = vec![
            request(1, Opcode::Identify, vec![]),
            write(2, w1, u32::from(w1_words - 2), &[0xFFFE, 0x0021]),
            read(3, w1, u32::from(w1_words - 3), 3),
            read(4, w1, u32::from(w1_words - 2), 3),
            write(5, w1, u32::from(w1_words), &[1]),
            read(6, Space::Weight(LayerId::hidden(2)), 0, 1),
            write(7, Space::Weight(LayerId::hidden(3)), 0, &[1]),
            request(8, Opcode::Read, vec![11, 0, 0, 0, 0, 1, 0]),
            write(9, Space::State, u32::from(v1 + 1), &[3, 0xFFF0, 5, 6]),
            read(10, Space::State, u32::from(v1), 5),
            read(11, Space::State, u32::from(v1), 6),
            read(12, Space::State, u32::from(count0 + 6), 1),
            read(13, Space::State, u32::from(count0 + 6), 2),
            read(14, Space::State, u32::from(missing), 1),
            write(15, Space::State, u32::from(missing | 0x3FF), &[1]),
            write(
                16,
                Space::Register,
                u32::from(goodness1 - 1),
                &[0xFFFF_FFF0, 0x0001_0000, 77],
            ),
            read(17, Space::Register, u32::from(goodness1 - 1), 3),
            read(18, Space::Register, u32::from(goodness1 - 1), 4),
            write(19, Space::Register, u32::from(parameters1), &[1, 2]),
            read(20, Space::Register, u32::from(parameters1), 1),
            write(21, Space::Register, u32::from(parameters1 + 13), &[1, 2]),
            read(22, Space::Register, 96, 1),
            write(23, Space::Register, 96 + 16, &[1]),
            request(24, Opcode::LinkStatus, vec![]),
        ];
        let (ok, unknown, out) = (Status::Ok, Status::UnknownSpace, Status::OutOfRange);
        assert_eq!(
            assert_same_answers(&cfg, &session),
            [
                ok, ok, ok, out, out, unknown, unknown, unknown, ok, ok, out, ok, out, out, out,
                ok, ok, out, ok, out, out, out, out, ok
            ]
        );
    }

    /// Frames of 254 and more non-zero bytes take full COBS blocks (code 255) both ways.
    #[test]
    fn full_cobs_blocks_match_the_golden_chip() {
        let cfg = NetworkConfig::default_network().unwrap_or_else(|err| panic!("{err}"));
        // Negative weights have no zero byte: -1..=-125 sign-extend to 0xFFxx.
        let negative: Vec<u32> = (1..=125u32)
            .map(|w| (w as u16).wrapping_neg().into())
            .collect();
        let session = vec![
            // A request with no zero byte after its length: a WRITE past every space.
            write(0x11, Space::HIDDEN_WEIGHT, 0x0101_0101, &negative),
            write(0x12, Space::HIDDEN_WEIGHT, 0x0101, &negative),
            write(0x13, Space::HIDDEN_WEIGHT, 0x0101 + 125, &negative[..3]),
            read(0x14, Space::HIDDEN_WEIGHT, 0x0101, 128),
            read(0x15, Space::HIDDEN_WEIGHT, 0x0102, 127),
        ];
        assert_same_answers(&cfg, &session);
    }

    /// Seeded random streams: intact requests, requests with a flipped, dropped or added
    /// byte, frames cut short, noise with and without delimiters, and over-long frames.
    #[test]
    fn random_damaged_streams_match_the_golden_chip() {
        let cfg = small();
        let mut rng = Xorshift32::new(0xBAD_F00D);
        let mut session = Vec::new();
        for i in 0..120u32 {
            let seq = (i % 256) as u8;
            let mut frame = match rng.next() % 6 {
                0 => request(seq, Opcode::Identify, vec![]),
                1 => request(seq, Opcode::LinkStatus, vec![]),
                2 => read(
                    seq,
                    Space::Pixel,
                    u32::from((rng.next() % 12) as u16),
                    1 + (rng.next() % 4) as u16,
                ),
                3 => write(
                    seq,
                    Space::Pixel,
                    u32::from((rng.next() % 10) as u16),
                    &[rng.next() & 0xFF],
                ),
                4 => read(seq, Space::Register, u32::from((rng.next() % 8) as u16), 1),
                _ => request(seq, Opcode::ReadPrediction, vec![]),
            };
            match rng.next() % 8 {
                0 => {
                    let at = (rng.next() as usize) % (frame.len() - 1);
                    frame[at] ^= 1 << (rng.next() % 8);
                }
                1 => {
                    let at = (rng.next() as usize) % (frame.len() - 1);
                    frame.remove(at);
                }
                2 => {
                    let at = (rng.next() as usize) % frame.len();
                    frame.insert(at, (rng.next() & 0xFF) as u8);
                }
                3 => {
                    let keep = (rng.next() as usize) % frame.len();
                    frame.truncate(keep);
                    frame.push(0);
                }
                4 => {
                    frame = (0..(rng.next() % 12))
                        .map(|_| (rng.next() & 0xFF) as u8)
                        .collect();
                    frame.push(0);
                }
                5 if i % 16 == 5 => {
                    frame = (0..300).map(|_| 1 + (rng.next() % 255) as u8).collect();
                    frame.push(0);
                }
                _ => {}
            }
            session.push(frame);
        }
        assert_same_answers(&cfg, &session);
    }

    /// The chip of the default network with its hidden weights in SPRAM: Verilator's lint,
    /// rust-hdl's connection checks and iCE40 synthesis with the three frame buffers in block
    /// RAM.
    #[test]
    fn default_chip_lints_and_synthesizes_for_ice40() {
        let cfg = NetworkConfig::default_network().unwrap_or_else(|err| panic!("{err}"));
        let options = CoreOptions {
            weights_in_spram: true,
            ..CoreOptions::default()
        };
        let mut chip = ChipCore::new(&cfg, options).unwrap_or_else(|err| panic!("{err}"));
        chip.connect_all();
        if let Err(err) = check_all(&chip) {
            panic!("rust-hdl's connection checks failed: {err:?}");
        }
        let verilog = generate_verilog(&chip);
        let dir = std::env::temp_dir().join(format!("spikeforge-chip-lint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{err}"));
        let path = dir.join("chip.v");
        std::fs::write(&path, &verilog).unwrap_or_else(|err| panic!("{err}"));
        let lint = crate::lint::lint(&path, "top");
        std::fs::remove_dir_all(&dir).unwrap_or_else(|err| panic!("{err}"));
        if let Err(err) = lint {
            panic!("{err}");
        }
        let ice40 =
            crate::synth::synthesize_text("chip_core_ice40", &verilog, crate::synth::Family::Ice40);
        println!("{ice40}");
        // The core's weights in two SPRAMs (W, 64 x 256 words, and C, 256 x 10), its block
        // RAMs (the current accumulators of 18 bits) and the engine's request, response and
        // code buffers: 22.
        assert_eq!(ice40.cells("SB_SPRAM256KA"), 2, "{ice40}");
        assert!(ice40.cells("SB_RAM40_4K") >= 22, "{ice40}");
    }
}
