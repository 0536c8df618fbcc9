//! Placeholder: the drill process (written next).
fn main() {}
