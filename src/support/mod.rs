//! Helpers every layer may use: words and counts, paths shown and held inside the repository,
//! did-you-mean suggestions. They use nothing of the tool's own.

pub mod clock;
pub mod inside;
pub mod paths;
pub mod suggest;
pub mod words;
