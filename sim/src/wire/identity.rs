//! The payloads of `IDENTIFY` ([`Identity`]) and `LINK_STATUS` ([`LinkStatus`])
//! (`docs/spec.md` §7.3).

use super::codes::Space;
use super::{MAGIC, MAX_PAYLOAD, PROTOCOL_VERSION};
use crate::config::NetworkConfig;
use crate::core_interface::{layer_parameter_writes, CoreShape, MAX_HIDDEN_LAYERS};
use crate::model::Fnv1a;

/// A payload of the wrong size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {what} payload has {expected} bytes, not {len}")]
pub struct PayloadSizeError {
    /// The payload.
    pub what: &'static str,
    /// Its size.
    pub expected: usize,
    /// The size received.
    pub len: usize,
}

/// The chip's identity, the payload of an `IDENTIFY` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// [`MAGIC`] on a spikeforge chip.
    pub magic: [u8; 4],
    /// [`PROTOCOL_VERSION`].
    pub version: u8,
    /// Bit 0: the classifier sees the pixels (`classifier_sees_input`); bits 2..1: hidden
    /// layers − 1 ([`FLAG_HIDDEN_LAYERS_SHIFT`]); bit 3: the layers' parameters are fixed
    /// ([`FLAG_FIXED_PARAMETERS`]); other bits 0.
    pub flags: u8,
    /// `MAX_PAYLOAD`.
    pub max_payload: u16,
    /// Pixels `N_in`.
    pub inputs: u16,
    /// Label inputs `L`.
    pub label_inputs: u16,
    /// Neurons `N_h` of the first hidden layer.
    pub hidden: u16,
    /// Classes `K`.
    pub classes: u16,
    /// Classifier rows `R_c`.
    pub classifier_rows: u16,
    /// Bits per weight.
    pub weight_bits: u8,
    /// Time steps per phase of the network file (for the host; the chip steps on command).
    pub steps: u16,
    /// Bytes per value of each space, in space-code order.
    pub widths: [u8; 5],
    /// [`build_hash`] of the network the core was generated for.
    pub build_hash: u64,
    /// Neurons of hidden layers 1, 2, ... (after the build hash, u16 LE each; none in the
    /// identity of a core with one hidden layer, which is 34 bytes as in protocol version 1).
    pub more_hidden: Vec<u16>,
    /// [`parameter_hash`] of the parameters fixed in the chip's logic, after the hidden sizes
    /// (u64 LE): present exactly when the flags have [`FLAG_FIXED_PARAMETERS`].
    pub parameter_hash: Option<u64>,
}

/// [`Identity::flags`] bit: the classifier sees the pixels.
pub const FLAG_CLASSIFIER_SEES_INPUT: u8 = 1;
/// [`Identity::flags`] bits 2..1 hold the hidden layers − 1.
pub const FLAG_HIDDEN_LAYERS_SHIFT: u32 = 1;
/// [`Identity::flags`] mask of the hidden layers − 1 (after the shift).
pub const FLAG_HIDDEN_LAYERS_MASK: u8 = 0x3;
/// [`Identity::flags`] bit: the layers' parameters are fixed in the chip's logic
/// ([`CoreShape::fixed_parameters`]), the network's values; the chip refuses writes of them.
pub const FLAG_FIXED_PARAMETERS: u8 = 1 << 3;

/// FNV-1a (64-bit) of the layers' parameters of `cfg` as a host writes them: each parameter id
/// of `layer_parameter_writes` and its value, u16 and u32 little-endian, in id order. Two networks
/// with the same parameter hash run the same on a chip whose parameters are fixed, whatever
/// their other fields (seed, epochs, name).
pub fn parameter_hash(cfg: &NetworkConfig) -> u64 {
    let mut hash = Fnv1a::new();
    for (id, value) in layer_parameter_writes(cfg) {
        hash.write(&id.to_le_bytes());
        hash.write(&value.to_le_bytes());
    }
    hash.finish()
}

/// FNV-1a (64-bit) of the network's validated configuration as JSON (every field, in
/// declaration order): it names the network a core was generated for.
pub fn build_hash(cfg: &NetworkConfig) -> u64 {
    // Serialising a struct of strings, integers and enums cannot fail.
    let json = serde_json::to_vec(cfg).unwrap_or_default();
    let mut hash = Fnv1a::new();
    hash.write(&json);
    hash.finish()
}

impl Identity {
    /// Payload bytes of the identity of a core with one hidden layer; each further hidden
    /// layer adds 2.
    pub const LEN: usize = 34;

    /// Payload bytes of the longest identity: a core of [`MAX_HIDDEN_LAYERS`] hidden layers
    /// with fixed parameters.
    pub const MAX_LEN: usize = Self::LEN + 2 * (MAX_HIDDEN_LAYERS - 1) + 8;

    /// The identity of the core for `cfg` (sizes above 65,535 read as 65,535; the core's
    /// limits keep them far below).
    pub fn of(cfg: &NetworkConfig) -> Self {
        let small = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        let mut widths = [0u8; 5];
        for (width, space) in widths.iter_mut().zip(Space::ALL) {
            *width = u8::try_from(space.width()).unwrap_or(u8::MAX);
        }
        let extra = u8::try_from(cfg.hidden.len().saturating_sub(1)).unwrap_or(u8::MAX);
        let layers = (extra & FLAG_HIDDEN_LAYERS_MASK) << FLAG_HIDDEN_LAYERS_SHIFT;
        Self {
            magic: MAGIC,
            version: PROTOCOL_VERSION,
            flags: layers
                | if cfg.classifier_sees_input {
                    FLAG_CLASSIFIER_SEES_INPUT
                } else {
                    0
                },
            max_payload: small(MAX_PAYLOAD),
            inputs: small(cfg.inputs),
            label_inputs: small(cfg.label_inputs()),
            hidden: small(cfg.hidden.first().map_or(0, |layer| layer.size)),
            classes: small(cfg.classes),
            classifier_rows: small(cfg.classifier_inputs()),
            weight_bits: cfg.weight_bits,
            steps: u16::try_from(cfg.steps).unwrap_or(u16::MAX),
            widths,
            build_hash: build_hash(cfg),
            more_hidden: cfg.hidden.iter().skip(1).map(|l| small(l.size)).collect(),
            parameter_hash: None,
        }
    }

    /// The identity of the core for `cfg` whose shape is `shape` (its parameters fixed or not).
    pub fn of_shape(cfg: &NetworkConfig, shape: &CoreShape) -> Self {
        let mut identity = Self::of(cfg);
        if shape.fixed_parameters {
            identity.flags |= FLAG_FIXED_PARAMETERS;
            identity.parameter_hash = Some(parameter_hash(cfg));
        }
        identity
    }

    /// Hidden layers of the core (bits 2..1 of the flags, plus 1).
    pub fn hidden_layers(&self) -> usize {
        usize::from((self.flags >> FLAG_HIDDEN_LAYERS_SHIFT) & FLAG_HIDDEN_LAYERS_MASK) + 1
    }

    /// Neurons of every hidden layer.
    pub fn hidden_sizes(&self) -> Vec<usize> {
        std::iter::once(self.hidden)
            .chain(self.more_hidden.iter().copied())
            .map(usize::from)
            .collect()
    }

    /// The shape of the core this identity describes.
    pub fn shape(&self) -> CoreShape {
        CoreShape {
            inputs: self.inputs.into(),
            label_inputs: self.label_inputs.into(),
            hidden: self.hidden_sizes(),
            classes: self.classes.into(),
            classifier_rows: self.classifier_rows.into(),
            classifier_sees_input: self.flags & FLAG_CLASSIFIER_SEES_INPUT != 0,
            fixed_parameters: self.flags & FLAG_FIXED_PARAMETERS != 0,
        }
    }

    /// Payload bytes of this identity.
    pub fn len(&self) -> usize {
        Self::LEN + 2 * self.more_hidden.len() + if self.parameter_hash.is_some() { 8 } else { 0 }
    }

    /// Whether the payload is empty (never: it is at least [`Identity::LEN`] bytes).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The payload, fields in declaration order, little-endian.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.extend_from_slice(&self.magic);
        out.push(self.version);
        out.push(self.flags);
        for x in [
            self.max_payload,
            self.inputs,
            self.label_inputs,
            self.hidden,
            self.classes,
            self.classifier_rows,
        ] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.push(self.weight_bits);
        out.extend_from_slice(&self.steps.to_le_bytes());
        out.extend_from_slice(&self.widths);
        out.extend_from_slice(&self.build_hash.to_le_bytes());
        for size in &self.more_hidden {
            out.extend_from_slice(&size.to_le_bytes());
        }
        if let Some(hash) = self.parameter_hash {
            out.extend_from_slice(&hash.to_le_bytes());
        }
        out
    }

    /// Parse a payload: [`Identity::LEN`] bytes, 2 more per hidden layer beyond the first
    /// (bits 2..1 of the flags byte) and 8 more with fixed parameters (bit 3).
    pub fn decode(bytes: &[u8]) -> Result<Self, PayloadSizeError> {
        let flags = bytes.get(5).copied().unwrap_or(0);
        let extra = usize::from((flags >> FLAG_HIDDEN_LAYERS_SHIFT) & FLAG_HIDDEN_LAYERS_MASK);
        let fixed = flags & FLAG_FIXED_PARAMETERS != 0;
        let sizes_end = Self::LEN + 2 * extra;
        let expected = sizes_end + if fixed { 8 } else { 0 };
        if bytes.len() != expected {
            return Err(PayloadSizeError {
                what: "IDENTIFY",
                expected,
                len: bytes.len(),
            });
        }
        let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let mut magic = [0u8; 4];
        magic.copy_from_slice(&bytes[..4]);
        let mut widths = [0u8; 5];
        widths.copy_from_slice(&bytes[21..26]);
        let u64_at = |at: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(word)
        };
        Ok(Self {
            magic,
            version: bytes[4],
            flags: bytes[5],
            max_payload: u16_at(6),
            inputs: u16_at(8),
            label_inputs: u16_at(10),
            hidden: u16_at(12),
            classes: u16_at(14),
            classifier_rows: u16_at(16),
            weight_bits: bytes[18],
            steps: u16_at(19),
            widths,
            build_hash: u64_at(26),
            more_hidden: (0..extra).map(|i| u16_at(Self::LEN + 2 * i)).collect(),
            parameter_hash: fixed.then(|| u64_at(sizes_end)),
        })
    }
}

/// The link's counters, the payload of a `LINK_STATUS` response: each saturates at 65,535 and
/// is cleared only at power-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStatus {
    /// Bytes dropped because the receive FIFO was full (the host broke the pacing rule).
    pub rx_overflows: u16,
    /// Characters dropped because their stop bit was 0 (line noise or a break).
    pub framing_errors: u16,
    /// Link-error responses sent (damaged frames dropped).
    pub link_errors: u16,
    /// Retransmitted requests answered from the stored response, not executed again.
    pub replays: u16,
}

impl LinkStatus {
    /// Payload bytes.
    pub const LEN: usize = 8;

    /// The payload: the four counters in declaration order, little-endian.
    pub fn encode(&self) -> Vec<u8> {
        [
            self.rx_overflows,
            self.framing_errors,
            self.link_errors,
            self.replays,
        ]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect()
    }

    /// Parse a payload of [`LinkStatus::LEN`] bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, PayloadSizeError> {
        if bytes.len() != Self::LEN {
            return Err(PayloadSizeError {
                what: "LINK_STATUS",
                expected: Self::LEN,
                len: bytes.len(),
            });
        }
        let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        Ok(Self {
            rx_overflows: u16_at(0),
            framing_errors: u16_at(2),
            link_errors: u16_at(4),
            replays: u16_at(6),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core_interface::HIDDEN_PARAMETERS;

    fn default_network() -> NetworkConfig {
        crate::config::supervised_digits()
    }

    #[test]
    fn identity_of_the_default_network() {
        let cfg = default_network();
        let identity = Identity::of(&cfg);
        let bytes = identity.encode();
        assert_eq!(bytes.len(), Identity::LEN);
        assert_eq!(&bytes[..6], b"SPKF\x03\x00");
        assert_eq!(&bytes[6..10], &[0x00, 0x01, 64, 0]);
        assert_eq!(bytes[18], 8);
        assert_eq!(&bytes[19..26], &[40, 0, 1, 2, 2, 2, 4]);
        assert_eq!(Identity::decode(&bytes), Ok(identity));
        assert_eq!(
            Identity::decode(&bytes[1..]),
            Err(PayloadSizeError {
                what: "IDENTIFY",
                expected: 34,
                len: 33
            })
        );
    }

    #[test]
    fn identity_of_a_chip_with_fixed_parameters_says_so() {
        let cfg = default_network();
        let fixed = CoreShape::of(&cfg).with_fixed_parameters(true);
        let identity = Identity::of_shape(&cfg, &fixed);
        let bytes = identity.encode();
        assert_eq!(bytes[5], FLAG_FIXED_PARAMETERS);
        assert_eq!(bytes.len(), Identity::LEN + 8);
        assert_eq!(bytes[34..], parameter_hash(&cfg).to_le_bytes());
        let decoded = Identity::decode(&bytes).expect("decodes");
        assert_eq!(decoded, identity);
        assert_eq!(decoded.shape(), fixed);
        assert!(Identity::decode(&bytes[..Identity::LEN]).is_err());
        // The parameter hash ignores the seed and the name, and sees every parameter.
        let mut other = cfg.clone();
        other.seed += 1;
        other.name = "other".to_string();
        assert_eq!(parameter_hash(&other), parameter_hash(&cfg));
        other.classifier.learn_shift += 1;
        assert_ne!(parameter_hash(&other), parameter_hash(&cfg));
        assert!(!fixed.register_writable(HIDDEN_PARAMETERS));
        assert!(CoreShape::of(&cfg).register_writable(HIDDEN_PARAMETERS));
        assert_eq!(
            Identity::of_shape(&cfg, &CoreShape::of(&cfg)),
            Identity::of(&cfg)
        );
    }

    #[test]
    fn identity_of_a_network_with_three_hidden_layers() {
        let mut cfg = default_network();
        cfg.hidden = vec![cfg.hidden[0].clone(); 3];
        cfg.hidden[1].size = 16;
        cfg.hidden[2].size = 0x0102;
        let identity = Identity::of(&cfg);
        let bytes = identity.encode();
        assert_eq!(bytes.len(), 38);
        assert_eq!(bytes[5], 0b100, "flags: 3 hidden layers");
        assert_eq!(&bytes[34..], &[16, 0, 2, 1]);
        assert_eq!(identity.hidden_sizes(), [256, 16, 258]);
        assert_eq!(identity.shape(), CoreShape::of(&cfg));
        assert_eq!(Identity::decode(&bytes), Ok(identity));
        assert_eq!(
            Identity::decode(&bytes[..34]),
            Err(PayloadSizeError {
                what: "IDENTIFY",
                expected: 38,
                len: 34
            })
        );
    }

    #[test]
    fn build_hash_follows_the_network() {
        let cfg = default_network();
        let mut other = cfg.clone();
        other.hidden[0].threshold += 1;
        assert_eq!(build_hash(&cfg), build_hash(&cfg.clone()));
        assert_ne!(build_hash(&cfg), build_hash(&other));
    }

    #[test]
    fn link_status_round_trips() {
        let status = LinkStatus {
            rx_overflows: 1,
            framing_errors: 0x0203,
            link_errors: 0xFFFF,
            replays: 4,
        };
        let bytes = status.encode();
        assert_eq!(bytes, [1, 0, 3, 2, 0xFF, 0xFF, 4, 0]);
        assert_eq!(LinkStatus::decode(&bytes), Ok(status));
    }
}
