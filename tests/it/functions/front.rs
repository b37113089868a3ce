//! Front ends over recorded functions and archive.
