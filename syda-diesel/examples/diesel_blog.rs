//! Seeds the blog of `examples/diesel_blog/` (users, posts, comments, tags,
//! posts_tags): applies its migrations to a fresh database, reads its
//! `schema.rs`, and inserts related rows in one transaction.
//!
//! ```text
//! cargo run -p syda-diesel --example diesel_blog                      # SQLite file target/diesel_blog.sqlite
//! cargo run -p syda-diesel --example diesel_blog -- --database-url postgres://postgres@127.0.0.1/blog
//! cargo run -p syda-diesel --example diesel_blog -- --database-url mysql://root@127.0.0.1/blog --rows 500
//! ```
//!
//! The database's blog tables are dropped and recreated first (the
//! migration's `down.sql`, then `up.sql`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use diesel::connection::SimpleConnection;
use syda::engine::OfflineEngine;
use syda_diesel::{SeedConnection, SeedOptions, SeedReport, Sizes};

const USAGE: &str = "usage: diesel_blog [--database-url URL] [--rows N] [--seed N]
  URL: postgres://…, mysql://…, or an SQLite file (default target/diesel_blog.sqlite)
  N:   posts to create (default 50); users, comments, tags and links scale with it";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut url = "target/diesel_blog.sqlite".to_owned();
    let mut rows: u64 = 50;
    let mut seed: u64 = 42;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--database-url" => url = value()?,
            "--rows" => rows = value()?.parse().map_err(|e| format!("--rows: {e}"))?,
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/diesel_blog");
    let mut schema = syda_diesel::schema_from_file(dir.join("src/schema.rs")).map_err(|e| e.to_string())?;
    // The migrations declare these UNIQUE; schema.rs cannot say so.
    syda_diesel::mark_unique(
        &mut schema,
        ["users.username", "users.email", "posts.slug", "tags.name"],
    )
    .map_err(|e| e.to_string())?;
    let sizes = Sizes::new(rows)
        .size("users", (rows / 5).max(1))
        .size("comments", rows * 3)
        .size("tags", (rows / 5).clamp(1, 30))
        .size("posts_tags", rows * 2);
    let planner = sizes.planner(&schema).map_err(|e| e.to_string())?;
    let engine = OfflineEngine::new().with_seed(seed);
    let options = SeedOptions::new();

    let started = std::time::Instant::now();
    let report = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut conn = syda_diesel::establish::<diesel::PgConnection>(&url).map_err(|e| e.to_string())?;
        migrate(&mut conn, &dir.join("migrations/postgres"))?;
        syda_diesel::seed_planned(&mut conn, &planner, &engine, &options)
    } else if url.starts_with("mysql://") {
        let mut conn = syda_diesel::establish::<diesel::MysqlConnection>(&url).map_err(|e| e.to_string())?;
        migrate(&mut conn, &dir.join("migrations/mysql"))?;
        syda_diesel::seed_planned(&mut conn, &planner, &engine, &options)
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(&url);
        if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let mut conn = syda_diesel::establish::<diesel::SqliteConnection>(path).map_err(|e| e.to_string())?;
        conn.batch_execute("PRAGMA foreign_keys = ON")
            .map_err(|e| e.to_string())?;
        migrate(&mut conn, &dir.join("migrations/sqlite"))?;
        syda_diesel::seed_planned(&mut conn, &planner, &engine, &options)
    }
    .map_err(|e| e.to_string())?;
    print_report(&url, &report, started.elapsed());
    Ok(())
}

/// Applies every migration of `dir` fresh: each `down.sql` (newest first),
/// then each `up.sql` (oldest first).
fn migrate<C: SeedConnection>(conn: &mut C, dir: &Path) -> Result<(), String> {
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    migrations.sort();
    for (file, list) in [
        ("down.sql", migrations.iter().rev().collect::<Vec<_>>()),
        ("up.sql", migrations.iter().collect()),
    ] {
        for migration in list {
            let path = migration.join(file);
            let sql = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            conn.batch_execute(&sql)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn print_report(url: &str, report: &SeedReport, took: std::time::Duration) {
    println!("seeded {url} in {:.2?}:", took);
    for table in &report.tables {
        println!("  {:<12} {:>7} rows", table.table, table.rows);
    }
    println!(
        "  {} rows in {} INSERT statements, one transaction",
        report.total_rows(),
        report.statements
    );
}
