//! `handoff explain`: what a rule checks, why, and an example.

use crate::facts::error::Error;
use crate::judgement::rules;

/// Print one rule's documentation, or the list of rules.
pub fn run(rule: Option<&str>) -> Result<u8, Error> {
    match rule {
        None => {
            for r in rules::all() {
                println!("{:<20} {}", r.id, r.summary);
            }
            Ok(0)
        }
        Some(id) => {
            let Some(r) = rules::find(id) else {
                let ids: Vec<&str> = rules::all().iter().map(|r| r.id.as_str()).collect();
                let hint = crate::support::suggest::did_you_mean(id, ids.iter().copied())
                    .map_or_else(
                        || "run `handoff explain` to list the rules".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                return Err(Error::usage(format!("there is no rule `{id}`"), hint));
            };
            println!("{}: {}\n\n{}", r.id, r.summary, r.explanation);
            Ok(0)
        }
    }
}
