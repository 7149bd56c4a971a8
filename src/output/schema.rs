//! A JSON Schema (draft 2020-12) of the front matter, generated from the kinds, so editors can
//! complete keys and flag typos while people type.

use crate::facts::gate::Status;
use crate::facts::kind::{FieldSpec, FieldType, Kind, Kinds};
use serde_json::{Map, Value, json};

const PERSON: &str = r"^(.+ <[^@<>\s]+@[^@<>\s]+\.[^@<>\s]+>|[A-Za-z0-9_.-]+)$";
const DATE: &str = r"^\d{4}-\d{2}-\d{2}$";

/// The schema for one kind, or for all kinds (dispatching on `kind`).
pub fn generate(kinds: &Kinds, only: Option<&Kind>) -> Value {
    let mut doc = match only {
        Some(kind) => kind_schema(kind),
        None => {
            let names: Vec<&str> = kinds.names();
            let branches: Vec<Value> = kinds
                .iter()
                .map(|k| {
                    json!({
                        "if": { "properties": { "kind": { "const": k.spec.name } }, "required": ["kind"] },
                        "then": { "$ref": format!("#/$defs/{}", k.spec.name) },
                    })
                })
                .collect();
            let defs: Map<String, Value> = kinds
                .iter()
                .map(|k| (k.spec.name.clone(), kind_schema(k)))
                .collect();
            json!({
                "title": "handoff packet front matter",
                "description": "The YAML front matter of a handoff packet's handoff.md; `kind` selects which answers it needs.",
                "type": "object",
                "required": ["kind"],
                "properties": { "kind": { "enum": names, "description": "The kind of handoff (see `handoff kinds`)." } },
                "allOf": branches,
                "$defs": defs,
            })
        }
    };
    doc["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    doc
}

fn kind_schema(kind: &Kind) -> Value {
    let spec = &kind.spec;
    let roles: Vec<&str> = spec.roles.iter().map(|r| r.name.as_str()).collect();
    let mut props = Map::new();
    props.insert("id".into(), json!({ "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$", "description": "The packet id, equal to its folder name." }));
    props.insert(
        "title".into(),
        json!({ "type": "string", "description": "A one-line title." }),
    );
    props.insert(
        "kind".into(),
        json!({ "const": spec.name, "description": spec.summary }),
    );
    props.insert(
        "from".into(),
        json!({ "type": "string", "description": "The team handing over." }),
    );
    props.insert(
        "to".into(),
        json!({ "type": "string", "description": "The team taking over." }),
    );
    props.insert("day0".into(), json!({ "type": "string", "pattern": DATE, "description": "The live handoff day (YYYY-MM-DD); the timeline is relative to it." }));
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
    props.insert(
        "status".into(),
        json!({ "enum": statuses, "description": "Where the handoff stands." }),
    );
    props.insert(
        "kind_version".into(),
        json!({ "type": "integer", "minimum": 1, "description": "The version of the kind the packet was made under (`handoff upgrade` raises it)." }),
    );
    props.insert(
        "waivers".into(),
        json!({
            "description": "Written by `handoff waive`: what does not apply, why, and until when.",
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["target", "reason", "until"],
                "properties": {
                    "target": { "type": "string", "description": "An answer path (`metric.source`) or an acceptance criterion's text." },
                    "reason": { "type": "string" },
                    "until": { "type": "string", "pattern": DATE },
                    "by": { "type": "string", "pattern": PERSON },
                    "at": { "type": "string", "pattern": DATE },
                    "via": { "type": "string", "pattern": "^https://", "description": "The pull request review or comment it was given in (written by `handoff apply`)." },
                },
            },
        }),
    );
    props.insert(
        "sent_back".into(),
        json!({
            "description": "Written by `handoff send-back`: each time the receiving team turned the handoff down, and why.",
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["at", "by", "reason"],
                "properties": {
                    "at": { "type": "string", "pattern": DATE },
                    "by": { "type": "string", "pattern": PERSON },
                    "from": { "enum": statuses },
                    "reason": { "type": "string" },
                    "via": { "type": "string", "pattern": "^https://", "description": "The pull request review or comment it was given in (written by `handoff apply`)." },
                },
            },
        }),
    );
    props.insert(
        "signoffs".into(),
        json!({
            "description": "Written by `handoff sign`, never by hand.",
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["role", "by", "at", "digest"],
                "properties": {
                    "role": { "enum": roles },
                    "by": { "type": "string", "pattern": PERSON },
                    "at": { "type": "string" },
                    "digest": { "type": "string", "pattern": "^sha256:[0-9a-f]{64}$" },
                    "status": { "enum": statuses, "description": "The status the packet had when signed." },
                    "note": { "type": "string" },
                    "kind": {
                        "type": "string",
                        "pattern": "^[A-Za-z0-9_-]+ [0-9]+ sha256:[0-9a-f]{16}$",
                        "description": "The kind the sign-off was made under: name, version, digest of its requirements.",
                    },
                    "via": { "type": "string", "pattern": "^https://", "description": "The pull request review or comment it was given in (written by `handoff apply`)." },
                },
            },
        }),
    );
    for f in &spec.fields {
        props.insert(f.key.clone(), field_schema(f));
    }
    json!({
        "title": format!("{} packet", spec.name),
        "description": spec.summary,
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "title", "kind", "from", "to", "day0", "status"],
        "properties": props,
    })
}

fn field_schema(f: &FieldSpec) -> Value {
    let description = match &f.example {
        Some(e) => format!("{} (e.g. {e})", f.prompt),
        None => f.prompt.clone(),
    };
    let mut schema = match f.ty {
        FieldType::Map => object(&f.fields),
        FieldType::List => {
            let items = if f.fields.is_empty() {
                scalar(f.item.unwrap_or(FieldType::Text))
            } else {
                object(&f.fields)
            };
            json!({ "type": "array", "items": items })
        }
        _ if !f.one_of.is_empty() => {
            // The choices autocomplete; a `TODO:` placeholder stays allowed.
            json!({ "anyOf": [{ "enum": f.one_of }, { "type": "string", "pattern": "^TODO" }] })
        }
        ty => scalar(ty),
    };
    schema["description"] = json!(description);
    schema
}

fn object(fields: &[FieldSpec]) -> Value {
    let props: Map<String, Value> = fields
        .iter()
        .map(|f| (f.key.clone(), field_schema(f)))
        .collect();
    json!({ "type": "object", "additionalProperties": false, "properties": props })
}

fn scalar(ty: FieldType) -> Value {
    // Text answers may be written as YAML numbers or booleans (`target: 20`); a `TODO:` placeholder
    // is a string and so always allowed, so the schema never fights the scaffold.
    match ty {
        FieldType::Person => {
            json!({ "type": "string", "anyOf": [{ "pattern": PERSON }, { "pattern": "^TODO" }] })
        }
        FieldType::Date => {
            json!({ "type": "string", "anyOf": [{ "pattern": DATE }, { "pattern": "^TODO" }] })
        }
        FieldType::Url => {
            json!({ "type": "string", "anyOf": [{ "pattern": "^https?://" }, { "pattern": "^TODO" }] })
        }
        _ => json!({ "type": ["string", "number", "boolean"] }),
    }
}

/// A JSON Schema (draft 2020-12) of `handoff.toml`, for TOML editors that read one (Taplo, Even
/// Better TOML: `#:schema ./.handoff/config.schema.json` on the file's first line): every
/// setting with its meaning, unknown keys flagged, `[people]` entries as text or tables,
/// `[trust] proof` as its three choices.
pub fn config() -> Value {
    let person_text = json!({
        "type": "string",
        "pattern": r"^.+ <[^@<>\s]+@[^@<>\s]+\.[^@<>\s]+>$",
        "description": "`Name <email>`.",
    });
    let person_table = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "email"],
        "properties": {
            "name": { "type": "string", "description": "The person's name." },
            "email": { "type": "string", "pattern": r"^[^@<>\s]+@[^@<>\s]+\.[^@<>\s]+$", "description": "Their email: what tells people apart." },
            "github": { "type": "string", "pattern": "^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$", "description": "Their GitHub login: their pull request reviews and `/handoff` comments count as theirs (`handoff apply`, `check --evidence`)." },
            "signing_keys": {
                "type": "array",
                "description": "Keys whose signatures count as theirs: SSH public keys as a .pub file holds them (`ssh-ed25519 AAAA…`), or OpenPGP fingerprints (40 hex digits).",
                "items": { "type": "string", "pattern": r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( .*)?$|^[0-9A-Fa-f ]{40,80}$" },
            },
        },
    });
    let person = json!({ "anyOf": [person_text, person_table] });
    let weekends: Vec<&str> = vec!["warn", "shift-earlier"];
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "handoff.toml",
        "description": "The configuration of a repository's handoff packets. Every setting has a default.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "packets": { "type": "string", "default": "handoffs", "description": "The packets root, a folder inside the repository, relative to this file." },
            "default_kind": { "type": "string", "default": "generic", "description": "The kind `handoff new` uses without --kind." },
            "weekends": { "enum": weekends, "default": "warn", "description": "Milestones on a weekend: keep the date and warn, or move them to the Friday before." },
            "slack": {
                "type": "object",
                "description": "Email = Slack member id, so that `remind --format slack` mentions people.",
                "additionalProperties": { "type": "string", "pattern": "^[UW][A-Z0-9]+$" },
            },
            "sources": {
                "type": "object",
                "description": "Where `handoff metrics pull` reads KPI series: [sources.NAME].",
                "additionalProperties": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": { "enum": ["sqlite", "postgres", "csv"] },
                        "path": { "type": "string", "description": "sqlite, csv: a file inside the repository." },
                        "url_env": { "type": "string", "description": "postgres: the environment variable holding the connection string." },
                        "timeout": { "type": "integer", "minimum": 1, "description": "Seconds, for the connection and the query (default 30)." },
                    },
                },
            },
            "people": {
                "type": "object",
                "description": "Names packets may use instead of `Name <email>`. An entry named like a sign-off role binds it: only the people it names may sign that role. A person is `Name <email>`, or a table that also binds their GitHub account and signing keys; a list names delegates.",
                "additionalProperties": { "anyOf": [person.clone(), { "type": "array", "minItems": 1, "items": person }] },
            },
            "trust": {
                "type": "object",
                "additionalProperties": false,
                "description": "What proves that a sign-off, waiver or send-back comes from the person it names (read from the base with `check --base`).",
                "properties": {
                    "proof": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": true,
                        "default": ["identity"],
                        "description": "The proofs that count, any of them: `identity` (git's author identity; anyone can type one), `signature` (the commit that added the record is signed with a key bound to the person), `forge` (the record was given in a pull request review or comment by the person's bound account, as the forge's record shows).",
                        "items": { "enum": ["identity", "signature", "forge"] },
                    },
                },
            },
        },
    })
}
