//! `handoff kinds`: the kinds available here and what each requires.

use crate::commands::args::TextFormat;
use crate::facts::error::Error;
use crate::facts::kind::Kind;
use crate::facts::workspace::Workspace;

/// List the kinds, or show one.
pub fn run(ws: &Workspace, kind: Option<&str>, format: TextFormat) -> Result<u8, Error> {
    let chosen: Vec<&Kind> = match kind {
        None => ws.kinds.iter().collect(),
        Some(name) => vec![ws.require_kind(name)?],
    };
    match format {
        TextFormat::Json => {
            let specs: Vec<_> = chosen.iter().map(|k| &k.spec).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&specs).unwrap_or_default()
            );
        }
        TextFormat::Text if kind.is_none() => print!("{}", crate::output::kinds::list(&chosen)),
        TextFormat::Text => {
            for k in chosen {
                print!("{}", crate::output::kinds::describe(k));
            }
        }
    }
    Ok(0)
}
