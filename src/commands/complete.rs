//! Completions of values the project defines (packet ids, kinds, roles, rule ids), read from the
//! repository the shell is in when Tab is pressed.

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

fn workspace() -> Option<crate::facts::workspace::Workspace> {
    crate::facts::workspace::Workspace::open(&std::env::current_dir().ok()?).ok()
}

/// Packet ids, with their titles.
pub fn packets() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let Some(ws) = workspace() else {
            return Vec::new();
        };
        ws.all_packets()
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .map(CompletionCandidate::new)
            .collect()
    })
}

/// Kind names, with their summaries.
pub fn kinds() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        workspace()
            .map(|ws| {
                ws.kinds
                    .iter()
                    .map(|k| {
                        CompletionCandidate::new(k.spec.name.clone())
                            .help(Some(k.spec.summary.clone().into()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Sign-off role names of every kind, with what signing means.
pub fn roles() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let mut seen = std::collections::BTreeMap::new();
        if let Some(ws) = workspace() {
            for k in ws.kinds.iter() {
                for r in &k.spec.roles {
                    seen.entry(r.name.clone())
                        .or_insert_with(|| r.description.clone());
                }
            }
        }
        seen.into_iter()
            .map(|(name, help)| CompletionCandidate::new(name).help(Some(help.into())))
            .collect()
    })
}

/// Rule ids, with their summaries.
pub fn rules() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        crate::judgement::rules::all()
            .into_iter()
            .map(|r| CompletionCandidate::new(r.id.as_str()).help(Some(r.summary.into())))
            .collect()
    })
}
