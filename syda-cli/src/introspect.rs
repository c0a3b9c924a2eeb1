//! `syda introspect`: a live database's schema as a YAML schema file on stdout.

use syda::db::IntrospectOptions;

use crate::cli::{DatabaseArgs, IntrospectArgs};

pub(crate) fn run(args: &IntrospectArgs) -> anyhow::Result<()> {
    let schema = syda::db::blocking::introspect(&args.db.database_url, &options(&args.db))?;
    print!("{}", schema.to_yaml());
    Ok(())
}

pub(crate) fn options(args: &DatabaseArgs) -> IntrospectOptions {
    IntrospectOptions {
        schema: args.schema.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
    }
}
