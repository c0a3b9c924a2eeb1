//! Simple CHECK constraints as each backend renders them, turned into
//! per-column bounds and value lists.
//!
//! Understood: a conjunction (`AND`, any parentheses) of `col op literal`
//! (`>`, `>=`, `<`, `<=`, `=`; either side), `col BETWEEN a AND b`,
//! `col IN (…)` and PostgreSQL's `col = ANY (ARRAY[…])`, with casts
//! (`::numeric`, `::text[]`) and charset introducers (`_utf8mb4'x'`)
//! ignored. Anything else (`OR`, functions, two columns) is skipped whole:
//! a constraint is either understood completely or not used.

/// A constant in a CHECK clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    /// A number as written.
    Num(String),
    /// A string.
    Text(String),
    /// `TRUE` / `FALSE`.
    Bool(bool),
}

/// What the constraints say about one column.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ColumnCheck {
    /// Lower bound and whether it is strict (`>`).
    pub(crate) min: Option<(Lit, bool)>,
    /// Upper bound and whether it is strict (`<`).
    pub(crate) max: Option<(Lit, bool)>,
    /// The only allowed values.
    pub(crate) one_of: Option<Vec<Lit>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Word(String),
    Num(String),
    Str(String),
    Op(&'static str),
}

/// Column conditions from one CHECK clause, or `None` when the clause is not
/// of a simple form. Column names are returned as written (unquoted).
pub(crate) fn parse(clause: &str) -> Option<Vec<(String, ColumnCheck)>> {
    let mut tokens = strip_casts(tokenize(clause)?);
    // PostgreSQL's pg_get_constraintdef starts with the keyword.
    if matches!(tokens.first(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case("check")) {
        tokens.remove(0);
    }
    let mut p = Parser { t: &tokens, i: 0 };
    let atoms = p.conjunction()?;
    if p.i != tokens.len() {
        return None;
    }
    let mut out: Vec<(String, ColumnCheck)> = Vec::new();
    for atom in atoms {
        let col = match &atom {
            Atom::Cmp(c, ..) | Atom::Between(c, ..) | Atom::In(c, _) => c.clone(),
            Atom::Ignored => continue,
        };
        let at = match out.iter().position(|(c, _)| *c == col) {
            Some(at) => at,
            None => {
                out.push((col, ColumnCheck::default()));
                out.len() - 1
            }
        };
        let check = &mut out[at].1;
        match atom {
            Atom::Cmp(_, op, lit) => match op {
                ">" => check.min = Some((lit, true)),
                ">=" => check.min = Some((lit, false)),
                "<" => check.max = Some((lit, true)),
                "<=" => check.max = Some((lit, false)),
                _ => check.one_of = Some(vec![lit]),
            },
            Atom::Between(_, lo, hi) => {
                check.min = Some((lo, false));
                check.max = Some((hi, false));
            }
            Atom::In(_, lits) => check.one_of = Some(lits),
            Atom::Ignored => {}
        }
    }
    Some(out)
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let quoted = |i: &mut usize, close: char| -> Option<String> {
        let mut text = String::new();
        *i += 1;
        loop {
            let c = *chars.get(*i)?;
            *i += 1;
            if c == close {
                if chars.get(*i) == Some(&close) {
                    text.push(close);
                    *i += 1;
                } else {
                    return Some(text);
                }
            } else if c == '\\' && close == '\'' {
                // MySQL escapes quotes in rendered strings with a backslash.
                text.push(*chars.get(*i)?);
                *i += 1;
            } else {
                text.push(c);
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '"' => out.push(Tok::Ident(quoted(&mut i, '"')?)),
            '`' => out.push(Tok::Ident(quoted(&mut i, '`')?)),
            // SQLite's [identifier] quoting; `ARRAY[` is PostgreSQL's array and
            // `type[]` (an empty identifier here) is dropped with its cast.
            '[' if !matches!(out.last(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case("array")) => {
                let end = chars[i..].iter().position(|&c| c == ']')? + i;
                out.push(Tok::Ident(chars[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '\'' => out.push(Tok::Str(quoted(&mut i, '\'')?)),
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || chars[i] == '.'
                        || ((chars[i] == 'e' || chars[i] == 'E') && i > start)
                        || ((chars[i] == '-' || chars[i] == '+') && matches!(chars[i - 1], 'e' | 'E')))
                {
                    i += 1;
                }
                out.push(Tok::Num(chars[start..i].iter().collect()));
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // Charset introducers (`_utf8mb4'a'`) and PostgreSQL `E'…'`.
                if chars.get(i) == Some(&'\'') && (word.starts_with('_') || word.eq_ignore_ascii_case("e")) {
                    continue;
                }
                out.push(Tok::Word(word));
            }
            _ => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = ["::", ">=", "<=", "<>", "!="].into_iter().find(|o| *o == two);
                if let Some(op) = op {
                    out.push(Tok::Op(op));
                    i += 2;
                    continue;
                }
                let op = match c {
                    '(' => "(",
                    ')' => ")",
                    ',' => ",",
                    '>' => ">",
                    '<' => "<",
                    '=' => "=",
                    '-' => "-",
                    '[' => "[",
                    ']' => "]",
                    _ => return None,
                };
                out.push(Tok::Op(op));
                i += 1;
            }
        }
    }
    Some(out)
}

fn is_keyword(w: &str) -> bool {
    ["and", "or", "not", "between", "in", "any", "is", "null"]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
}

/// Drops `::type`, `::type(n)`, `::type[]` and multi-word types
/// (`::character varying`).
fn strip_casts(tokens: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] != Tok::Op("::") {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += 1;
        while let Some(Tok::Word(w)) | Some(Tok::Ident(w)) = tokens.get(i) {
            if is_keyword(w) {
                break;
            }
            i += 1;
            // schema-qualified type names
            if tokens.get(i) == Some(&Tok::Word(".".into())) {
                i += 1;
            }
        }
        if tokens.get(i) == Some(&Tok::Op("(")) {
            while i < tokens.len() && tokens[i] != Tok::Op(")") {
                i += 1;
            }
            i += 1;
        }
        while tokens.get(i) == Some(&Tok::Ident(String::new())) {
            i += 1;
        }
    }
    out
}

enum Atom {
    Cmp(String, &'static str, Lit),
    Between(String, Lit, Lit),
    In(String, Vec<Lit>),
    /// Understood but not representable (`<>`): no bound, not a failure.
    Ignored,
}

enum Operand {
    Col(String),
    Lit(Lit),
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn conjunction(&mut self) -> Option<Vec<Atom>> {
        let mut atoms = self.term()?;
        while self.eat_word("and") {
            atoms.extend(self.term()?);
        }
        Some(atoms)
    }

    fn term(&mut self) -> Option<Vec<Atom>> {
        let start = self.i;
        if self.eat_op("(") {
            if let Some(atoms) = self.conjunction()
                && self.eat_op(")")
            {
                return Some(atoms);
            }
            self.i = start;
        }
        Some(vec![self.atom()?])
    }

    fn atom(&mut self) -> Option<Atom> {
        let left = self.operand()?;
        if self.eat_word("between") {
            let Operand::Col(col) = left else { return None };
            let lo = self.literal()?;
            if !self.eat_word("and") {
                return None;
            }
            let hi = self.literal()?;
            return Some(Atom::Between(col, lo, hi));
        }
        if self.eat_word("in") {
            let Operand::Col(col) = left else { return None };
            return Some(Atom::In(col, self.list(")")?));
        }
        let op = match self.peek() {
            Some(Tok::Op(op @ (">" | ">=" | "<" | "<=" | "=" | "<>" | "!="))) => *op,
            _ => return None,
        };
        self.i += 1;
        if op == "=" && self.eat_word("any") {
            let Operand::Col(col) = left else { return None };
            return Some(Atom::In(col, self.any_array()?));
        }
        let right = self.operand()?;
        let (col, op, lit) = match (left, right) {
            (Operand::Col(c), Operand::Lit(l)) => (c, op, l),
            (Operand::Lit(l), Operand::Col(c)) => (c, flip(op), l),
            _ => return None,
        };
        if op == "<>" || op == "!=" {
            return Some(Atom::Ignored);
        }
        Some(Atom::Cmp(col, op, lit))
    }

    /// `( ARRAY[a, b] )`, possibly wrapped in more parentheses.
    fn any_array(&mut self) -> Option<Vec<Lit>> {
        let mut depth = 0;
        while self.eat_op("(") {
            depth += 1;
        }
        if !self.eat_word("array") || !self.eat_op("[") {
            return None;
        }
        let lits = self.list_after_open("]")?;
        for _ in 0..depth {
            if !self.eat_op(")") {
                return None;
            }
        }
        Some(lits)
    }

    fn list(&mut self, close: &str) -> Option<Vec<Lit>> {
        if !self.eat_op("(") {
            return None;
        }
        self.list_after_open(close)
    }

    fn list_after_open(&mut self, close: &str) -> Option<Vec<Lit>> {
        let mut lits = vec![self.literal()?];
        while self.eat_op(",") {
            lits.push(self.literal()?);
        }
        self.eat_op(close).then_some(lits)
    }

    fn operand(&mut self) -> Option<Operand> {
        let start = self.i;
        if self.eat_op("(") {
            if let Some(inner) = self.operand()
                && self.eat_op(")")
            {
                return Some(inner);
            }
            self.i = start;
            return None;
        }
        match self.peek()? {
            Tok::Ident(name) => {
                let name = name.clone();
                self.i += 1;
                Some(Operand::Col(name))
            }
            Tok::Word(w)
                if !is_keyword(w) && !w.eq_ignore_ascii_case("true") && !w.eq_ignore_ascii_case("false") =>
            {
                let name = w.clone();
                self.i += 1;
                // A function call is not a column.
                if matches!(self.peek(), Some(Tok::Op("("))) {
                    return None;
                }
                Some(Operand::Col(name))
            }
            _ => self.literal().map(Operand::Lit),
        }
    }

    fn literal(&mut self) -> Option<Lit> {
        let start = self.i;
        if self.eat_op("(") {
            if let Some(lit) = self.literal()
                && self.eat_op(")")
            {
                return Some(lit);
            }
            self.i = start;
            return None;
        }
        let negative = self.eat_op("-");
        let lit = match self.peek()? {
            Tok::Num(n) => Lit::Num(if negative { format!("-{n}") } else { n.clone() }),
            Tok::Str(s) if !negative => Lit::Text(s.clone()),
            Tok::Word(w) if !negative && w.eq_ignore_ascii_case("true") => Lit::Bool(true),
            Tok::Word(w) if !negative && w.eq_ignore_ascii_case("false") => Lit::Bool(false),
            _ => return None,
        };
        self.i += 1;
        Some(lit)
    }
}

fn flip(op: &'static str) -> &'static str {
    match op {
        ">" => "<",
        ">=" => "<=",
        "<" => ">",
        "<=" => ">=",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Lit {
        Lit::Num(s.to_owned())
    }

    fn text(s: &str) -> Lit {
        Lit::Text(s.to_owned())
    }

    fn one(clause: &str) -> (String, ColumnCheck) {
        let mut parsed = parse(clause).unwrap_or_else(|| panic!("not understood: {clause}"));
        assert_eq!(parsed.len(), 1, "{clause}: {parsed:?}");
        parsed.remove(0)
    }

    #[test]
    fn postgres_renderings() {
        let (col, c) = one("CHECK ((price > (0)::numeric))");
        assert_eq!(col, "price");
        assert_eq!(c.min, Some((num("0"), true)));
        let (col, c) = one("CHECK (((qty >= 1) AND (qty <= 100)))");
        assert_eq!(col, "qty");
        assert_eq!(
            (c.min, c.max),
            (Some((num("1"), false)), Some((num("100"), false)))
        );
        let (_, c) = one("CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text])))");
        assert_eq!(c.one_of, Some(vec![text("new"), text("paid")]));
        let (col, c) = one(
            "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b''s'::character varying])::text[])))",
        );
        assert_eq!(col, "status");
        assert_eq!(c.one_of, Some(vec![text("a"), text("b's")]));
        let (_, c) =
            one("CHECK (((code)::text = ANY ((ARRAY['ab'::character varying(3)])::character varying(3)[])))");
        assert_eq!(c.one_of, Some(vec![text("ab")]));
        let (col, c) = one("CHECK ((\"select\" >= '-5.5'::numeric))");
        assert_eq!(col, "select");
        assert_eq!(c.min, Some((text("-5.5"), false)));
    }

    #[test]
    fn mariadb_and_sqlite_renderings() {
        let (col, c) = one("`score` between 0 and 10");
        assert_eq!(col, "score");
        assert_eq!(
            (c.min, c.max),
            (Some((num("0"), false)), Some((num("10"), false)))
        );
        let (_, c) = one("`kind` in (_utf8mb4'a',_utf8mb4'it\\'s')");
        assert_eq!(c.one_of, Some(vec![text("a"), text("it's")]));
        let (_, c) = one("0 < [weight] AND weight <= 2.5");
        assert_eq!(
            (c.min, c.max),
            (Some((num("0"), true)), Some((num("2.5"), false)))
        );
        let (_, c) = one("x >= -3");
        assert_eq!(c.min, Some((num("-3"), false)));
    }

    #[test]
    fn several_columns_in_one_clause() {
        let parsed = parse("a > 0 AND b IN (1, 2)").unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1].1.one_of, Some(vec![num("1"), num("2")]));
    }

    #[test]
    fn other_forms_are_skipped_whole() {
        for clause in [
            "a > 0 OR b > 0",
            "length(name) > 2",
            "a > b",
            "a NOT IN (1, 2)",
            "a IS NOT NULL",
            "CHECK ((char_length(code) = 3))",
        ] {
            assert_eq!(parse(clause), None, "{clause}");
        }
    }

    #[test]
    fn inequality_is_understood_but_gives_nothing() {
        let parsed = parse("name <> ''").unwrap();
        assert!(parsed.is_empty());
    }
}
