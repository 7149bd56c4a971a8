//! Who is acting (signing, waiving, sending back): git's author identity, or the person `--by`
//! spells out, which may never be someone else.

use crate::facts::config::Settings;
use crate::facts::error::Error;
use crate::facts::person;

/// The person acting, from git's author identity `ident` (`Name <email>`, when git has one) and
/// `--by`, which may spell it out as `Name <email>` or as a `[people]` name that includes them,
/// but cannot name someone else.
pub fn acting_person(
    ident: Option<&str>,
    by: Option<&str>,
    settings: &Settings,
) -> Result<String, Error> {
    let by = by.map(str::trim).filter(|b| !b.is_empty());
    // A `[people]` name stands for its people: you, when you are among them.
    let by = match by {
        Some(name) if !person::is_person(name) && settings.people.contains_key(name) => {
            Some(one_of_group(ident, name, settings)?)
        }
        by => by.map(str::to_string),
    };
    match by {
        Some(by) => spelled_out(ident, by),
        None => ident.map(str::to_string).ok_or_else(|| {
            Error::usage(
                "cannot tell who is signing: git has no author identity (user.name and user.email)",
                "set them with `git config user.name \"Your Name\"` and `git config user.email you@example.com`",
            )
        }),
    }
}

/// The one of the `[people]` group `name` who is acting: the one git's identity is, or its only
/// member when git has none.
fn one_of_group(ident: Option<&str>, name: &str, settings: &Settings) -> Result<String, Error> {
    let people = settings.resolve(name);
    match ident {
        Some(me) => match people.iter().find(|p| person::same(p, me)) {
            Some(p) => Ok(p.to_string()),
            None => Err(Error::usage(
                format!(
                    "you are {me} (git's author identity), and `{name}` in handoff.toml names {}",
                    people.join(", ")
                ),
                format!(
                    "{name} acts for themselves; or, if you are one of them, set git's identity (`git config user.email`)"
                ),
            )),
        },
        None if people.len() == 1 => Ok(people[0].to_string()),
        None => Err(Error::usage(
            format!("`{name}` names several people: {}", people.join(", ")),
            "pass --by \"Name <email>\" for the one you are",
        )),
    }
}

/// `by`, when it is `Name <email>` and git's identity (if any) is the same person.
fn spelled_out(ident: Option<&str>, by: String) -> Result<String, Error> {
    if !person::is_person(&by) {
        return Err(Error::usage(
            format!("`{by}` is not `Name <email>`"),
            "pass --by \"Name <email>\"",
        ));
    }
    if let Some(me) = ident
        && !person::same(me, &by)
    {
        return Err(Error::usage(
            format!(
                "you are {me} (git's author identity), not {by}: a sign-off is made by the person it names"
            ),
            format!(
                "{by} signs for themselves; or, if you are {by}, set git's identity: `git config user.email` (or GIT_AUTHOR_EMAIL)"
            ),
        ));
    }
    Ok(by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        toml::from_str(
            "[people]\nlead = \"Ann Lee <ann@x.org>\"\nops = [\"Ann Lee <ann@x.org>\", \"Bo Ng <bo@x.org>\"]\n",
        )
        .expect("settings")
    }

    const ANN: &str = "Ann Lee <ann@x.org>";

    #[test]
    fn git_identity_acts_unless_by_spells_out_the_same_person() {
        let s = settings();
        assert_eq!(
            acting_person(Some(ANN), None, &s).ok().as_deref(),
            Some(ANN)
        );
        assert_eq!(
            acting_person(Some(ANN), Some("  "), &s).ok().as_deref(),
            Some(ANN)
        );
        assert_eq!(
            acting_person(None, Some(ANN), &s).ok().as_deref(),
            Some(ANN)
        );
        let other = acting_person(Some(ANN), Some("Bo Ng <bo@x.org>"), &s);
        assert!(other.is_err_and(|e| e.to_string().contains("not Bo Ng")));
        assert!(acting_person(None, Some("bo"), &s).is_err());
        assert!(acting_person(None, None, &s).is_err());
    }

    #[test]
    fn a_people_name_stands_for_the_one_of_them_who_acts() {
        let s = settings();
        assert_eq!(
            acting_person(None, Some("lead"), &s).ok().as_deref(),
            Some(ANN)
        );
        assert_eq!(
            acting_person(Some("Bo Ng <bo@x.org>"), Some("ops"), &s)
                .ok()
                .as_deref(),
            Some("Bo Ng <bo@x.org>")
        );
        // Several people and no identity to choose by; an identity not among them.
        assert!(acting_person(None, Some("ops"), &s).is_err());
        assert!(acting_person(Some("Cy Do <cy@x.org>"), Some("ops"), &s).is_err());
    }
}
