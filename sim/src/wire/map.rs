//! [`MemoryMap`]: the addresses each memory space has for one network (`docs/spec.md` §7.4).

use super::codes::Space;
use crate::config::NetworkConfig;
use crate::core_interface::{CoreShape, LayerId};

/// The size of every memory space of a core for one network: its [`CoreShape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryMap {
    shape: CoreShape,
}

/// An access that leaves its space.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{access} of {count} values of {space} from address {start:#06x}: {reason}", space = space.name())]
pub struct RangeError {
    /// The space.
    pub space: Space,
    /// `READ` or `WRITE`.
    pub access: &'static str,
    /// The first address.
    pub start: u32,
    /// Values accessed.
    pub count: usize,
    /// What is out of range.
    pub reason: String,
}

impl MemoryMap {
    /// The spaces of the core for `cfg` ([`CoreShape::of`]).
    pub fn of(cfg: &NetworkConfig) -> Self {
        Self::new(CoreShape::of(cfg))
    }

    /// The spaces of a core of `shape`.
    pub fn new(shape: CoreShape) -> Self {
        Self { shape }
    }

    /// The core's shape.
    pub fn shape(&self) -> &CoreShape {
        &self.shape
    }

    /// Check that every address of `start..start + count` exists in `space`: for PIXEL and the
    /// weight spaces below the memory's size (and the layer one the core has); for STATE a
    /// field code 0..=4 and neurons within the layer of the address (so the range never
    /// crosses into another field or layer); for REG ids the core reads (the status
    /// registers) or, with `write`, stores.
    pub fn check(
        &self,
        space: Space,
        start: u32,
        count: usize,
        write: bool,
    ) -> Result<(), RangeError> {
        let fail = |reason: String| RangeError {
            space,
            access: if write { "WRITE" } else { "READ" },
            start,
            count,
            reason,
        };
        let end = start as usize + count;
        let below = |size: usize, what: String| {
            if end <= size {
                Ok(())
            } else {
                Err(fail(format!("ends at {end}, past the {size} {what}")))
            }
        };
        let shape = &self.shape;
        match space {
            Space::Pixel => below(shape.inputs, "pixels".into()),
            Space::Weight(layer) => {
                if !shape.has(layer) {
                    return Err(fail(format!("the core has no layer {layer}")));
                }
                below(
                    shape.weight_words(layer),
                    format!("words of {}", space.name()),
                )
            }
            Space::State => {
                let Ok(start) = u16::try_from(start) else {
                    return Err(fail("a state address is 16 bits".into()));
                };
                let split = shape.split_state_address(start);
                if split.field > 4 {
                    return Err(fail(format!("field {} is none of 0..=4", split.field)));
                }
                if !shape.has(split.layer) {
                    return Err(fail(format!("the core has no layer {}", split.layer)));
                }
                let size = shape.size(split.layer);
                let last = usize::from(split.neuron) + count;
                if last <= size {
                    Ok(())
                } else {
                    let layer = match split.layer {
                        LayerId::Hidden(0) if shape.hidden_layers() == 1 => {
                            "hidden layer".to_string()
                        }
                        other => other.to_string(),
                    };
                    Err(fail(format!(
                        "neurons {}..{last} pass the {size} neurons of the {layer}",
                        split.neuron
                    )))
                }
            }
            Space::Register => {
                let usable = |id: u16| {
                    if write {
                        shape.register_writable(id)
                    } else {
                        shape.register_readable(id)
                    }
                };
                let bad = (start as usize..end).find(|&id| !u16::try_from(id).is_ok_and(usable));
                match bad {
                    None => Ok(()),
                    Some(id) => Err(fail(format!(
                        "register {id} cannot be {}",
                        if write { "written" } else { "read" }
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core_interface::StateField;

    fn map() -> MemoryMap {
        MemoryMap::of(&crate::config::supervised_digits())
    }

    #[test]
    fn sizes_of_the_default_network() {
        let map = map();
        let shape = map.shape();
        assert_eq!(shape.inputs, 64);
        assert_eq!(shape.weight_words(LayerId::hidden(0)), 74 * 256);
        assert_eq!(shape.weight_words(LayerId::CLASSIFIER), 256 * 10);
        assert_eq!((shape.hidden.as_slice(), shape.classes), (&[256][..], 10));
    }

    #[test]
    fn spaces_and_state_of_a_second_hidden_layer() {
        let mut cfg = crate::config::supervised_digits();
        cfg.hidden[0].size = 16;
        cfg.hidden.push(cfg.hidden[0].clone());
        cfg.hidden[1].size = 12;
        let map = MemoryMap::of(&cfg);
        let w1 = Space::Weight(LayerId::hidden(1));
        assert!(map.check(w1, 0, 26 * 12, true).is_ok());
        assert!(map.check(w1, 1, 26 * 12, true).is_err());
        let w2 = Space::Weight(LayerId::hidden(2));
        let err = map.check(w2, 0, 1, false).expect_err("no layer 2");
        assert_eq!(
            err.to_string(),
            "READ of 1 values of W2 from address 0x0000: the core has no layer hidden[2]"
        );
        let shape = map.shape();
        let v1 = u32::from(shape.state_address(LayerId::hidden(1), StateField::Membrane, 0));
        assert!(map.check(Space::State, v1, 12, true).is_ok());
        let err = map.check(Space::State, v1 + 1, 12, true).expect_err("past");
        assert!(
            err.to_string()
                .ends_with("pass the 12 neurons of the hidden[1]"),
            "{err}"
        );
        let v2 = u32::from(shape.state_address(LayerId::hidden(2), StateField::Membrane, 0));
        assert!(map.check(Space::State, v2, 1, false).is_err());
        assert!(map.check(Space::Register, 64, 3, false).is_ok());
        assert!(map.check(Space::Register, 80, 14, true).is_ok());
        assert!(map.check(Space::Register, 96, 1, false).is_err());
    }

    #[test]
    fn ranges_end_at_the_memory() {
        let map = map();
        assert!(map.check(Space::Pixel, 0, 64, true).is_ok());
        assert!(map.check(Space::Pixel, 63, 2, false).is_err());
        assert!(map
            .check(Space::HIDDEN_WEIGHT, 18_944 - 128, 128, false)
            .is_ok());
        assert!(map.check(Space::HIDDEN_WEIGHT, 18_944, 1, true).is_err());
        assert!(map.check(Space::CLASSIFIER_WEIGHT, 2_559, 1, true).is_ok());
        assert!(map
            .check(Space::CLASSIFIER_WEIGHT, 0xFFFF, 128, true)
            .is_err());
        // 32-bit starts: no range wraps.
        assert!(map.check(Space::HIDDEN_WEIGHT, u32::MAX, 2, true).is_err());
        assert!(map.check(Space::Register, u32::MAX, 1, false).is_err());
        assert!(map.check(Space::Register, 1 << 16, 1, false).is_err());
        let err = map
            .check(Space::Pixel, 60, 8, true)
            .expect_err("past the pixels");
        assert_eq!(
            err.to_string(),
            "WRITE of 8 values of PIXEL from address 0x003c: ends at 68, past the 64 pixels"
        );
    }

    #[test]
    fn state_ranges_stay_in_one_field_of_one_layer() {
        let map = map();
        let state_address = |layer, field, n| u32::from(map.shape().state_address(layer, field, n));
        let v = state_address(LayerId::hidden(0), StateField::Membrane, 0);
        assert!(map.check(Space::State, v, 128, true).is_ok());
        assert!(map.check(Space::State, v + 128, 128, true).is_ok());
        assert!(map.check(Space::State, v + 129, 128, true).is_err());
        let count = state_address(LayerId::CLASSIFIER, StateField::Count, 0);
        assert!(map.check(Space::State, count, 10, false).is_ok());
        assert!(map.check(Space::State, count + 1, 10, false).is_err());
        assert!(map.check(Space::State, 5 << 12, 1, false).is_err());
        assert!(map.check(Space::State, 0xF000, 1, false).is_err());
        // A state address is 16 bits: bit 16 is no layer's.
        let err = map
            .check(Space::State, v | 1 << 16, 1, false)
            .expect_err("past 16 bits");
        assert!(
            err.to_string().ends_with("a state address is 16 bits"),
            "{err}"
        );
    }

    #[test]
    fn registers_readable_or_writable() {
        let map = map();
        assert!(map.check(Space::Register, 0, 7, false).is_ok());
        assert!(map.check(Space::Register, 0, 8, false).is_err());
        assert!(
            map.check(Space::Register, 8, 1, false).is_err(),
            "w_max is write-only"
        );
        assert!(map.check(Space::Register, 16, 14, true).is_ok());
        assert!(
            map.check(Space::Register, 32, 12, true).is_err(),
            "no id 43"
        );
        let err = map
            .check(Space::Register, 5, 3, true)
            .expect_err("id 7 does not exist");
        assert_eq!(
            err.to_string(),
            "WRITE of 3 values of REG from address 0x0005: register 7 cannot be written"
        );
    }
}
