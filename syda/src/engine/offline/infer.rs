//! Semantic kind inference: from a column's name, doc and type to a kind.
//!
//! Pure functions, no state: the same column always infers the same kind.

use crate::schema::{Column, DataType, Table};

/// The semantic kind the offline engine gives a column that declares none,
/// from its name, doc and type (and, for `name`, the table it is in).
///
/// Returns a name from [`crate::schema::KINDS`] or one of the engine's extra
/// kinds ([`super::values::ENGINE_KINDS`]: `product_name`, `category`,
/// `salary`, `budget`, `date`, `datetime`, `uuid`), or `None` when nothing
/// fits (the column then gets its type's default values). Foreign-key
/// columns and booleans never get a kind.
///
/// ```
/// use syda::{Column, DataType, Table};
/// use syda::engine::infer_kind;
///
/// let customers = Table::new("customers");
/// let col = Column::new("contact_email", DataType::Text);
/// assert_eq!(infer_kind(&customers, &col), Some("email"));
/// // A `name` in a customers table is a company, in a patients table a person.
/// let name = Column::new("name", DataType::Text);
/// assert_eq!(infer_kind(&customers, &name), Some("company"));
/// assert_eq!(infer_kind(&Table::new("patients"), &name), Some("name"));
/// ```
pub fn infer_kind(table: &Table, column: &Column) -> Option<&'static str> {
    if column.foreign_key.is_some() {
        return None;
    }
    // `BillingPostalCode`, `billing-postal-code`, `BILLING_POSTAL_CODE` all
    // read as `postal_code`: case styles and role prefixes are normalised.
    let snake = crate::relation::names::snake(&column.name);
    let name = crate::relation::names::without_role(&snake).to_owned();
    let tokens: Vec<&str> = name.split('_').filter(|t| !t.is_empty()).collect();
    let doc = column.doc.as_deref().unwrap_or("").to_ascii_lowercase();
    let words = Words {
        name: &name,
        tokens: &tokens,
    };
    match column.ty {
        DataType::Boolean | DataType::Json | DataType::Time | DataType::Uuid => None,
        DataType::Date | DataType::DateTime => words.is_birth().then_some("birth_date"),
        DataType::Integer => integer_kind(table, &words),
        DataType::Float | DataType::Decimal => number_kind(table, &words),
        DataType::Text => text_kind(table, &words, &doc),
    }
}

/// The range a numeric column's name suggests (what the offline engine
/// draws from when the column declares none), or `None` when the name
/// says nothing. Used by [`crate::realism`] to judge any data.
pub fn plausible_range(table: &Table, column: &Column) -> Option<(f64, f64)> {
    let kind = column.kind.as_deref().or_else(|| infer_kind(table, column))?;
    match super::values::kind_spec(kind)? {
        super::values::KindSpec::Number { lo, hi, .. } => Some((lo, hi)),
        _ => None,
    }
}

struct Words<'a> {
    name: &'a str,
    tokens: &'a [&'a str],
}

impl Words<'_> {
    fn has(&self, token: &str) -> bool {
        self.tokens.contains(&token)
    }

    fn any(&self, tokens: &[&str]) -> bool {
        tokens.iter().any(|t| self.has(t))
    }

    fn contains(&self, part: &str) -> bool {
        self.name.contains(part)
    }

    fn last(&self) -> &str {
        self.tokens.last().copied().unwrap_or("")
    }

    fn is_birth(&self) -> bool {
        self.any(&["dob", "birthday", "birthdate", "born"]) || self.contains("birth")
    }
}

const MONEY: &[&str] = &[
    "price", "amount", "cost", "total", "subtotal", "fee", "fees", "balance", "revenue", "payment", "tax",
    "income", "spend", "spent", "paid", "charge",
];

fn money_kind(table: &Table, w: &Words<'_>) -> Option<&'static str> {
    if w.any(&["salary", "wage", "wages", "compensation", "pay"]) {
        Some("salary")
    } else if w.any(&["budget", "funding", "capital"]) {
        Some("budget")
    } else if w.any(&["discount", "rebate"]) {
        Some("discount")
    } else if w.any(&["fee", "fees", "charge", "surcharge", "shipping"]) {
        Some("fee")
    } else if w.has("rate") && !w.any(&["tax", "interest", "exchange", "conversion"]) {
        // A rental or hourly rate: a small price.
        Some("small_price")
    } else if w.any(&["price", "cost", "msrp"]) {
        Some("price")
    } else if w.any(&["amount", "paid"]) && is_table(table, &["payment", "rental", "transaction"]) {
        Some("small_price")
    } else if w.any(MONEY) {
        Some("amount")
    } else {
        None
    }
}

fn integer_kind(table: &Table, w: &Words<'_>) -> Option<&'static str> {
    let first = w.tokens.first().copied().unwrap_or("");
    if w.has("age") {
        Some("age")
    } else if w.any(&[
        "active", "enabled", "disabled", "deleted", "verified", "flag", "visible", "archived",
    ]) || matches!(first, "is" | "has" | "can" | "allow" | "allows")
    {
        Some("flag")
    } else if w.any(&["quantity", "qty", "units"]) {
        Some("quantity")
    } else if w.any(&["stock", "inventory", "available", "capacity", "seats"]) {
        Some("stock")
    } else if w.any(&["count", "views", "likes", "visits", "clicks", "number", "num"]) {
        Some("count")
    } else if w.any(&["year", "yr"]) {
        Some("year")
    } else if w.any(&["days", "nights", "duration"]) {
        Some("days")
    } else if w.any(&["length", "minutes", "runtime", "mins"]) {
        Some("minutes")
    } else if w.any(&["hours", "hrs"]) {
        Some("hours")
    } else if w.any(&["milliseconds", "ms", "millis"]) {
        Some("milliseconds")
    } else if w.any(&["bytes", "filesize"]) || w.contains("file_size") {
        Some("bytes")
    } else if w.any(&["rating", "stars"]) {
        Some("rating")
    } else if w.any(&["score", "points"]) {
        Some("score")
    } else if w.any(&["percent", "percentage", "pct"]) {
        Some("percentage")
    } else if w.any(&[
        "kind", "type", "status", "level", "priority", "tier", "stage", "grade", "code", "category",
    ]) {
        Some("code")
    } else if w.any(&["cents", "id"]) {
        None
    } else {
        money_kind(table, w)
    }
}

fn number_kind(table: &Table, w: &Words<'_>) -> Option<&'static str> {
    if w.any(&["lat", "latitude"]) {
        Some("latitude")
    } else if w.any(&["lng", "lon", "long", "longitude"]) {
        Some("longitude")
    } else if w.any(&["percent", "percentage", "pct"]) {
        Some("percentage")
    } else if w.has("age") {
        Some("age")
    } else if w.any(&["quantity", "qty"]) {
        Some("quantity")
    } else if w.any(&["rating", "stars"]) {
        Some("rating")
    } else {
        money_kind(table, w)
    }
}

const PERSON_TABLES: &[&str] = &[
    "user",
    "person",
    "people",
    "patient",
    "employee",
    "member",
    "author",
    "contact",
    "student",
    "staff",
    "doctor",
    "teacher",
    "physician",
    "nurse",
    "driver",
    "passenger",
    "guest",
    "player",
    "applicant",
    "candidate",
    "owner",
    "manager",
    "agent",
    "subscriber",
];
const COMPANY_TABLES: &[&str] = &[
    "customer",
    "compan",
    "client",
    "vendor",
    "supplier",
    "organization",
    "organisation",
    "account",
    "partner",
    "business",
    "tenant",
    "firm",
    "employer",
    "manufacturer",
    "brand",
];
const PRODUCT_TABLES: &[&str] = &["product", "sku", "goods", "merchandise", "catalog"];

fn text_kind(table: &Table, w: &Words<'_>, doc: &str) -> Option<&'static str> {
    let by_name = text_kind_by_name(table, w);
    by_name.or_else(|| text_kind_by_doc(doc))
}

fn text_kind_by_name(table: &Table, w: &Words<'_>) -> Option<&'static str> {
    let last = w.last();
    let kind = if w.any(&["email", "mail"]) || w.contains("e_mail") || w.contains("email") {
        "email"
    } else if w.any(&["uuid", "guid"]) {
        "uuid"
    } else if w.any(&["ipv6"]) {
        "ipv6"
    } else if w.any(&["ip", "ipv4"]) || w.contains("ip_address") {
        "ipv4"
    } else if w.has("mac") {
        "mac_address"
    } else if w.contains("user_agent") || w.has("useragent") {
        "user_agent"
    } else if w.contains("first_name") || w.any(&["firstname", "forename"]) || w.contains("given_name") {
        "first_name"
    } else if w.contains("last_name") || w.any(&["lastname", "surname"]) || w.contains("family_name") {
        "last_name"
    } else if w.any(&["username", "login", "handle", "nickname"]) || w.contains("user_name") {
        "username"
    } else if w.any(&["password", "passwd", "pwd"]) {
        "password"
    } else if w.any(&["phone", "mobile", "telephone", "tel", "fax", "cell", "cellphone"]) {
        "phone"
    } else if w.any(&["icd", "icd10", "diagnosis"]) || w.contains("icd_10") {
        "icd10_code"
    } else if w.has("isbn") {
        "isbn"
    } else if w.has("iban") {
        "iban"
    } else if w.any(&["bic", "swift"]) {
        "bic"
    } else if w.contains("credit_card") || w.contains("card_number") || w.any(&["cc", "pan"]) {
        "credit_card"
    } else if w.has("currency") {
        "currency_code"
    } else if w.contains("job_title") || w.any(&["occupation", "position", "profession", "designation"]) {
        "job_title"
    } else if w.any(&["company", "employer", "organization", "organisation", "business"]) {
        "company"
    } else if w.any(&["industry", "sector"]) {
        "industry"
    } else if w.any(&[
        "composer", "author", "artist", "director", "singer", "actor", "writer",
    ]) {
        "name"
    } else if w.any(&["genre"]) {
        "genre"
    } else if w.any(&["department", "dept", "division", "team"]) {
        "department"
    } else if w.any(&["category"]) {
        "category"
    } else if w.any(&["language", "lang", "locale"]) && w.any(&["code", "iso"]) {
        "language_code"
    } else if w.any(&["language", "lang"]) {
        "language"
    } else if w.any(&["license", "licence"]) {
        "license"
    } else if w.any(&["version", "semver", "release"]) && !w.any(&["date", "year", "at"]) {
        "version"
    } else if w.any(&["sku", "upc", "barcode"]) {
        "sku"
    } else if w.any(&["brand", "make", "manufacturer"]) {
        "brand"
    } else if w.any(&["unit", "uom"]) && !w.any(&["price", "cost"]) {
        "unit"
    } else if w.any(&["filename", "file", "attachment", "path"]) {
        "file_name"
    } else if w.any(&["gender", "sex"]) {
        "gender"
    } else if w.any(&["rating"]) && is_table(table, &["film", "movie", "show", "episode"]) {
        "film_rating"
    } else if w.any(&["tags", "tag", "label", "labels", "keyword", "keywords", "hashtag"]) {
        "tag"
    } else if w.any(&["color", "colour"]) {
        "color"
    } else if w.any(&["city", "town"]) {
        "city"
    } else if w.contains("country_code") || (w.has("country") && w.any(&["iso", "code"])) {
        "country_code"
    } else if w.any(&["country", "nationality"]) {
        "country"
    } else if w.any(&["postcode", "zip", "zipcode", "postal"]) {
        "postcode"
    } else if w.any(&["state", "province", "region", "county", "district", "prefecture"]) {
        "state"
    } else if w.any(&["street", "address1", "line1"]) || w.contains("address_line") {
        "street_address"
    } else if w.any(&["address", "addr"]) {
        "address"
    } else if w.any(&["url", "website", "homepage", "link", "uri", "site"]) {
        "url"
    } else if w.any(&["domain", "hostname", "host"]) {
        "domain"
    } else if w.any(&[
        "description",
        "notes",
        "note",
        "bio",
        "biography",
        "about",
        "summary",
        "details",
        "body",
        "content",
        "text",
        "instructions",
    ]) {
        "paragraph"
    } else if w.any(&[
        "comment", "comments", "remark", "remarks", "message", "feedback", "review", "subject", "headline",
        "tagline", "caption", "reason",
    ]) {
        "sentence"
    } else if w.is_birth() {
        "birth_date"
    } else if last == "at" || w.any(&["timestamp", "datetime"]) {
        "datetime"
    } else if last == "date" || last == "on" || w.has("date") {
        "date"
    } else if let Some(kind) = money_kind(table, w) {
        kind
    } else if w.any(&["word"]) {
        "word"
    } else if w.contains("full_name") || w.contains("person_name") || w.contains("contact_name") {
        "name"
    } else if w.any(&["title"]) && is_table(table, PERSON_TABLES) {
        "job_title"
    } else if w.has("name") || w.has("title") {
        return name_in_table(table, w);
    } else {
        return None;
    };
    Some(kind)
}

/// What a `name` (or `*_name`) column holds, from the table it is in.
fn name_in_table(table: &Table, w: &Words<'_>) -> Option<&'static str> {
    if is_table(table, TITLE_TABLES) && !w.any(&["product", "customer", "user", "author"]) {
        Some("title")
    } else if is_table(table, &["genre"]) {
        Some("genre")
    } else if is_table(table, &["language"]) {
        Some("language")
    } else if is_table(
        table,
        &["artist", "band", "singer", "actor", "director", "composer"],
    ) {
        Some("name")
    } else if is_table(table, &["country", "countries"]) {
        Some("country")
    } else if is_table(table, &["city", "cities"]) {
        Some("city")
    } else if is_table(table, &["brand"]) {
        Some("brand")
    } else if is_table(
        table,
        &[
            "store",
            "shop",
            "branch",
            "warehouse",
            "restaurant",
            "hotel",
            "venue",
            "bank",
        ],
    ) {
        Some("company")
    } else if is_table(table, &["department"]) {
        Some("department")
    } else if w.any(&["product", "item"]) || (is_table(table, PRODUCT_TABLES) && !w.has("title")) {
        Some("product_name")
    } else if w.any(&["customer", "client", "vendor", "supplier", "brand"]) {
        Some("company")
    } else if w.any(&[
        "patient", "employee", "person", "author", "contact", "user", "member",
    ]) {
        Some("name")
    } else if w.has("title") {
        Some("title")
    } else if is_table(table, COMPANY_TABLES) {
        Some("company")
    } else if is_table(table, PERSON_TABLES) {
        Some("name")
    } else if is_table(table, &["categor", "department", "genre", "segment"]) {
        Some("category")
    } else if is_table(table, &["tag", "label", "keyword"]) {
        Some("word")
    } else if let Some(doc) = table.doc.as_deref()
        && let Some(kind) = text_kind_by_doc(&doc.to_ascii_lowercase())
            .filter(|k| matches!(*k, "company" | "name" | "product_name"))
    {
        Some(kind)
    } else {
        // A name nothing else explains: an English title-like phrase.
        Some("title")
    }
}

/// Tables whose `name` or `title` is a title: films, books, albums, songs…
const TITLE_TABLES: &[&str] = &[
    "film", "movie", "book", "album", "track", "song", "article", "post", "episode", "show", "game",
    "playlist", "podcast", "course", "lesson", "project", "event", "campaign", "video", "series", "novel",
];

fn is_table(table: &Table, stems: &[&str]) -> bool {
    let name = table.name.to_ascii_lowercase();
    stems.iter().any(|s| name.contains(s))
}

fn text_kind_by_doc(doc: &str) -> Option<&'static str> {
    const RULES: &[(&str, &str)] = &[
        ("e-mail", "email"),
        ("email", "email"),
        ("phone", "phone"),
        ("icd-10", "icd10_code"),
        ("icd10", "icd10_code"),
        ("diagnosis code", "icd10_code"),
        ("isbn", "isbn"),
        ("iban", "iban"),
        ("website", "url"),
        ("url", "url"),
        ("first name", "first_name"),
        ("given name", "first_name"),
        ("last name", "last_name"),
        ("surname", "last_name"),
        ("family name", "last_name"),
        ("full name", "name"),
        ("person's name", "name"),
        ("company", "company"),
        ("business name", "company"),
        ("organization", "company"),
        ("product", "product_name"),
        ("job title", "job_title"),
        ("street", "street_address"),
        ("address", "address"),
        ("city", "city"),
        ("country", "country"),
        ("zip", "postcode"),
        ("postal code", "postcode"),
        ("industry", "industry"),
        ("description", "paragraph"),
        ("notes", "paragraph"),
    ];
    RULES
        .iter()
        .find(|(needle, _)| doc.contains(needle))
        .map(|(_, kind)| *kind)
}

/// The usual values of a text `status` (or `state`) column without a doc
/// listing them, by what the table holds: orders are pending, shipped or
/// delivered; tickets are open or resolved.
pub(crate) fn infer_statuses(table: &Table, column: &Column) -> Option<&'static [&'static str]> {
    if column.ty != DataType::Text || column.foreign_key.is_some() || column.unique {
        return None;
    }
    let snake = crate::relation::names::snake(&column.name);
    let base = crate::relation::names::without_role(&snake);
    if !matches!(
        base,
        "status" | "state" | "order_status" | "payment_status" | "stage"
    ) {
        return None;
    }
    if base == "state"
        && table.columns.iter().any(|c| {
            let n = crate::relation::names::snake(&c.name);
            n.contains("city") || n.contains("country") || n.contains("zip") || n.contains("postal")
        })
    {
        return None; // a state of an address
    }
    Some(if is_table(table, &["order", "shipment", "purchase"]) {
        &["pending", "paid", "shipped", "delivered", "cancelled"]
    } else if is_table(table, &["payment", "invoice", "transaction", "charge"]) {
        &["pending", "paid", "failed", "refunded"]
    } else if is_table(table, &["rental", "booking", "reservation", "loan"]) {
        &["reserved", "active", "returned", "cancelled"]
    } else if is_table(table, &["ticket", "issue", "task", "case", "incident", "bug"]) {
        &["open", "in_progress", "resolved", "closed"]
    } else if is_table(table, &["subscription", "plan", "membership"]) {
        &["trial", "active", "past_due", "cancelled"]
    } else {
        &["active", "inactive", "pending"]
    })
}

/// Names of columns that usually hold one of a few values.
const ENUM_NAMES: &[&str] = &[
    "status",
    "state",
    "type",
    "kind",
    "category",
    "level",
    "priority",
    "stage",
    "tier",
    "gender",
    "sex",
    "role",
    "method",
    "channel",
    "source",
    "plan",
    "segment",
    "grade",
    "mode",
    "size",
    "severity",
    "frequency",
    "class",
    "phase",
    "outcome",
    "result",
    "visibility",
];

/// The values a column's doc lists, such as "Customer status: Active,
/// Inactive, Prospect" or "Order status (New, Processing, Shipped, Delivered,
/// Cancelled)". Only for text columns whose name is enumeration-like
/// (`status`, `type`, `priority`, …) or whose doc says "one of".
///
/// ```
/// use syda::{Column, DataType};
/// use syda::engine::infer_one_of;
///
/// let col = Column::new("status", DataType::Text).with_doc("Customer status: Active, Inactive, Prospect");
/// assert_eq!(infer_one_of(&col), Some(vec!["Active".to_owned(), "Inactive".into(), "Prospect".into()]));
/// ```
pub fn infer_one_of(column: &Column) -> Option<Vec<String>> {
    if column.ty != DataType::Text || column.foreign_key.is_some() {
        return None;
    }
    let doc = column.doc.as_deref()?;
    let lower = doc.to_ascii_lowercase();
    let name = column.name.to_ascii_lowercase();
    let enum_like = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| ENUM_NAMES.contains(&t));
    let markers = ["one of", "either", "values:", "possible values", "allowed values"];
    let marked = markers.iter().find_map(|m| lower.find(m).map(|at| at + m.len()));
    if !enum_like && marked.is_none() {
        return None;
    }
    // Where the list starts: after "one of", else inside the last
    // parentheses, else after the last colon, else the whole doc.
    let parens = match (doc.rfind('('), doc.rfind(')')) {
        (Some(open), Some(close)) if open < close => Some((open, close)),
        _ => None,
    };
    let list = if let Some(at) = marked {
        &doc[at..]
    } else if let Some((open, close)) = parens {
        &doc[open + 1..close]
    } else if let Some(colon) = doc.rfind(':') {
        &doc[colon + 1..]
    } else {
        doc
    };
    let list = list.trim().trim_start_matches(':').trim();
    let list = strip_prefix_ci(list, "e.g.")
        .or_else(|| strip_prefix_ci(list, "such as"))
        .unwrap_or(list);
    split_values(list)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s[prefix.len()..].trim())
}

fn split_values(list: &str) -> Option<Vec<String>> {
    let list = list.trim_end_matches(['.', ')', ';']);
    let sep: &[char] = if list.contains(',') {
        &[',']
    } else if list.contains('|') {
        &['|']
    } else if list.contains('/') {
        &['/']
    } else {
        &[',']
    };
    let mut values = Vec::new();
    for part in list.split(sep) {
        let part = part.trim();
        // "Delivered or Cancelled" / "or Cancelled" / "and Cancelled".
        let mut pieces: Vec<&str> = Vec::new();
        let mut rest = part;
        for joiner in [" or ", " and "] {
            if let Some((a, b)) = rest.split_once(joiner) {
                pieces.push(a);
                rest = b;
            }
        }
        pieces.push(rest);
        for piece in pieces {
            let piece = piece
                .trim()
                .trim_start_matches("or ")
                .trim_start_matches("and ")
                .trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c == '.')
                .trim();
            if piece.is_empty() {
                continue;
            }
            let ok = piece.split_whitespace().count() <= 3
                && piece.len() <= 32
                && piece
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '+'));
            if !ok {
                return None;
            }
            values.push(piece.to_owned());
        }
    }
    (values.len() >= 2).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(table: &str, name: &str, ty: DataType) -> Option<&'static str> {
        infer_kind(&Table::new(table.to_owned()), &Column::new(name.to_owned(), ty))
    }

    fn kind_with_doc(name: &str, doc: &str) -> Option<&'static str> {
        let col = Column::new(name.to_owned(), DataType::Text).with_doc(doc.to_owned());
        infer_kind(&Table::new("things"), &col)
    }

    #[test]
    fn text_columns_by_name() {
        let cases = [
            ("email", "email"),
            ("contact_email", "email"),
            ("email_address", "email"),
            ("first_name", "first_name"),
            ("firstName", "first_name"),
            ("last_name", "last_name"),
            ("surname", "last_name"),
            ("full_name", "name"),
            ("phone", "phone"),
            ("phone_number", "phone"),
            ("mobile", "phone"),
            ("company", "company"),
            ("company_name", "company"),
            ("job_title", "job_title"),
            ("occupation", "job_title"),
            ("street_address", "street_address"),
            ("address", "address"),
            ("billing_address", "address"),
            ("city", "city"),
            ("country", "country"),
            ("country_code", "country_code"),
            ("postcode", "postcode"),
            ("zip_code", "postcode"),
            ("state", "state"),
            ("website", "url"),
            ("profile_url", "url"),
            ("ip_address", "ipv4"),
            ("ipv6", "ipv6"),
            ("mac_address", "mac_address"),
            ("uuid", "uuid"),
            ("external_guid", "uuid"),
            ("diagnosis_code", "icd10_code"),
            ("icd10", "icd10_code"),
            ("isbn", "isbn"),
            ("iban", "iban"),
            ("swift_code", "bic"),
            ("description", "paragraph"),
            ("notes", "paragraph"),
            ("bio", "paragraph"),
            ("comment", "sentence"),
            ("industry", "industry"),
            ("category", "category"),
            ("username", "username"),
            ("password_hash", "password"),
            ("currency", "currency_code"),
            ("created_at", "datetime"),
            ("visit_date", "date"),
            ("shipped_on", "date"),
            ("date_of_birth", "birth_date"),
            ("price", "price"),
            ("user_agent", "user_agent"),
        ];
        for (name, kind) in cases {
            assert_eq!(kind_of("things", name, DataType::Text), Some(kind), "{name}");
        }
    }

    #[test]
    fn unknown_names_infer_nothing() {
        for name in ["foo", "xyz_value_thing", "flag_bits"] {
            assert_eq!(kind_of("things", name, DataType::Text), None, "{name}");
        }
        assert_eq!(kind_of("things", "count", DataType::Boolean), None);
        assert_eq!(kind_of("things", "email", DataType::Json), None);
    }

    #[test]
    fn money_columns_are_money_kinds() {
        for (name, kind) in [
            ("price", "price"),
            ("unit_cost", "price"),
            ("amount", "amount"),
            ("total", "amount"),
            ("order_total", "amount"),
            ("salary", "salary"),
            ("annual_salary", "salary"),
            ("budget", "budget"),
        ] {
            assert_eq!(kind_of("t", name, DataType::Float), Some(kind), "{name}");
            assert_eq!(kind_of("t", name, DataType::Decimal), Some(kind), "{name}");
        }
        assert_eq!(kind_of("t", "salary", DataType::Integer), Some("salary"));
        assert_eq!(kind_of("t", "price_cents", DataType::Integer), None);
    }

    #[test]
    fn numeric_kinds() {
        assert_eq!(kind_of("t", "age", DataType::Integer), Some("age"));
        assert_eq!(kind_of("t", "quantity", DataType::Integer), Some("quantity"));
        assert_eq!(kind_of("t", "latitude", DataType::Float), Some("latitude"));
        assert_eq!(kind_of("t", "lng", DataType::Float), Some("longitude"));
        assert_eq!(
            kind_of("t", "discount_percent", DataType::Float),
            Some("percentage")
        );
        assert_eq!(kind_of("t", "id", DataType::Integer), None);
    }

    #[test]
    fn dates_only_get_birth_date() {
        assert_eq!(kind_of("t", "birth_date", DataType::Date), Some("birth_date"));
        assert_eq!(kind_of("t", "dob", DataType::Date), Some("birth_date"));
        assert_eq!(kind_of("t", "created_at", DataType::DateTime), None);
        assert_eq!(kind_of("t", "visit_date", DataType::Date), None);
    }

    #[test]
    fn name_depends_on_the_table() {
        assert_eq!(kind_of("customers", "name", DataType::Text), Some("company"));
        assert_eq!(kind_of("companies", "name", DataType::Text), Some("company"));
        assert_eq!(kind_of("products", "name", DataType::Text), Some("product_name"));
        assert_eq!(kind_of("patients", "name", DataType::Text), Some("name"));
        assert_eq!(kind_of("users", "name", DataType::Text), Some("name"));
        assert_eq!(kind_of("employees", "name", DataType::Text), Some("name"));
        assert_eq!(
            kind_of("orders", "customer_name", DataType::Text),
            Some("company")
        );
        assert_eq!(
            kind_of("orders", "product_name", DataType::Text),
            Some("product_name")
        );
        assert_eq!(kind_of("categories", "name", DataType::Text), Some("category"));
        // A name nothing explains reads as a title, not lorem.
        assert_eq!(kind_of("widgets", "name", DataType::Text), Some("title"));
        assert_eq!(kind_of("films", "title", DataType::Text), Some("title"));
        assert_eq!(kind_of("albums", "Title", DataType::Text), Some("title"));
        assert_eq!(kind_of("genres", "Name", DataType::Text), Some("genre"));
        assert_eq!(kind_of("artists", "Name", DataType::Text), Some("name"));
        assert_eq!(kind_of("stores", "name", DataType::Text), Some("company"));
        let doc_table = Table::new("widgets").with_doc("A company we sell to");
        let name = Column::new("name", DataType::Text);
        assert_eq!(infer_kind(&doc_table, &name), Some("company"));
    }

    #[test]
    fn doc_decides_when_the_name_does_not() {
        assert_eq!(kind_with_doc("contact", "Business email address"), Some("email"));
        assert_eq!(kind_with_doc("primary", "Primary phone number"), Some("phone"));
        assert_eq!(
            kind_with_doc("code", "ICD-10 code of the diagnosis"),
            Some("icd10_code")
        );
        assert_eq!(kind_with_doc("homepage_ref", "Company website"), Some("url"));
        assert_eq!(kind_with_doc("x", "Nothing to see"), None);
    }

    #[test]
    fn every_case_style_and_role_prefix_infers_the_same_kind() {
        for (name, kind) in [
            ("PostalCode", "postcode"),
            ("BillingCity", "city"),
            ("billing_city", "city"),
            ("customerEmail", "email"),
            ("EMAIL_ADDR", "email"),
            ("FirstName", "first_name"),
            ("ShippingCountry", "country"),
            ("home-phone", "phone"),
        ] {
            assert_eq!(kind_of("things", name, DataType::Text), Some(kind), "{name}");
        }
    }

    #[test]
    fn numbers_get_plausible_kinds_from_their_names() {
        for (name, ty, kind) in [
            ("active", DataType::Integer, "flag"),
            ("is_deleted", DataType::Integer, "flag"),
            ("release_year", DataType::Integer, "year"),
            ("rental_duration", DataType::Integer, "days"),
            ("length", DataType::Integer, "minutes"),
            ("rating", DataType::Integer, "rating"),
            ("stock", DataType::Integer, "stock"),
            ("view_count", DataType::Integer, "count"),
            ("status", DataType::Integer, "code"),
            ("payment_kind", DataType::Integer, "code"),
            ("rental_rate", DataType::Decimal, "small_price"),
            ("discount", DataType::Decimal, "discount"),
            ("shipping_fee", DataType::Decimal, "fee"),
        ] {
            assert_eq!(kind_of("films", name, ty), Some(kind), "{name}");
        }
        assert_eq!(
            kind_of("payments", "amount", DataType::Decimal),
            Some("small_price")
        );
        assert_eq!(kind_of("orders", "amount", DataType::Decimal), Some("amount"));
    }

    #[test]
    fn text_vocabulary_instead_of_lorem() {
        for (table, name, kind) in [
            ("films", "language", "language"),
            ("films", "language_code", "language_code"),
            ("packages", "license", "license"),
            ("packages", "version", "version"),
            ("products", "sku", "sku"),
            ("products", "brand", "brand"),
            ("employees", "department", "department"),
            ("tracks", "genre", "genre"),
            ("films", "rating", "film_rating"),
            ("posts", "tags", "tag"),
            ("uploads", "file_name", "file_name"),
            ("products", "unit", "unit"),
            ("addresses", "district", "state"),
        ] {
            assert_eq!(kind_of(table, name, DataType::Text), Some(kind), "{table}.{name}");
        }
    }

    #[test]
    fn foreign_keys_get_no_kind() {
        let col = Column::new("email", DataType::Text).references("users", "email");
        assert_eq!(infer_kind(&Table::new("t"), &col), None);
    }

    fn one_of(name: &str, doc: &str) -> Option<Vec<String>> {
        infer_one_of(&Column::new(name.to_owned(), DataType::Text).with_doc(doc.to_owned()))
    }

    fn strings(values: &[&str]) -> Option<Vec<String>> {
        Some(values.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn doc_lists_become_one_of() {
        assert_eq!(
            one_of("status", "Customer status: Active, Inactive, Prospect"),
            strings(&["Active", "Inactive", "Prospect"])
        );
        assert_eq!(
            one_of(
                "status",
                "Order status (New, Processing, Shipped, Delivered, Cancelled)"
            ),
            strings(&["New", "Processing", "Shipped", "Delivered", "Cancelled"])
        );
        assert_eq!(
            one_of(
                "order_status",
                "One of New, Processing, Shipped, Delivered or Cancelled."
            ),
            strings(&["New", "Processing", "Shipped", "Delivered", "Cancelled"])
        );
        assert_eq!(
            one_of("priority", "low | medium | high"),
            strings(&["low", "medium", "high"])
        );
        assert_eq!(
            one_of("shipping", "Shipping speed, one of: standard, express"),
            strings(&["standard", "express"])
        );
    }

    #[test]
    fn prose_docs_are_not_lists() {
        assert_eq!(one_of("status", "Current status of the account"), None);
        assert_eq!(one_of("name", "Full name, including middle names"), None);
        assert_eq!(
            one_of("notes", "Free text: anything the nurse wants to write down"),
            None
        );
        let int = Column::new("status", DataType::Integer).with_doc("Status: 1, 2, 3");
        assert_eq!(infer_one_of(&int), None);
    }
}
