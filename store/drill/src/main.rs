//! `callgate-store-drill`: a writer or replica process that the store's
//! multi-process and fault tests start, feed and kill.
//!
//! ```text
//! callgate-store-drill ADDRESS TENANT MODE [OPTIONS]
//!
//! ADDRESS   sqlite:PATH | postgres:SCHEMA@URL
//! MODE      write N [--prefix P] [--attempts K] [--settle REV]
//!                   applies N changes, printing `committed <revision>` for each;
//!                   with --settle, then catches up until REV and prints the
//!                   document as this writer has it
//!           replica --until REV [--check-tokens] [--timeout SECS]
//!                   follows the log until REV, then prints the document;
//!                   with --check-tokens, answers each stdin line `token <rev>`
//!                   with `view <rev>` (until stdin ends); prints `error <code>
//!                   <message>` whenever the follower reports a new error
//!           store-then-hang    stores a change (user `hung`), prints
//!                   `stored <revision>`, and hangs before committing it
//!           hang-before-store  prints `storing <revision>` and hangs before
//!                   storing the change
//!           document           prints the tenant's document (an existing tenant)
//! ```
//!
//! Every failure prints `error: <message>` on stderr and exits with 1.

#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod address;
mod hang;
mod replica;
mod write;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use callgate_store::Writer;

use crate::address::Address;

/// What a drill fails with: any error, shown by its message.
pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

/// The drill's outcome.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

const USAGE: &str = "usage: callgate-store-drill ADDRESS TENANT MODE [OPTIONS]
  ADDRESS: sqlite:PATH | postgres:SCHEMA@URL
  MODE: write N [--prefix P] [--attempts K] [--settle REV]
      | replica --until REV [--check-tokens] [--timeout SECS]
      | store-then-hang | hang-before-store | document";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {}", chain(&*error));
            ExitCode::FAILURE
        }
    }
}

/// What the command line asks for.
#[derive(Debug)]
enum Mode {
    Write(write::Options),
    Replica(replica::Options),
    StoreThenHang,
    HangBeforeStore,
    Document,
}

fn run(args: Vec<String>) -> Result<()> {
    let mut args = args.into_iter();
    let (Some(address), Some(tenant), Some(mode)) = (args.next(), args.next(), args.next()) else {
        return Err(USAGE.into());
    };
    let address = Address::parse(&address)?;
    let rest: Vec<String> = args.collect();
    match parse_mode(&mode, &rest)? {
        Mode::Write(options) => write::run(&address, &tenant, &options),
        Mode::Replica(options) => replica::run(&address, &tenant, &options),
        Mode::StoreThenHang => hang::run(&address, &tenant, hang::Moment::AfterStoring),
        Mode::HangBeforeStore => hang::run(&address, &tenant, hang::Moment::BeforeStoring),
        Mode::Document => document(&address, &tenant),
    }
}

fn parse_mode(mode: &str, rest: &[String]) -> Result<Mode> {
    let mut options = Flags::new(rest);
    let mode = match mode {
        "write" => {
            let settle = options.value("--settle")?.map(|r| number(&r)).transpose()?;
            let prefix = options.value("--prefix")?.unwrap_or_else(|| "u".to_owned());
            let attempts = options
                .value("--attempts")?
                .map(|k| number(&k))
                .transpose()?;
            let count = number(&options.positional("N")?)?;
            Mode::Write(write::Options {
                count,
                prefix,
                attempts: attempts.map(u32::try_from).transpose()?,
                settle,
            })
        }
        "replica" => {
            let until = options
                .value("--until")?
                .ok_or("replica: --until REV is needed")?;
            let timeout = options
                .value("--timeout")?
                .map(|s| number(&s))
                .transpose()?;
            Mode::Replica(replica::Options {
                until: number(&until)?,
                check_tokens: options.switch("--check-tokens"),
                timeout: Duration::from_secs(timeout.unwrap_or(120)),
            })
        }
        "store-then-hang" => Mode::StoreThenHang,
        "hang-before-store" => Mode::HangBeforeStore,
        "document" => Mode::Document,
        other => return Err(format!("unknown mode `{other}`\n{USAGE}").into()),
    };
    options.finish()?;
    Ok(mode)
}

/// A decimal number from the command line.
fn number(text: &str) -> Result<u64> {
    text.parse()
        .map_err(|error| format!("`{text}` is not a number: {error}").into())
}

/// The arguments after the mode, taken one by one; what is left over is an
/// error.
struct Flags {
    args: Vec<Option<String>>,
}

impl Flags {
    fn new(args: &[String]) -> Self {
        Self {
            args: args.iter().cloned().map(Some).collect(),
        }
    }

    /// The first argument not taken yet that is not a flag.
    fn positional(&mut self, name: &str) -> Result<String> {
        self.args
            .iter_mut()
            .find(|arg| arg.as_deref().is_some_and(|a| !a.starts_with("--")))
            .and_then(Option::take)
            .ok_or_else(|| format!("{name} is needed\n{USAGE}").into())
    }

    /// The value after `flag`, if the flag is given.
    fn value(&mut self, flag: &str) -> Result<Option<String>> {
        let Some(at) = self.args.iter().position(|a| a.as_deref() == Some(flag)) else {
            return Ok(None);
        };
        let value = self.args.get_mut(at + 1).and_then(Option::take);
        self.args.get_mut(at).map(Option::take);
        value
            .map(Some)
            .ok_or_else(|| format!("{flag} needs a value").into())
    }

    /// Whether `flag` is given.
    fn switch(&mut self, flag: &str) -> bool {
        let given = self.args.iter_mut().find(|a| a.as_deref() == Some(flag));
        given.and_then(Option::take).is_some()
    }

    fn finish(self) -> Result<()> {
        match self.args.into_iter().flatten().next() {
            Some(arg) => Err(format!("unexpected argument `{arg}`\n{USAGE}").into()),
            None => Ok(()),
        }
    }
}

/// `document`: prints the document of an existing tenant, as its writer
/// loads it.
fn document(address: &Address, tenant: &str) -> Result<()> {
    let writer = Writer::open_existing(address.open()?, tenant)?;
    let json = serde_json::to_string(&writer.company().to_document())?;
    say(&json)
}

/// `error`'s message followed by its sources' (a driver's error often says
/// little, its source the rest), each once.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.ends_with(&said) {
            text = format!("{text}: {said}");
        }
        source = cause.source();
    }
    text
}

/// Prints `line` on stdout and flushes it, so a test reading the pipe sees
/// it at once.
pub(crate) fn say(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}
