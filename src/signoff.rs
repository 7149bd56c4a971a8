//! Sign-offs: digest, sign, staleness.

use crate::kind::KindSpec;
use crate::rules::{Ctx, Rule};

/// Rules of this area.
pub static RULES: [&Rule; 0] = [];

/// Check the sign-offs of a packet.
pub fn check(_ctx: &mut Ctx, _spec: &KindSpec) {}
