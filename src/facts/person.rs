//! People as packets and sign-offs write them: `Name <email>`, told apart by their email.

/// Whether `s` is `Name <email>`.
pub fn is_person(s: &str) -> bool {
    let s = s.trim();
    let Some(open) = s.find('<') else {
        return false;
    };
    let Some(email) = s[open + 1..].strip_suffix('>') else {
        return false;
    };
    let name = s[..open].trim();
    let mut parts = email.split('@');
    let (Some(user), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !name.is_empty()
        && !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
}

/// The email inside `Name <email>`, lowercased: what identifies a person.
pub fn email_of(person: &str) -> Option<String> {
    let open = person.find('<')?;
    let close = person[open..].find('>')? + open;
    Some(person[open + 1..close].trim().to_lowercase())
}

/// Whether two `Name <email>` strings name the same person (same email, case aside).
pub fn same(a: &str, b: &str) -> bool {
    match (email_of(a), email_of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_name_and_email() {
        assert!(is_person("Maria Lopez <maria@acme.test>"));
        assert!(!is_person("Maria"));
        assert!(!is_person("Maria <maria>"));
        assert!(!is_person("<m@a.test>"));
        assert!(!is_person("Maria <m@a.test> extra"));
    }

    #[test]
    fn the_email_identifies_a_person() {
        assert!(same("Jo <JO@x.test>", "Jordan Blake <jo@x.test>"));
        assert!(!same("Jo <jo@x.test>", "Jo <jo2@x.test>"));
    }
}
