//! The users file (`--users-file`): `[[user]]` and `[[token]]` tables parsed and validated as
//! pure data, so that a mistake is refused with its line before rqdash serves anything.

use std::collections::HashSet;

use argon2::PasswordHash;
use serde::Deserialize;
use toml::Spanned;

use super::Role;

/// One `[[user]]` or `[[token]]` entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// An argon2id PHC string (`$argon2id$v=19$m=...`), validated at load.
    pub hash: String,
    pub role: Role,
    /// Glob patterns of the queues the role applies to; empty means every queue.
    pub queues: Vec<String>,
}

/// The whole users file, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    pub users: Vec<Entry>,
    pub tokens: Vec<Entry>,
}

impl Users {
    /// The `[[user]]` named `name`.
    pub fn user(&self, name: &str) -> Option<&Entry> {
        self.users.iter().find(|u| u.name == name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    user: Vec<RawEntry>,
    #[serde(default)]
    token: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: Spanned<String>,
    #[serde(default)]
    password_hash: Option<Spanned<String>>,
    #[serde(default)]
    token_hash: Option<Spanned<String>>,
    role: Spanned<String>,
    #[serde(default)]
    queues: Vec<String>,
}

/// "file:line" for a byte offset of `text`.
fn at(file: &str, text: &str, offset: usize) -> String {
    let line = text.get(..offset).unwrap_or(text).matches('\n').count() + 1;
    format!("{file}:{line}")
}

/// Whether `phc` is an argon2id PHC string the verifier can use.
pub fn check_hash(phc: &str) -> Result<(), String> {
    let h = PasswordHash::new(phc).map_err(|e| format!("not a PHC hash string ({e})"))?;
    if h.algorithm.as_str() != "argon2id" {
        return Err(format!("hash algorithm {} is not argon2id (use `rqdash hash-password`)", h.algorithm));
    }
    h.hash.ok_or("the hash string has no hash part")?;
    Ok(())
}

/// Parse and check the users file `text` (named `file` in messages): unknown roles, bad hashes,
/// duplicate names and unknown keys are errors naming their line.
pub fn parse(file: &str, text: &str) -> Result<Users, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or_else(|| file.to_owned(), |s| at(file, text, s.start));
        format!("{line}: {}", e.message())
    })?;
    let mut out = Users::default();
    for (kind, entries, field) in [("user", raw.user, "password_hash"), ("token", raw.token, "token_hash")] {
        let mut seen = HashSet::new();
        for e in entries {
            let here = at(file, text, e.name.span().start);
            let name = e.name.into_inner();
            if name.trim().is_empty() {
                return Err(format!("{here}: a [[{kind}]] has an empty name"));
            }
            if !seen.insert(name.clone()) {
                return Err(format!("{here}: duplicate [[{kind}]] name {name:?}"));
            }
            let role_at = at(file, text, e.role.span().start);
            let role = e.role.into_inner().parse::<Role>().map_err(|m| format!("{role_at}: {m}"))?;
            let (hash, other) = if kind == "user" {
                (e.password_hash, e.token_hash)
            } else {
                (e.token_hash, e.password_hash)
            };
            if other.is_some() {
                return Err(format!("{here}: [[{kind}]] {name:?} takes {field}, not the other hash field"));
            }
            let hash = hash.ok_or_else(|| format!("{here}: [[{kind}]] {name:?} has no {field}"))?;
            let hash_at = at(file, text, hash.span().start);
            let hash = hash.into_inner();
            check_hash(&hash).map_err(|m| format!("{hash_at}: {field} of {name:?}: {m}"))?;
            let entry = Entry { name, hash, role, queues: e.queues };
            if kind == "user" { out.users.push(entry) } else { out.tokens.push(entry) }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A well-formed argon2id PHC string (parsing does not verify anything).
    const H: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$qmHN9HtnTYjtkpQ5tttV6g4dOO1W/ItrqZJRUSWQPS4";

    #[test]
    fn a_users_file_with_users_and_tokens_is_read() {
        let text = format!(
            "[[user]]\nname = \"ann\"\npassword_hash = \"{H}\"\nrole = \"operator\"\nqueues = [\"emails*\"]\n\n\
             [[token]]\nname = \"ci\"\ntoken_hash = \"{H}\"\nrole = \"viewer\"\n"
        );
        let u = parse("u.toml", &text).expect("valid");
        assert_eq!(u.users.len(), 1);
        assert_eq!(
            u.user("ann").map(|e| (e.role, e.queues.clone())),
            Some((Role::Operator, vec!["emails*".into()]))
        );
        assert_eq!(u.tokens[0].role, Role::Viewer);
    }

    #[test]
    fn mistakes_are_refused_with_their_line() {
        let bad_role = format!("[[user]]\nname = \"a\"\npassword_hash = \"{H}\"\nrole = \"root\"\n");
        let e = parse("u.toml", &bad_role).expect_err("bad role");
        assert!(e.starts_with("u.toml:4: unknown role"), "{e}");
        let bad_hash = "[[user]]\nname = \"a\"\npassword_hash = \"plain\"\nrole = \"admin\"\n";
        let e = parse("u.toml", bad_hash).expect_err("bad hash");
        assert!(e.starts_with("u.toml:3: password_hash"), "{e}");
        let argon2i = bad_role.replace("$argon2id$", "$argon2i$").replace("root", "admin");
        assert!(parse("u.toml", &argon2i).expect_err("not argon2id").contains("not argon2id"));
        let dup = format!(
            "[[user]]\nname = \"a\"\npassword_hash = \"{H}\"\nrole = \"admin\"\n\
             [[user]]\nname = \"a\"\npassword_hash = \"{H}\"\nrole = \"viewer\"\n"
        );
        let e = parse("u.toml", &dup).expect_err("duplicate");
        assert!(e.starts_with("u.toml:6: duplicate [[user]] name \"a\""), "{e}");
        let e =
            parse("u.toml", "[[user]]\nname = \"a\"\nrole = \"admin\"\npasword = \"x\"\n").expect_err("typo");
        assert!(e.starts_with("u.toml:4:"), "{e}");
        let e = parse("u.toml", "[[token]]\nname = \"t\"\nrole = \"admin\"\n").expect_err("no hash");
        assert!(e.contains("has no token_hash"), "{e}");
    }
}
