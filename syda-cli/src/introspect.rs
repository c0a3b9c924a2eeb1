//! `syda introspect`: a live database's schema as a YAML schema file on stdout.

use syda::db::IntrospectOptions;

use crate::cli::{DatabaseArgs, IntrospectArgs};

pub(crate) fn run(args: &IntrospectArgs) -> anyhow::Result<()> {
    let found = syda::db::blocking::introspect_with_notes(&args.db.database_url, &options(&args.db))?;
    // What the database fills itself is said in the file and on stderr.
    for note in &found.notes {
        println!("# {note}");
        eprintln!("note: {note}");
    }
    print!("{}", found.schema.to_yaml());
    Ok(())
}

pub(crate) fn options(args: &DatabaseArgs) -> IntrospectOptions {
    IntrospectOptions {
        schema: args.schema.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
    }
}
