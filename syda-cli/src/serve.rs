//! `syda serve`: the REST service (crate `syda-server`), or `--create-key`
//! to make an API key and print it once.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) bind: String,
    /// PostgreSQL URL; default: the DATABASE_URL variable, else the SQLite file.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// SQLite file used when no PostgreSQL URL is given (created if missing).
    #[arg(long, value_name = "PATH", default_value = "syda-server.db")]
    pub(crate) sqlite: PathBuf,
    /// Largest request body, uploads included, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub(crate) max_body_bytes: usize,
    /// Most rows one request may generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) max_rows: u64,
    /// Requests over this many rows run as background jobs.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) job_threshold: u64,
    /// Create an API key, print it once and exit (instead of serving).
    #[arg(long)]
    pub(crate) create_key: bool,
    /// With --create-key: a project the key may use; repeatable.
    #[arg(long = "project", value_name = "NAME", requires = "create_key")]
    pub(crate) projects: Vec<String>,
    /// With --create-key: an admin key (every project, may create keys).
    #[arg(long, requires = "create_key")]
    pub(crate) admin: bool,
}

pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let config = syda_server::Config {
        database_url: args
            .database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty())),
        sqlite_path: args.sqlite.clone(),
        max_body_bytes: args.max_body_bytes,
        max_rows: args.max_rows,
        job_threshold_rows: args.job_threshold,
        ..syda_server::Config::default()
    };
    if args.create_key {
        if args.projects.is_empty() && !args.admin {
            bail!("--create-key needs --project NAME (repeatable) or --admin");
        }
        let key = syda_server::create_key_blocking(config, &args.projects, args.admin)?;
        eprintln!(
            "created key {} for {}; it is shown once:",
            key.id,
            if args.admin {
                "every project (admin)".to_owned()
            } else {
                args.projects.join(", ")
            }
        );
        println!("{}", key.token);
        return Ok(ExitCode::SUCCESS);
    }
    syda_server::run_blocking(config, &args.bind)?;
    Ok(ExitCode::SUCCESS)
}
