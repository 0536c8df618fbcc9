//! Ask a stored company who may do what:
//! `cargo run --example cli -- DOCUMENT COMMAND ARGS...`.
//!
//! `DOCUMENT` is a company stored as JSON (what `Company::to_document`
//! writes); `examples/data/callcenter.json` is a sample, an outsourcing call
//! center with two clients. Everything on the command line is a name, never
//! an id:
//!
//! ```text
//! $ cargo run -q --example cli -- examples/data/callcenter.json check sara queues.manage "queue:Acme inbound"
//! allow
//! $ cargo run -q --example cli -- examples/data/callcenter.json check sara queues.view "queue:Globex sales"
//! deny (hidden by projects)
//! ```
//!
//! The exit status is the answer: 0 allowed (or answered), 1 denied, 2 bad
//! input (a usage error, an unknown name, a document that does not load),
//! with a message on standard error that names what is wrong.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callgate::{
    Company, Decision, EntityKind, Error, ObjectId, ObjectKind, Permissions, Resource, UserId,
};

const USAGE: &str = "\
usage: cli DOCUMENT COMMAND [ARGS...]
       cli --help

Answers questions about a company stored as JSON (DOCUMENT).

commands:
  check USER ACTION RESOURCE    allow, or deny with the reason
  explain USER ACTION RESOURCE  the same, with the roles and projects behind it
  matrix                        the role x permission table
  who-can ACTION [RESOURCE]     the users who may do ACTION (on RESOURCE)
  visible USER KIND             the objects of KIND the user can see

arguments:
  USER      a user name, e.g. sara
  ACTION    permission names joined by | or , e.g. queues.view
  RESOURCE  company, project:NAME or KIND:NAME, e.g. \"queue:Acme inbound\"
  KIND      ";

/// The exit status for bad input: usage errors, unknown names, bad documents.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let result = parse_args(&args).and_then(|parsed| match parsed {
        Parsed::Help => {
            write_usage(&mut io::stdout().lock()).map_err(CliError::Output)?;
            Ok(Outcome::Answered)
        }
        Parsed::Run { document, command } => {
            let company = load(&document)?;
            run(&company, &command, &mut io::stdout().lock())
        }
    });
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            // Nothing more can be done if standard error is gone.
            let _ = report(&error, &mut io::stderr().lock());
            ExitCode::from(BAD_INPUT)
        }
    }
}

/// What the command line asks for.
#[derive(Debug)]
enum Parsed {
    /// `--help` (or `-h`) anywhere.
    Help,
    /// A question about a document.
    Run { document: PathBuf, command: Command },
}

/// A question, parsed as far as it can be without the document: names stay
/// names until [`run`] looks them up.
#[derive(Debug)]
enum Command {
    Check(Question),
    Explain(Question),
    Matrix,
    WhoCan {
        action: Permissions,
        resource: Option<ResourceName>,
    },
    Visible {
        user: String,
        kind: ObjectKind,
    },
}

/// May `user` do `action` to `resource`?
#[derive(Debug)]
struct Question {
    user: String,
    action: Permissions,
    resource: ResourceName,
}

/// A resource by name: `company`, `project:NAME` or `KIND:NAME`.
#[derive(Debug)]
enum ResourceName {
    Company,
    Project(String),
    Object(ObjectKind, String),
}

/// How a question was answered, and so the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// A check that allowed: exit 0.
    Allowed,
    /// A check that denied: exit 1.
    Denied,
    /// A listing: exit 0.
    Answered,
}

impl Outcome {
    fn exit_code(self) -> ExitCode {
        match self {
            Self::Allowed | Self::Answered => ExitCode::SUCCESS,
            Self::Denied => ExitCode::FAILURE,
        }
    }
}

impl From<Decision> for Outcome {
    fn from(decision: Decision) -> Self {
        if decision.is_allowed() {
            Self::Allowed
        } else {
            Self::Denied
        }
    }
}

/// Why there is no answer. Every variant exits with status 2.
#[derive(Debug)]
enum CliError {
    /// No arguments at all: the usage text is the message.
    NoArguments,
    /// A command line of the wrong shape.
    Usage(String),
    /// A name the catalog or the document does not know, as the library
    /// words it (`` unknown permission `queue.fly` ``, `` unknown user `bob` ``).
    Name(Error),
    /// An object name that no object of the kind has.
    UnknownObject { kind: ObjectKind, name: String },
    /// The document cannot be read.
    Read { path: PathBuf, error: io::Error },
    /// The document does not load; the library's error names the place.
    Load { path: PathBuf, error: Error },
    /// The answer cannot be written.
    Output(io::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoArguments => f.write_str("missing DOCUMENT and COMMAND"),
            Self::Usage(message) => f.write_str(message),
            Self::Name(error @ Error::UnknownObjectKind { .. }) => {
                write!(f, "{error} (expected one of {})", kind_names())
            }
            Self::Name(error @ Error::UnknownPermission { .. }) => {
                write!(f, "{error} (the `matrix` command lists every permission)")
            }
            Self::Name(error) => write!(f, "{error}"),
            Self::UnknownObject { kind, name } => write!(f, "unknown {} `{name}`", kind.label()),
            Self::Read { path, error } => write!(f, "cannot read `{}`: {error}", path.display()),
            Self::Load { path, error } => write!(f, "cannot load `{}`: {error}", path.display()),
            Self::Output(error) => write!(f, "cannot write the answer: {error}"),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(error: io::Error) -> Self {
        Self::Output(error)
    }
}

/// Writes `error: ...` and, for command-line mistakes, where to find help.
fn report(error: &CliError, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "error: {error}")?;
    match error {
        CliError::NoArguments => {
            writeln!(out)?;
            write_usage(out)
        }
        CliError::Usage(_) => writeln!(out, "run with --help for usage"),
        _ => Ok(()),
    }
}

fn write_usage(out: &mut impl Write) -> io::Result<()> {
    // The nine kinds, five a line under the `KIND` heading.
    let kinds: Vec<String> = ObjectKind::ALL
        .chunks(5)
        .map(|line| {
            line.iter()
                .map(|kind| kind.name())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    writeln!(out, "{USAGE}{}", kinds.join(",\n            "))?;
    writeln!(out)?;
    writeln!(
        out,
        "exit status: 0 allowed (or answered), 1 denied, 2 bad input"
    )
}

/// The nine kind names, comma-separated.
fn kind_names() -> String {
    ObjectKind::ALL.map(ObjectKind::name).join(", ")
}

fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

/// Parses the arguments after the program name.
fn parse_args(args: &[OsString]) -> Result<Parsed, CliError> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        return Ok(Parsed::Help);
    }
    let Some((document, rest)) = args.split_first() else {
        return Err(CliError::NoArguments);
    };
    let rest = rest
        .iter()
        .map(|arg| {
            arg.to_str().ok_or_else(|| {
                usage(format!(
                    "argument `{}` is not valid UTF-8",
                    arg.to_string_lossy()
                ))
            })
        })
        .collect::<Result<Vec<&str>, CliError>>()?;
    let Some((&name, args)) = rest.split_first() else {
        return Err(usage("missing COMMAND after DOCUMENT"));
    };
    let command = match (name, args) {
        ("check", &[user, action, resource]) => Command::Check(question(user, action, resource)?),
        ("explain", &[user, action, resource]) => {
            Command::Explain(question(user, action, resource)?)
        }
        ("matrix", &[]) => Command::Matrix,
        ("who-can", &[action]) => Command::WhoCan {
            action: parse_action(action)?,
            resource: None,
        },
        ("who-can", &[action, resource]) => Command::WhoCan {
            action: parse_action(action)?,
            resource: Some(parse_resource(resource)?),
        },
        ("visible", &[user, kind]) => Command::Visible {
            user: user.to_owned(),
            kind: kind.parse().map_err(CliError::Name)?,
        },
        _ => return Err(wrong_arguments(name, args.len())),
    };
    Ok(Parsed::Run {
        document: PathBuf::from(document),
        command,
    })
}

/// The error for a known command with the wrong number of arguments, or an
/// unknown command.
fn wrong_arguments(command: &str, given: usize) -> CliError {
    let takes = match command {
        "check" | "explain" => "USER ACTION RESOURCE",
        "matrix" => "no arguments",
        "who-can" => "ACTION [RESOURCE]",
        "visible" => "USER KIND",
        _ => {
            return usage(format!(
                "unknown command `{command}` (expected check, explain, matrix, who-can or visible)"
            ))
        }
    };
    usage(format!(
        "`{command}` takes {takes}, but {given} argument{} given",
        if given == 1 { " was" } else { "s were" }
    ))
}

fn question(user: &str, action: &str, resource: &str) -> Result<Question, CliError> {
    Ok(Question {
        user: user.to_owned(),
        action: parse_action(action)?,
        resource: parse_resource(resource)?,
    })
}

/// Permission names joined by `|` or `,`, as `Permissions::from_str` reads
/// them; at least one.
fn parse_action(text: &str) -> Result<Permissions, CliError> {
    let action: Permissions = text.parse().map_err(CliError::Name)?;
    if action.is_empty() {
        return Err(usage(
            "ACTION is empty: name at least one permission, e.g. queues.view",
        ));
    }
    Ok(action)
}

/// `company`, `project:NAME` or `KIND:NAME`.
fn parse_resource(text: &str) -> Result<ResourceName, CliError> {
    if text == "company" {
        return Ok(ResourceName::Company);
    }
    let Some((prefix, name)) = text.split_once(':') else {
        return Err(usage(format!(
            "bad RESOURCE `{text}`: expected company, project:NAME or KIND:NAME"
        )));
    };
    if prefix == "project" {
        return Ok(ResourceName::Project(name.to_owned()));
    }
    let kind = prefix.parse().map_err(CliError::Name)?;
    Ok(ResourceName::Object(kind, name.to_owned()))
}

/// Reads and loads the document, refusing anything after the JSON value.
fn load(path: &Path) -> Result<Company, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| CliError::Read {
        path: path.to_owned(),
        error,
    })?;
    let load_error = |error| CliError::Load {
        path: path.to_owned(),
        error,
    };
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let company = Company::load(&mut deserializer).map_err(load_error)?;
    deserializer.end().map_err(|error| {
        load_error(Error::Document {
            path: "document".to_owned(),
            message: error.to_string(),
        })
    })?;
    Ok(company)
}

/// Answers `command` about `company` on `out`.
fn run(company: &Company, command: &Command, out: &mut impl Write) -> Result<Outcome, CliError> {
    match command {
        Command::Check(question) => {
            let (user, action, resource) = resolve_question(company, question)?;
            let decision = company.check(user, action, resource);
            writeln!(out, "{decision}")?;
            Ok(decision.into())
        }
        Command::Explain(question) => {
            let (user, action, resource) = resolve_question(company, question)?;
            let explanation = company.explain(user, action, resource);
            writeln!(out, "{explanation}")?;
            Ok(explanation.decision().into())
        }
        Command::Matrix => {
            write!(out, "{}", company.matrix())?;
            Ok(Outcome::Answered)
        }
        Command::WhoCan { action, resource } => {
            let users: Vec<UserId> = match resource {
                None => company.holders(*action).collect(),
                Some(resource) => {
                    let resource = resolve_resource(company, resource)?;
                    company
                        .users()
                        .map(|(id, _)| id)
                        .filter(|&id| company.check(id, *action, resource).is_allowed())
                        .collect()
                }
            };
            for user in users.into_iter().filter_map(|id| company.user(id)) {
                writeln!(out, "{}", user.name())?;
            }
            Ok(Outcome::Answered)
        }
        Command::Visible { user, kind } => {
            let user = resolve_user(company, user)?;
            let mut objects: Vec<ObjectId> = company
                .visible_objects(user, *kind)
                .map_err(CliError::Name)?
                .collect();
            objects.sort_unstable();
            for object in objects.into_iter().filter_map(|id| company.object(id)) {
                writeln!(out, "{}", object.name())?;
            }
            Ok(Outcome::Answered)
        }
    }
}

fn resolve_question(
    company: &Company,
    question: &Question,
) -> Result<(UserId, Permissions, Resource), CliError> {
    Ok((
        resolve_user(company, &question.user)?,
        question.action,
        resolve_resource(company, &question.resource)?,
    ))
}

fn resolve_user(company: &Company, name: &str) -> Result<UserId, CliError> {
    company.user_by_name(name).ok_or_else(|| {
        CliError::Name(Error::UnknownName {
            kind: EntityKind::User,
            name: name.to_owned(),
        })
    })
}

fn resolve_resource(company: &Company, resource: &ResourceName) -> Result<Resource, CliError> {
    match resource {
        ResourceName::Company => Ok(Resource::Company),
        ResourceName::Project(name) => company
            .project_by_name(name)
            .map(Resource::Project)
            .ok_or_else(|| {
                CliError::Name(Error::UnknownName {
                    kind: EntityKind::Project,
                    name: name.clone(),
                })
            }),
        ResourceName::Object(kind, name) => company
            .object_by_name(*kind, name)
            .map(Resource::Object)
            .ok_or_else(|| CliError::UnknownObject {
                kind: *kind,
                name: name.clone(),
            }),
    }
}
