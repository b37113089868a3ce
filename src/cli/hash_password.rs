//! `rqdash hash-password`: the argon2id hash of a password or token for the users file. The
//! secret is read from a prompt (echo off, asked twice) or from stdin, never from argv, where
//! `ps` and the shell history would keep it.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::{Command, ExitCode, Stdio};

/// Turn the terminal's echo on or off (through `stty`, which acts on the inherited stdin).
fn echo(on: bool) {
    let _ = Command::new("stty").arg(if on { "echo" } else { "-echo" }).stdin(Stdio::inherit()).status();
}

fn prompt(label: &str) -> std::io::Result<String> {
    let mut err = std::io::stderr();
    write!(err, "{label}")?;
    err.flush()?;
    echo(false);
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    echo(true);
    writeln!(err)?;
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn secret() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let a = prompt("Password or token: ").map_err(|e| e.to_string())?;
        let b = prompt("Again: ").map_err(|e| e.to_string())?;
        if a != b {
            return Err("the two entries differ".into());
        }
        return Ok(a);
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read stdin: {e}"))?;
    // One trailing newline (from `echo` or a file) is not part of the secret.
    Ok(s.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&s).to_owned())
}

/// Read the secret and print its hash (exit 1 on an empty or mismatched secret).
pub fn run() -> ExitCode {
    let result = secret().and_then(|s| {
        if s.is_empty() { Err("the password is empty".into()) } else { crate::auth::password::hash(&s) }
    });
    match result {
        Ok(h) => {
            let _ = writeln!(std::io::stdout(), "{h}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "rqdash: {e}");
            ExitCode::FAILURE
        }
    }
}
