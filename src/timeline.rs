//! The timeline: milestones relative to day 0.

use crate::kind::KindSpec;
use crate::rules::{Ctx, Rule};

/// Rules of this area.
pub static RULES: [&Rule; 0] = [];

/// Check timeline-related rules.
pub fn check(_ctx: &mut Ctx, _spec: &KindSpec) {}
