//! [`MemoryMap`]: the addresses each memory space has for one network (`docs/spec.md` §7.4).

use super::codes::Space;
use crate::config::NetworkConfig;
use crate::core_interface::{register_readable, register_writable, split_state_address};

/// The size of every memory space of a core for one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryMap {
    /// Pixels `N_in`.
    pub pixels: usize,
    /// Words of W, `(N_in + L) N_h`.
    pub hidden_weights: usize,
    /// Words of C, `R_c K`.
    pub classifier_weights: usize,
    /// Hidden neurons `N_h` (state addresses with bit 15 clear).
    pub hidden: usize,
    /// Classifier neurons `K` (state addresses with bit 15 set).
    pub classes: usize,
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
    pub start: u16,
    /// Values accessed.
    pub count: usize,
    /// What is out of range.
    pub reason: String,
}

impl MemoryMap {
    /// The spaces of the core for `cfg` (its first hidden layer).
    pub fn of(cfg: &NetworkConfig) -> Self {
        let hidden = cfg.hidden.first().map_or(0, |layer| layer.size);
        Self {
            pixels: cfg.inputs,
            hidden_weights: cfg.hidden_inputs(0) * hidden,
            classifier_weights: cfg.classifier_inputs() * cfg.classes,
            hidden,
            classes: cfg.classes,
        }
    }

    /// Check that every address of `start..start + count` exists in `space`: for PIXEL, W and
    /// C below the memory's size; for STATE a field code 0..=4 and neurons within the layer of
    /// bit 15 (so the range never crosses into another field or layer); for REG ids the core
    /// reads (the status registers 0..=6) or, with `write`, stores.
    pub fn check(
        &self,
        space: Space,
        start: u16,
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
        let end = usize::from(start) + count;
        let below = |size: usize, what: &str| {
            if end <= size {
                Ok(())
            } else {
                Err(fail(format!("ends at {end}, past the {size} {what}")))
            }
        };
        match space {
            Space::Pixel => below(self.pixels, "pixels"),
            Space::HiddenWeight => below(self.hidden_weights, "words of W"),
            Space::ClassifierWeight => below(self.classifier_weights, "words of C"),
            Space::State => {
                let (classifier, field, neuron) = split_state_address(start);
                if field > 4 {
                    return Err(fail(format!("field {field} is none of 0..=4")));
                }
                let (size, layer) = if classifier {
                    (self.classes, "classifier")
                } else {
                    (self.hidden, "hidden layer")
                };
                let last = usize::from(neuron) + count;
                if last <= size {
                    Ok(())
                } else {
                    Err(fail(format!(
                        "neurons {neuron}..{last} pass the {size} neurons of the {layer}"
                    )))
                }
            }
            Space::Register => {
                let usable = if write {
                    register_writable
                } else {
                    register_readable
                };
                let bad =
                    (usize::from(start)..end).find(|&id| !u16::try_from(id).is_ok_and(usable));
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
    use crate::core_interface::{state_address, StateField};

    fn map() -> MemoryMap {
        MemoryMap::of(&NetworkConfig::default_network().expect("embedded default network"))
    }

    #[test]
    fn sizes_of_the_default_network() {
        assert_eq!(
            map(),
            MemoryMap {
                pixels: 64,
                hidden_weights: 74 * 256,
                classifier_weights: 256 * 10,
                hidden: 256,
                classes: 10,
            }
        );
    }

    #[test]
    fn ranges_end_at_the_memory() {
        let map = map();
        assert!(map.check(Space::Pixel, 0, 64, true).is_ok());
        assert!(map.check(Space::Pixel, 63, 2, false).is_err());
        assert!(map
            .check(Space::HiddenWeight, 18_944 - 128, 128, false)
            .is_ok());
        assert!(map.check(Space::HiddenWeight, 18_944, 1, true).is_err());
        assert!(map.check(Space::ClassifierWeight, 2_559, 1, true).is_ok());
        assert!(map
            .check(Space::ClassifierWeight, 0xFFFF, 128, true)
            .is_err());
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
        let v = state_address(false, StateField::Membrane, 0);
        assert!(map.check(Space::State, v, 128, true).is_ok());
        assert!(map.check(Space::State, v + 128, 128, true).is_ok());
        assert!(map.check(Space::State, v + 129, 128, true).is_err());
        let count = state_address(true, StateField::Count, 0);
        assert!(map.check(Space::State, count, 10, false).is_ok());
        assert!(map.check(Space::State, count + 1, 10, false).is_err());
        assert!(map.check(Space::State, 5 << 12, 1, false).is_err());
        assert!(map.check(Space::State, 0xF000, 1, false).is_err());
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
