//! Relations inferred from names, types and keys.
//!
//! | columns (any case style, role prefixes such as `billing_` dropped) | rule |
//! |---|---|
//! | `email` next to `first_name` + `last_name` (or a person's `name`), and a `company` | e-mail from the names, at the company's domain |
//! | `username`, `login`, `handle` next to person names | user name from the names |
//! | `website`, `url`, `domain` next to a company | the company's domain |
//! | `slug` next to a `title` or `name` | the title's slug |
//! | two or more of `city`, `state`/`region`, `postal_code`/`zip`, `country`, `country_code`, `address` (+ `phone`) with the same prefix | one place |
//! | dates by stage: birth → created/start/order/rental/issue → shipped/approved → delivered/returned/due/paid/end → updated → deleted | each not before the one it follows |
//! | `hire_date` and `birth_date` | hired at least 18 years after birth |
//! | `total`/`amount`/`line_total`/`subtotal` with `quantity` and `unit_price` (`discount`, `tax`) | the product (minus discount, plus tax) |
//! | `duration`/`days`/`nights` with a start and an end date | end − start |
//! | a child's first event date and its parent's | child not before parent |
//! | a table with keys to A and to B, where B has a key to A | the two agree (FK diamond) |

use super::names::{role_prefix, snake, without_role};
use super::{Declared, Expr, IdentityForm, PlaceColumn, PlacePart, Rule, TimeUnit};
use crate::engine::{infer_kind, infer_one_of};
use crate::schema::{Column, DataType, Schema, Table};

/// The row-level rules inferred for `table`.
pub fn infer(table: &Table) -> Vec<Rule> {
    let cols: Vec<Info<'_>> = table.columns.iter().map(|c| Info::new(table, c)).collect();
    let mut rules = Vec::new();
    identity_rules(&cols, &mut rules);
    place_rules(&cols, &mut rules);
    let times = time_rules(&cols, &mut rules);
    arithmetic_rules(&cols, &mut rules);
    duration_rules(&cols, times, &mut rules);
    rules
}

/// Every rule inferred for `schema`: each table's row-level rules, then
/// child-after-parent dates and FK diamonds.
pub fn infer_schema(schema: &Schema) -> Vec<Declared> {
    let mut out = Vec::new();
    for table in &schema.tables {
        for rule in infer(table) {
            out.push(Declared {
                table: table.name.to_string(),
                rule,
            });
        }
        for rule in after_parent_rules(schema, table) {
            out.push(Declared {
                table: table.name.to_string(),
                rule,
            });
        }
    }
    for (table, column, via) in diamonds(schema) {
        out.push(Declared {
            table,
            rule: Rule::Consistent { column, via },
        });
    }
    out
}

/// What inference knows of one column.
struct Info<'a> {
    col: &'a Column,
    /// Normalised name without its role prefix.
    base: String,
    role: Option<&'static str>,
    kind: Option<&'a str>,
    /// Whether the column may be derived (not a key, no fixed values).
    free: bool,
}

impl<'a> Info<'a> {
    fn new(table: &'a Table, col: &'a Column) -> Info<'a> {
        let full = snake(&col.name);
        let role = role_prefix(&full);
        let base = without_role(&full).to_owned();
        let in_composite_fk = table.foreign_keys.iter().any(|fk| fk.columns.contains(&col.name));
        let in_composite_key = table.unique.iter().any(|k| k.contains(&col.name));
        let free = !col.primary_key
            && col.foreign_key.is_none()
            && !in_composite_fk
            && !in_composite_key
            && col.generator.is_none()
            && col.one_of.is_none()
            && col.pattern.is_none()
            && infer_one_of(col).is_none();
        let kind = col.kind.as_deref().or_else(|| infer_kind(table, col));
        Info {
            col,
            base,
            role,
            kind,
            free,
        }
    }

    fn name(&self) -> String {
        self.col.name.to_string()
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.base.split('_')
    }

    fn has_word(&self, words: &[&str]) -> bool {
        self.words().any(|w| words.contains(&w))
    }

    fn is_text(&self) -> bool {
        self.col.ty == DataType::Text
    }
}

fn identity_rules(cols: &[Info<'_>], rules: &mut Vec<Rule>) {
    let find = |kind: &str| cols.iter().find(|c| c.kind == Some(kind) && c.is_text());
    let first = find("first_name");
    let last = find("last_name");
    let full = find("name");
    let company = find("company");
    let person: Vec<String> = match (first, last, full) {
        (Some(f), Some(l), _) => vec![f.name(), l.name()],
        (_, _, Some(n)) => vec![n.name()],
        (Some(f), None, None) => vec![f.name()],
        _ => Vec::new(),
    };
    for c in cols.iter().filter(|c| c.free && c.is_text()) {
        let (form, from, domain_from) = match c.kind {
            Some("email") if !person.is_empty() || company.is_some() => {
                (IdentityForm::Email, person.clone(), company.map(Info::name))
            }
            Some("username") if !person.is_empty() => (IdentityForm::Username, person.clone(), None),
            Some("url")
                if company.is_some() && !c.has_word(&["avatar", "image", "photo", "picture", "logo"]) =>
            {
                (IdentityForm::Url, vec![], company.map(Info::name))
            }
            Some("domain") if company.is_some() => (IdentityForm::Domain, vec![], company.map(Info::name)),
            _ if c.base == "slug" || c.base.ends_with("_slug") => {
                let Some(title) = cols.iter().find(|t| {
                    t.is_text() && (t.base == "title" || t.base == "name" || t.base.ends_with("_name"))
                }) else {
                    continue;
                };
                (IdentityForm::Slug, vec![title.name()], None)
            }
            _ => continue,
        };
        // A website or domain comes from the company alone.
        let (from, domain_from) = match form {
            IdentityForm::Url | IdentityForm::Domain => (domain_from.into_iter().collect(), None),
            _ => (from, domain_from),
        };
        rules.push(Rule::Identity {
            column: c.name(),
            form,
            from,
            domain_from,
        });
    }
}

fn place_rules(cols: &[Info<'_>], rules: &mut Vec<Rule>) {
    let part_of = |c: &Info<'_>| -> Option<PlacePart> {
        Some(match c.kind? {
            "city" => PlacePart::City,
            "state" => PlacePart::Region,
            "postcode" => PlacePart::Postcode,
            "country" => PlacePart::Country,
            "country_code" => PlacePart::CountryCode,
            "address" => PlacePart::Address,
            "street_address" => PlacePart::Street,
            "phone" => PlacePart::Phone,
            _ => return None,
        })
    };
    let mut roles: Vec<Option<&str>> = Vec::new();
    for c in cols {
        if part_of(c).is_some() && !roles.contains(&c.role) {
            roles.push(c.role);
        }
    }
    for role in roles {
        // A unique column keeps its own values, and a part named twice
        // (two cities) is not one place: only its first column joins.
        let mut columns: Vec<PlaceColumn> = Vec::new();
        for c in cols
            .iter()
            .filter(|c| c.free && !c.col.unique && c.is_text() && c.role == role)
        {
            if let Some(part) = part_of(c)
                && !columns.iter().any(|p| p.part == part)
            {
                columns.push(PlaceColumn {
                    column: c.name(),
                    part,
                });
            }
        }
        let places = columns.iter().filter(|c| c.part != PlacePart::Phone).count();
        let has_country = columns
            .iter()
            .any(|c| matches!(c.part, PlacePart::Country | PlacePart::CountryCode));
        if !has_country {
            columns.retain(|c| c.part != PlacePart::Phone);
        }
        if places >= 2 || (places == 1 && has_country && columns.len() >= 2) {
            rules.push(Rule::Place { columns });
        }
    }
}

/// The stage of a date column in the life of a row, and the most days it
/// usually follows the stage before.
fn stage(c: &Info<'_>) -> Option<(u8, u32)> {
    if !matches!(c.col.ty, DataType::Date | DataType::DateTime) {
        return None;
    }
    const STAGES: &[(u8, u32, &[&str])] = &[
        (0, 0, &["birth", "dob", "born", "birthday", "birthdate"]),
        (5, 365, &["deleted", "archived", "removed"]),
        (4, 365, &["updated", "modified", "changed", "edited", "update"]),
        (
            2,
            7,
            &[
                "shipped",
                "ship",
                "dispatched",
                "sent",
                "approved",
                "confirmed",
                "accepted",
                "processed",
            ],
        ),
        (
            3,
            30,
            &[
                "delivered",
                "delivery",
                "received",
                "returned",
                "return",
                "due",
                "paid",
                "payment",
                "resolved",
                "completed",
                "closed",
                "end",
                "ended",
                "ends",
                "finish",
                "finished",
                "to",
                "until",
                "expires",
                "expiry",
                "expiration",
                "expired",
                "cancelled",
                "canceled",
                "checkout",
                "terminated",
                "left",
                "settled",
                "fulfilled",
            ],
        ),
        (
            1,
            0,
            &[
                "created",
                "create",
                "registered",
                "joined",
                "signup",
                "signed",
                "opened",
                "start",
                "started",
                "starts",
                "begin",
                "begins",
                "from",
                "issued",
                "issue",
                "placed",
                "ordered",
                "order",
                "booked",
                "booking",
                "rental",
                "rented",
                "purchase",
                "purchased",
                "requested",
                "submitted",
                "hire",
                "hired",
                "enrolled",
                "published",
                "posted",
                "scheduled",
                "checkin",
                "invoice",
                "invoiced",
                "reported",
                "opened",
                "since",
                "first",
            ],
        ),
    ];
    let compound = if c.base.contains("check_in") {
        Some((1, 0))
    } else if c.base.contains("check_out") {
        Some((3, 14))
    } else {
        None
    };
    let (stage, days) = compound.or_else(|| {
        STAGES
            .iter()
            .find(|(_, _, words)| c.has_word(words))
            .map(|(s, d, _)| (*s, *d))
    })?;
    let days = match stage {
        3 if c.has_word(&["delivered", "delivery", "received"]) => 14,
        3 if c.has_word(&["returned", "return"]) => 10,
        3 if c.has_word(&["resolved", "completed", "closed", "finished", "fulfilled"]) => 60,
        3 if c.has_word(&[
            "end",
            "ended",
            "ends",
            "to",
            "until",
            "expires",
            "expiry",
            "expiration",
            "expired",
        ]) =>
        {
            365
        }
        _ => days,
    };
    Some((stage, days))
}

/// The dated column where a row's life starts (its first event), with its stage.
fn root<'a>(cols: &'a [Info<'a>]) -> Option<(&'a Info<'a>, u8)> {
    cols.iter()
        .filter_map(|c| stage(c).map(|(s, _)| (c, s)))
        .filter(|(_, s)| *s >= 1)
        .min_by_key(|(_, s)| *s)
}

/// Time order rules; returns the (start, end) pair a duration can use.
fn time_rules(cols: &[Info<'_>], rules: &mut Vec<Rule>) -> Option<(String, String)> {
    let staged: Vec<(&Info<'_>, u8, u32)> = cols
        .iter()
        .filter_map(|c| stage(c).map(|(s, d)| (c, s, d)))
        .collect();
    let root = root(cols);
    let mut pair = None;
    for &(c, s, days) in &staged {
        if !c.free || s == 0 {
            continue;
        }
        let after = match s {
            4 => root.map(|(r, _)| r).filter(|r| r.col.name != c.col.name),
            5 => staged
                .iter()
                .find(|(_, t, _)| *t == 4)
                .map(|(r, _, _)| *r)
                .or(root.map(|(r, _)| r))
                .filter(|r| r.col.name != c.col.name),
            _ => staged
                .iter()
                .filter(|(_, t, _)| (1..s).contains(t))
                .max_by_key(|(_, t, _)| *t)
                .map(|(r, _, _)| *r),
        };
        if let Some(after) = after {
            if s == 3 && pair.is_none() {
                pair = Some((after.name(), c.name()));
            }
            rules.push(Rule::After {
                column: c.name(),
                after: after.name(),
                min_days: 0,
                max_days: days.max(1),
            });
        }
    }
    let birth = staged.iter().find(|(_, s, _)| *s == 0).map(|(c, _, _)| *c);
    if let Some(birth) = birth {
        for c in cols
            .iter()
            .filter(|c| c.free && c.has_word(&["hire", "hired", "employment", "joined"]))
        {
            if stage(c).is_some() {
                rules.retain(|r| r.target() != c.col.name);
                rules.push(Rule::After {
                    column: c.name(),
                    after: birth.name(),
                    min_days: 18 * 365 + 5,
                    max_days: 45 * 365,
                });
            }
        }
    }
    pair
}

fn arithmetic_rules(cols: &[Info<'_>], rules: &mut Vec<Rule>) {
    let numeric = |c: &&Info<'_>| c.col.ty.is_numeric() || (c.is_text() && c.kind.is_some_and(is_money));
    let quantity = cols
        .iter()
        .filter(numeric)
        .find(|c| c.has_word(&["quantity", "qty", "units"]) || c.base == "count");
    let price = cols.iter().filter(numeric).find(|c| {
        c.base.contains("unit_price")
            || c.base.contains("unit_cost")
            || c.base.contains("unit_amount")
            || matches!(
                c.base.as_str(),
                "price" | "rate" | "cost" | "sale_price" | "list_price"
            )
    });
    let (Some(q), Some(p)) = (quantity, price) else {
        return;
    };
    let find = |names: &[&str]| {
        cols.iter()
            .filter(numeric)
            .find(|c| c.free && names.contains(&c.base.as_str()))
    };
    let discount = find(&["discount", "discount_amount"]);
    let tax = find(&["tax", "tax_amount", "vat", "vat_amount"]);
    let subtotal = find(&["subtotal", "sub_total", "net", "net_amount", "line_subtotal"]);
    let total = find(&[
        "total",
        "amount",
        "line_total",
        "total_price",
        "total_amount",
        "extended_price",
        "line_amount",
        "gross",
        "gross_amount",
        "total_cost",
    ]);
    let column = |name: &Info<'_>| Box::new(Expr::Column(name.name()));
    let product = Expr::Mul(column(q), column(p));
    let adjust = |base: Expr| {
        let mut e = base;
        if let Some(d) = discount {
            e = Expr::Sub(Box::new(e), column(d));
        }
        if let Some(t) = tax {
            e = Expr::Add(Box::new(e), column(t));
        }
        e
    };
    match (subtotal, total) {
        (Some(s), Some(t)) => {
            rules.push(Rule::Derived {
                column: s.name(),
                expr: product,
            });
            rules.push(Rule::Derived {
                column: t.name(),
                expr: adjust(Expr::Column(s.name())),
            });
        }
        (Some(s), None) => rules.push(Rule::Derived {
            column: s.name(),
            expr: product,
        }),
        (None, Some(t)) => rules.push(Rule::Derived {
            column: t.name(),
            expr: adjust(product),
        }),
        (None, None) => {}
    }
}

fn is_money(kind: &str) -> bool {
    matches!(kind, "price" | "amount")
}

fn duration_rules(cols: &[Info<'_>], pair: Option<(String, String)>, rules: &mut Vec<Rule>) {
    let Some((start, end)) = pair else {
        return;
    };
    for c in cols.iter().filter(|c| c.free && c.col.ty.is_numeric()) {
        let unit = if c.has_word(&["days", "nights", "duration", "stay"]) {
            TimeUnit::Days
        } else if c.has_word(&["hours"]) {
            TimeUnit::Hours
        } else if c.has_word(&["minutes"]) {
            TimeUnit::Minutes
        } else {
            continue;
        };
        rules.push(Rule::Duration {
            column: c.name(),
            start: start.clone(),
            end: end.clone(),
            unit,
        });
        return;
    }
}

/// Child-after-parent rules for `table`: its first event date is not before
/// the first event date of each parent it references.
pub(crate) fn after_parent_rules(schema: &Schema, table: &Table) -> Vec<Rule> {
    let cols: Vec<Info<'_>> = table.columns.iter().map(|c| Info::new(table, c)).collect();
    let Some((child_root, s)) = root(&cols) else {
        return Vec::new();
    };
    if s > 3 || !child_root.free {
        return Vec::new();
    }
    let lines = ["item", "line", "detail", "entries", "entry"];
    let within = lines.iter().any(|w| table.name.to_ascii_lowercase().contains(w));
    let mut out = Vec::new();
    for fk in table.all_foreign_keys() {
        if fk.table == table.name {
            continue;
        }
        let Some(parent) = schema.table(&fk.table) else {
            continue;
        };
        let pcols: Vec<Info<'_>> = parent.columns.iter().map(|c| Info::new(parent, c)).collect();
        let Some((parent_root, ps)) = root(&pcols) else {
            continue;
        };
        if ps > 3 {
            continue;
        }
        let max_days = if within {
            1
        } else if child_root.has_word(&["paid", "payment"]) {
            30
        } else {
            365
        };
        out.push(Rule::AfterParent {
            column: child_root.name(),
            foreign_key: fk.columns.iter().map(ToString::to_string).collect(),
            parent: fk.table.to_string(),
            parent_column: parent_root.name(),
            max_days,
        });
    }
    out
}

/// FK diamonds: `(table, column, via)` where `table` has a key `column` to
/// B and a key `via` to A, and B has a key to A with the same columns of A:
/// the row's B must belong to the row's A. Keys that are unique (one-to-one)
/// or nullable in B's link are left out, as are self-references.
pub(crate) fn diamonds(schema: &Schema) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for table in &schema.tables {
        let fks = table.all_foreign_keys();
        let mut tied: Vec<usize> = Vec::new();
        for (k, key) in fks.iter().enumerate() {
            if key.table == table.name || key.columns.len() != 1 || tied.contains(&k) {
                continue;
            }
            let unique = table
                .column(&key.columns[0])
                .is_some_and(|c| c.is_unique_in(table));
            let Some(b) = schema.table(&key.table) else {
                continue;
            };
            if unique {
                continue;
            }
            for (v, via) in fks.iter().enumerate() {
                if v == k
                    || via.table == table.name
                    || via.table == key.table
                    || via.columns.len() != 1
                    || tied.contains(&v)
                {
                    continue;
                }
                let link = b
                    .all_foreign_keys()
                    .into_iter()
                    .find(|fk| fk.table == via.table && fk.references == via.references);
                let Some(link) = link else { continue };
                if b.is_optional(&link) {
                    continue;
                }
                tied.extend([k, v]);
                out.push((
                    table.name.to_string(),
                    key.columns[0].to_string(),
                    via.columns[0].to_string(),
                ));
                break;
            }
        }
    }
    out
}
