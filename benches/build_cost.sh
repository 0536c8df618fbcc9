#!/usr/bin/env bash
# What callgate costs its users' builds (issue 28), in seconds of wall time:
#
#     bash benches/build_cost.sh
#
# 1. the library's cold release build (`cargo build --release` of callgate
#    alone, its dependencies included, in a fresh target directory);
# 2. a 7-line program (new company, create_user, apply, check) built in
#    release against it, then rebuilt after its `main.rs` is touched: the
#    time a user waits after each edit of their own crate, which grows with
#    the generic code of callgate that is compiled in the user's crate.
#
# Times move with the machine's load: run it on idle cores and compare
# builds in one sitting.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seconds() {
    local start end
    start="$(date +%s.%N)"
    "$@" >/dev/null 2>&1
    end="$(date +%s.%N)"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
}

cold="$(seconds env CARGO_TARGET_DIR="$work/library" cargo build --release -p callgate)"
echo "callgate, cold release build: ${cold} s"

mkdir -p "$work/seven/src"
cat >"$work/seven/Cargo.toml" <<EOF
[package]
name = "seven"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
callgate = { path = "$root" }

[workspace]
EOF
cat >"$work/seven/src/main.rs" <<'EOF'
use callgate::{Change, Company, Permissions, Resource, RoleId};
fn main() -> Result<(), callgate::Error> {
    let mut company = Company::new();
    let bob = company.create_user("bob")?;
    company.apply(Change::AssignRole { role: RoleId::OPERATOR, principals: vec![bob.into()] })?;
    println!("{:?}", company.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company));
    Ok(())
}
EOF
cd "$work/seven"
first="$(seconds cargo build --release)"
touch src/main.rs
again="$(seconds cargo build --release)"
echo "7-line program, first release build (callgate included): ${first} s"
echo "7-line program, release rebuild after touching main.rs: ${again} s"
