//! A drill process as the tests drive it: started on a place, fed lines,
//! read line by line with a timeout, and killed and reaped whatever happens
//! to the test.

#![allow(dead_code)] // each test binary uses its own part
#![allow(unreachable_pub)] // shared by test binaries, not exported

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::Place;

/// The longest any one wait of a drill test lasts: a bug fails the test
/// instead of hanging it.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// A running `callgate-store-drill`. Dropping it kills the process and
/// reaps it, so a failing test leaves none behind.
pub struct Drill {
    name: String,
    child: Child,
    /// Lines for the process's stdin, written by a thread of their own so
    /// that a process that stops reading never blocks the test.
    stdin: Option<Sender<String>>,
    /// The process's stdout, line by line, read by a thread of its own.
    stdout: Receiver<String>,
    /// Everything the process wrote on stderr so far.
    stderr: Arc<Mutex<String>>,
}

/// A drill that ended: its status and what it printed.
#[derive(Debug)]
pub struct Ended {
    /// The exit status.
    pub status: ExitStatus,
    /// The stdout lines not read before the end.
    pub lines: Vec<String>,
    /// Everything on stderr.
    pub stderr: String,
}

impl Drill {
    /// Starts `callgate-store-drill ADDRESS TENANT ARGS...` on `place`.
    pub fn start(place: &Place, tenant: &str, args: &[&str]) -> Self {
        let name = format!("drill `{}` on {}", args.join(" "), place.name());
        let mut child = Command::new(env!("CARGO_BIN_EXE_callgate-store-drill"))
            .arg(place.address())
            .arg(tenant)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{name}: the process starts: {error}"));
        let (stdin, stdin_lines) = mpsc::channel::<String>();
        if let Some(mut pipe) = child.stdin.take() {
            thread::spawn(move || {
                for line in stdin_lines {
                    if writeln!(pipe, "{line}")
                        .and_then(|()| pipe.flush())
                        .is_err()
                    {
                        return; // the process is gone
                    }
                }
            });
        }
        let (lines, stdout) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if lines.send(line).is_err() {
                        return;
                    }
                }
            });
        }
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let stderr = Arc::clone(&stderr);
            thread::spawn(move || {
                let mut buffer = [0; 4096];
                while let Ok(read @ 1..) = pipe.read(&mut buffer) {
                    let text = String::from_utf8_lossy(buffer.get(..read).unwrap_or_default());
                    lock(&stderr).push_str(&text);
                }
            });
        }
        Self {
            name,
            child,
            stdin: Some(stdin),
            stdout,
            stderr,
        }
    }

    /// Sends `line` to the process's stdin (without waiting for it to read).
    pub fn send(&self, line: &str) {
        if let Some(stdin) = &self.stdin {
            // A process that is gone shows when its answer is awaited.
            let _ = stdin.send(line.to_owned());
        }
    }

    /// Closes the process's stdin once the lines sent so far are written.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next stdout line; fails the test if none comes within `timeout`.
    #[track_caller]
    pub fn line(&self, timeout: Duration) -> String {
        match self.stdout.recv_timeout(timeout) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "{}: no line within {timeout:?}; stderr: {}",
                    self.name,
                    self.stderr()
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                // The process ended: give stderr a moment to be read.
                thread::sleep(Duration::from_millis(100));
                panic!("{}: stdout ended; stderr: {}", self.name, self.stderr())
            }
        }
    }

    /// The next stdout line, which must be `word N`: returns N.
    #[track_caller]
    pub fn number_after(&self, word: &str, timeout: Duration) -> u64 {
        let line = self.line(timeout);
        line.strip_prefix(word)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: expected `{word} N`, got `{line}`", self.name))
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What the process wrote on stderr so far.
    pub fn stderr(&self) -> String {
        lock(&self.stderr).clone()
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to end (killing it after `timeout`), then
    /// returns its status and what it printed.
    pub fn end(mut self, timeout: Duration) -> Ended {
        self.close_stdin();
        let start = Instant::now();
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if start.elapsed() < timeout => thread::sleep(Duration::from_millis(5)),
                _ => {
                    self.kill();
                    panic!(
                        "{}: did not end within {timeout:?}; stderr: {}",
                        self.name,
                        self.stderr()
                    )
                }
            }
        };
        // The readers end at the pipes' end: bounded, in case a grandchild
        // kept them open.
        let mut lines = Vec::new();
        while let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(10)) {
            lines.push(line);
        }
        thread::sleep(Duration::from_millis(20));
        Ended {
            status,
            lines,
            stderr: self.stderr(),
        }
    }

    /// Waits for the process to end with success; returns the stdout lines
    /// not read before.
    #[track_caller]
    pub fn succeed(self, timeout: Duration) -> Vec<String> {
        let name = self.name.clone();
        let ended = self.end(timeout);
        assert!(
            ended.status.success(),
            "{name}: {}; stderr: {}",
            ended.status,
            ended.stderr
        );
        ended.lines
    }
}

impl Drop for Drill {
    fn drop(&mut self) {
        self.close_stdin();
        self.kill();
    }
}

fn lock(text: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    text.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A number of changes from the environment variable `name`, or `default`.
pub fn count_from_env(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}=`{text}` is not a number")),
        Err(_) => default,
    }
}
