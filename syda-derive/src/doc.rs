//! Doc comments: `///` lines become table and column docs.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The text of the `#[doc]` attributes (what `///` and `/** */` expand to):
/// one leading space stripped from each line, trailing spaces and leading
/// and trailing blank lines removed, lines joined with `\n` — the text a YAML
/// `|-` block holds. `None` when there is no non-blank doc.
pub(crate) fn collect(attrs: &[Attribute]) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for attr in attrs {
        let Meta::NameValue(nv) = &attr.meta else { continue };
        if !nv.path.is_ident("doc") {
            continue;
        }
        let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value else {
            continue;
        };
        for line in s.value().split('\n') {
            let line = line.strip_prefix(' ').unwrap_or(line);
            lines.push(line.trim_end().to_owned());
        }
    }
    let first = lines.iter().position(|l| !l.is_empty())?;
    let last = lines.iter().rposition(|l| !l.is_empty())?;
    Some(lines[first..=last].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn doc_of(item: syn::ItemStruct) -> Option<String> {
        collect(&item.attrs)
    }

    #[test]
    fn line_comments_are_joined_with_newlines_and_lose_one_leading_space() {
        let item: syn::ItemStruct = parse_quote! {
            /// First line.
            ///   Indented line.
            struct S;
        };
        assert_eq!(doc_of(item).as_deref(), Some("First line.\n  Indented line."));
    }

    #[test]
    fn blank_lines_around_the_text_are_trimmed_but_inner_ones_kept() {
        let item: syn::ItemStruct = parse_quote! {
            ///
            /// Para one.
            ///
            /// Para two.
            ///
            struct S;
        };
        assert_eq!(doc_of(item).as_deref(), Some("Para one.\n\nPara two."));
    }

    #[test]
    fn block_comments_are_split_into_lines() {
        let item: syn::ItemStruct = parse_quote! {
            #[doc = "\n Block one.\n Block two.\n"]
            struct S;
        };
        assert_eq!(doc_of(item).as_deref(), Some("Block one.\nBlock two."));
    }

    #[test]
    fn no_doc_or_only_blank_doc_is_none() {
        let item: syn::ItemStruct = parse_quote! {
            ///
            #[derive(Debug)]
            struct S;
        };
        assert_eq!(doc_of(item), None);
    }
}
