//! `#[derive(Synthetic)]` for syda. Use it through `syda::Synthetic`; the
//! attribute syntax is documented on the re-export.

#![warn(clippy::unwrap_used)]

mod ast;
mod attr;
mod case;
mod ctxt;
mod doc;
mod expand;
mod ty;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `syda::Synthetic`: a `const TABLE` describing the struct as one
/// table. See `syda::Synthetic` for the attributes.
#[proc_macro_derive(Synthetic, attributes(synthetic))]
pub fn derive_synthetic(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input)
        .unwrap_or_else(|err| {
            let mut out = err.into_compile_error();
            out.extend(expand::fallback(&input));
            out
        })
        .into()
}
