//! Seeds the bakery schema of SeaORM's tutorial through SeaORM.
//!
//! Run with: `cargo run -p syda-seaorm --example seaorm_bakery`
//! (an SQLite file `bakery.sqlite` in the current directory), or point it at
//! another database with `--database-url URL` or `DATABASE_URL`:
//!
//! ```text
//! cargo run -p syda-seaorm --example seaorm_bakery -- --database-url postgres://postgres@127.0.0.1/bakery
//! cargo run -p syda-seaorm --example seaorm_bakery -- --database-url mysql://root@127.0.0.1/bakery --rows 50
//! ```
//!
//! The tables are dropped and created again (a fresh migration), then seeded
//! in one transaction; the example prints how many rows each table holds.

mod entities;

use std::process::ExitCode;

use entities::{baker, bakery, cake, cakes_bakers, customer, lineitem, order};
use sea_orm::{Database, DatabaseConnection, EntityTrait, PaginatorTrait};
use syda::engine::OfflineEngine;
use syda::plan::FanOut;
use syda_seaorm::Seeder;

struct Options {
    database_url: String,
    rows: u64,
    seed: u64,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        database_url: std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "sqlite://bakery.sqlite?mode=rwc".into()),
        rows: 10,
        seed: 42,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--database-url" => options.database_url = value("--database-url")?,
            "--rows" => {
                options.rows = value("--rows")?
                    .parse()
                    .map_err(|_| "--rows takes a whole number".to_owned())?;
            }
            "--seed" => {
                options.seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed takes a whole number".to_owned())?;
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; use --database-url URL, --rows N, --seed S"
                ));
            }
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let options = options()?;
    let db = Database::connect(&options.database_url).await?;
    entities::migrate_fresh(&db).await?;

    let entities = entities::entities();
    let n = options.rows;
    let report = Seeder::new(&entities)
        .rows(n)
        .sizes([
            ("bakery", n.div_ceil(5)),
            ("cake", n * 2),
            ("cakes_bakers", n * 3),
        ])
        .plan(|plan| plan.fan_out("lineitem", "order_id", FanOut::PerParent { min: 1, max: 4 }))
        .run(&db, &OfflineEngine::new().with_seed(options.seed))
        .await?;
    println!(
        "seeded {} rows into {}",
        report.total_rows(),
        options.database_url
    );

    println!("{:<14} {:>6}", "table", "rows");
    for (table, rows) in counts(&db).await? {
        println!("{table:<14} {rows:>6}");
    }
    Ok(())
}

async fn counts(db: &DatabaseConnection) -> Result<Vec<(&'static str, u64)>, sea_orm::DbErr> {
    Ok(vec![
        ("bakery", bakery::Entity::find().count(db).await?),
        ("baker", baker::Entity::find().count(db).await?),
        ("cake", cake::Entity::find().count(db).await?),
        ("cakes_bakers", cakes_bakers::Entity::find().count(db).await?),
        ("customer", customer::Entity::find().count(db).await?),
        ("order", order::Entity::find().count(db).await?),
        ("lineitem", lineitem::Entity::find().count(db).await?),
    ])
}
