//! Ask a stored company who may do what:
//! `cargo run --example cli -- DOCUMENT COMMAND ARGS...`.
//!
//! `DOCUMENT` is a company stored as JSON (what `Company::to_document`
//! writes). The document names the catalog it was written with, and the
//! command line speaks that catalog's names: the standard catalog
//! (`examples/data/callcenter.json`, an outsourcing call center with two
//! clients) or the example product's, `acme-contact-center`
//! (`examples/product/mod.rs`; `examples/data/acme.json`). Everything on the
//! command line is a name, never an id:
//!
//! ```text
//! $ cargo run -q --example cli -- examples/data/callcenter.json check sara queues.manage "queue:Acme inbound"
//! allow
//! $ cargo run -q --example cli -- examples/data/callcenter.json check sara queues.view "queue:Globex sales"
//! deny (hidden by projects)
//! $ cargo run -q --example cli -- examples/data/acme.json check mike queues.pause "queue:Acme inbound"
//! allow
//! ```
//!
//! The exit status is the answer: 0 allowed (or answered), 1 denied, 2 bad
//! input (a usage error, an unknown name, a document that does not load),
//! with a message on standard error that names what is wrong.

#[path = "product/mod.rs"]
mod product;

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use callgate::{
    Catalog, Company, Decision, EntityKind, Error, ObjectId, PermissionFlags, Permissions,
    Resource, ResourceName, UserId, Word,
};
use product::AcmePermissions;
use serde_json::Value;

const USAGE: &str = "\
usage: cli DOCUMENT COMMAND [ARGS...]
       cli --help

Answers questions about a company stored as JSON (DOCUMENT), in the names
of the catalog the document was written with.

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
  KIND      a kind of object of the document's catalog:";

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
            let value = read(&document)?;
            let out = &mut io::stdout().lock();
            match catalog_of(&document, &value)? {
                Known::Standard => run(&load::<Permissions>(&document, &value)?, &command, out),
                Known::Acme => run(&load::<AcmePermissions>(&document, &value)?, &command, out),
            }
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

/// A question, parsed as far as it can be without the document: names
/// (permissions and kinds included, since the document says their catalog)
/// stay names until [`run`] looks them up.
#[derive(Debug)]
enum Command {
    Check(Question),
    Explain(Question),
    Matrix,
    WhoCan {
        action: String,
        resource: Option<ResourceName>,
    },
    Visible {
        user: String,
        kind: String,
    },
}

/// May `user` do `action` to `resource`?
#[derive(Debug)]
struct Question {
    user: String,
    action: String,
    resource: ResourceName,
}

/// The catalogs this program knows, by the name documents give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// The manual's call center, `standard`: the default.
    Standard,
    /// The example product, `acme-contact-center`.
    Acme,
}

impl Known {
    const ALL: [Self; 2] = [Self::Standard, Self::Acme];

    /// The catalog's stable name and its kinds.
    fn describe(self) -> (&'static str, Vec<&'static str>) {
        fn of<W: Word>(catalog: &Catalog<W>) -> (&'static str, Vec<&'static str>) {
            let kinds = catalog.kinds().iter().map(|kind| kind.name()).collect();
            (catalog.name(), kinds)
        }
        match self {
            Self::Standard => of(Permissions::catalog()),
            Self::Acme => of(AcmePermissions::catalog()),
        }
    }
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
    /// A kind name the document's catalog does not have, with the kinds it has.
    Kind { error: Error, expected: String },
    /// The document cannot be read.
    Read { path: PathBuf, error: io::Error },
    /// The document was written with a catalog this program does not know.
    Catalog { path: PathBuf, name: String },
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
            Self::Name(error @ Error::UnknownPermission { .. }) => {
                write!(f, "{error} (the `matrix` command lists every permission)")
            }
            Self::Name(error) => write!(f, "{error}"),
            Self::Kind { error, expected } => write!(f, "{error} (expected one of {expected})"),
            Self::Read { path, error } => write!(f, "cannot read `{}`: {error}", path.display()),
            Self::Catalog { path, name } => {
                let known: Vec<String> = Known::ALL
                    .iter()
                    .map(|known| format!("`{}`", known.describe().0))
                    .collect();
                write!(
                    f,
                    "cannot load `{}`: catalog: the document was written with catalog `{name}`, \
                     which this program does not know (it knows {})",
                    path.display(),
                    known.join(" and ")
                )
            }
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
    writeln!(out, "{USAGE}")?;
    // Each known catalog's kinds, five a line, under the `KIND` heading.
    for known in Known::ALL {
        let (name, kinds) = known.describe();
        writeln!(out, "            {name}:")?;
        let lines: Vec<String> = kinds.chunks(5).map(|line| line.join(", ")).collect();
        writeln!(out, "              {}", lines.join(",\n              "))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "The document names its catalog in `catalog.name`; without one, it is `standard`."
    )?;
    writeln!(
        out,
        "exit status: 0 allowed (or answered), 1 denied, 2 bad input"
    )
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
            action: action.to_owned(),
            resource: None,
        },
        ("who-can", &[action, resource]) => Command::WhoCan {
            action: action.to_owned(),
            resource: Some(parse_resource(resource)?),
        },
        ("visible", &[user, kind]) => Command::Visible {
            user: user.to_owned(),
            kind: kind.to_owned(),
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
            ));
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
        action: action.to_owned(),
        resource: parse_resource(resource)?,
    })
}

/// `company`, `project:NAME` or `KIND:NAME`, as the library reads it; the
/// kind and the name are looked up once the document says its catalog.
fn parse_resource(text: &str) -> Result<ResourceName, CliError> {
    text.parse()
        .map_err(|error: Error| usage(error.to_string()))
}

/// Reads the document as one JSON value, refusing anything after it.
fn read(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| CliError::Read {
        path: path.to_owned(),
        error,
    })?;
    serde_json::from_str(&text).map_err(|error| CliError::Load {
        path: path.to_owned(),
        error: Error::Document {
            path: "document".to_owned(),
            message: error.to_string(),
        },
    })
}

/// The catalog the document names: none (a format 1 document) or
/// `standard` is the standard catalog. A `catalog` that is not an object
/// with a name is left to the standard loader, which names the problem.
fn catalog_of(path: &Path, document: &Value) -> Result<Known, CliError> {
    let name = document
        .get("catalog")
        .and_then(|catalog| catalog.get("name"))
        .and_then(Value::as_str);
    let Some(name) = name else {
        return Ok(Known::Standard);
    };
    Known::ALL
        .into_iter()
        .find(|known| known.describe().0 == name)
        .ok_or_else(|| CliError::Catalog {
            path: path.to_owned(),
            name: name.to_owned(),
        })
}

/// Loads the document as a company of `P`'s catalog.
fn load<P: PermissionFlags>(path: &Path, document: &Value) -> Result<Company<P>, CliError> {
    Company::load_for(document).map_err(|error| CliError::Load {
        path: path.to_owned(),
        error,
    })
}

/// Answers `command` about `company` on `out`, in the names of its catalog.
fn run<P: PermissionFlags>(
    company: &Company<P>,
    command: &Command,
    out: &mut impl Write,
) -> Result<Outcome, CliError> {
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
            let action = parse_action::<P>(action)?;
            let users: Vec<UserId> = match resource {
                None => company.holders(action).collect(),
                Some(resource) => {
                    let resource = resolve_resource(company, resource)?;
                    company
                        .users()
                        .map(|(id, _)| id)
                        .filter(|&id| company.check(id, action, resource).is_allowed())
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
            let kind = parse_kind::<P>(kind)?;
            let mut objects: Vec<ObjectId> = company
                .visible_objects(user, kind)
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

/// Permission names joined by `|` or `,`, as `callgate::parse_permissions`
/// reads them; at least one.
fn parse_action<P: PermissionFlags>(text: &str) -> Result<P, CliError> {
    let action: P = callgate::parse_permissions(text).map_err(CliError::Name)?;
    if action.to_word() == P::Word::default() {
        return Err(usage(
            "ACTION is empty: name at least one permission, e.g. queues.view",
        ));
    }
    Ok(action)
}

/// A kind of `P`'s catalog, by its stable name.
fn parse_kind<P: PermissionFlags>(name: &str) -> Result<P::Kind, CliError> {
    callgate::parse_kind::<P>(name).map_err(|error| CliError::Kind {
        error,
        expected: kinds_of::<P>().collect::<Vec<_>>().join(", "),
    })
}

/// The stable names of `P`'s kinds.
fn kinds_of<P: PermissionFlags>() -> impl Iterator<Item = &'static str> {
    P::catalog().kinds().iter().map(|kind| kind.name())
}

fn resolve_question<P: PermissionFlags>(
    company: &Company<P>,
    question: &Question,
) -> Result<(UserId, P, Resource), CliError> {
    let action = parse_action::<P>(&question.action)?;
    Ok((
        resolve_user(company, &question.user)?,
        action,
        resolve_resource(company, &question.resource)?,
    ))
}

fn resolve_user<P: PermissionFlags>(company: &Company<P>, name: &str) -> Result<UserId, CliError> {
    company.user_by_name(name).ok_or_else(|| {
        CliError::Name(Error::UnknownName {
            kind: EntityKind::User,
            name: name.to_owned(),
        })
    })
}

/// The resource a name names in the document, by the library's look-up; an
/// unknown kind also lists the kinds the catalog has.
fn resolve_resource<P: PermissionFlags>(
    company: &Company<P>,
    resource: &ResourceName,
) -> Result<Resource, CliError> {
    company.resource(resource).map_err(|error| match error {
        Error::UnknownObjectKind { .. } => CliError::Kind {
            error,
            expected: kinds_of::<P>().collect::<Vec<_>>().join(", "),
        },
        error => CliError::Name(error),
    })
}
