//! Learning rules: the contrastive error of a layer, the annealed learning shift and the
//! weight-update engines.
mod annealed_shift;
mod classifier_delta;
mod classifier_drive;
mod contrastive_error;
mod csdp_delta;
mod csdp_drive;
mod sr_update;

pub use annealed_shift::AnnealedShift;
pub use classifier_delta::ClassifierDelta;
pub use classifier_drive::ClassifierDrive;
pub use contrastive_error::ContrastiveError;
pub use csdp_delta::CsdpDelta;
pub use csdp_drive::CsdpDrive;
pub use sr_update::{SrClamp, SrDither, SrPlan, SrUpdate, PARTIAL_BITS};
