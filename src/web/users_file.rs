//! The users file on disk: read at start (a mistake stops rqdash, exit status 2), then re-read
//! when its modification time changes; a broken new version is logged and the last good one kept.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::auth::users::{self, Users};

/// How often the file's modification time is looked at (one `stat`, on a request).
const RECHECK: Duration = Duration::from_secs(1);

struct Loaded {
    users: Arc<Users>,
    mtime: Option<SystemTime>,
    checked: Instant,
}

/// The users file and its last good contents.
pub struct UsersFile {
    path: PathBuf,
    loaded: Mutex<Loaded>,
}

fn mtime(path: &PathBuf) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read(path: &PathBuf) -> Result<Users, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    users::parse(&name, &text)
}

impl UsersFile {
    /// Read and check the file now: the error names the file and line.
    pub fn open(path: PathBuf) -> Result<Self, String> {
        let m = mtime(&path);
        let users = Arc::new(read(&path)?);
        let loaded = Mutex::new(Loaded { users, mtime: m, checked: Instant::now() });
        Ok(Self { path, loaded })
    }

    /// The current users: re-read first when the file changed since it was last read.
    pub fn current(&self) -> Arc<Users> {
        let mut l = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        if l.checked.elapsed() < RECHECK {
            return Arc::clone(&l.users);
        }
        l.checked = Instant::now();
        let m = mtime(&self.path);
        if m != l.mtime {
            l.mtime = m;
            match read(&self.path) {
                Ok(u) => {
                    tracing::info!(file = %self.path.display(), users = u.users.len(), tokens = u.tokens.len(), "users file re-read");
                    l.users = Arc::new(u);
                }
                Err(e) => tracing::error!("users file not re-read, the last good version stays in use: {e}"),
            }
        }
        Arc::clone(&l.users)
    }
}
