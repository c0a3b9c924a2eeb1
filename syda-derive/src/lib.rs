//! `#[derive(Synthetic)]` for syda. Use it through `syda::Synthetic`.

#![warn(clippy::unwrap_used)]

use proc_macro::TokenStream;

/// Derives `syda::Synthetic` (work in progress).
#[proc_macro_derive(Synthetic, attributes(synthetic))]
pub fn derive_synthetic(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
