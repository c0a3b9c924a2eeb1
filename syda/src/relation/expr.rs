//! Arithmetic over the columns of a row: `quantity * unit_price`,
//! `subtotal - discount + tax`, `price * (1 - discount_rate / 100)`.
//! Serialized as its text, so a schema file and a saved rule read the same.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An arithmetic expression over column names and numbers, with `+ - * /`
/// and parentheses; `*` and `/` bind tighter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Expr {
    /// A column of the row.
    Column(String),
    /// A constant.
    Number(f64),
    /// `a + b`.
    Add(Box<Expr>, Box<Expr>),
    /// `a - b`.
    Sub(Box<Expr>, Box<Expr>),
    /// `a * b`.
    Mul(Box<Expr>, Box<Expr>),
    /// `a / b` (NULL when `b` is 0).
    Div(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Parses `text`; the error says what was expected where.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let tokens = tokenize(text)?;
        let mut p = Parser { tokens, at: 0 };
        let e = p.sum()?;
        match p.tokens.get(p.at) {
            None => Ok(e),
            Some(t) => Err(format!("unexpected `{t}` in `{text}`")),
        }
    }

    /// The columns the expression reads, in order of appearance.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Column(c) => {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
            }
            Expr::Number(_) => {}
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// The value, with `value(column)` giving each column's number (`None`
    /// for NULL or not a number, which makes the whole value `None`).
    pub fn eval(&self, value: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        Some(match self {
            Expr::Column(c) => value(c)?,
            Expr::Number(x) => *x,
            Expr::Add(a, b) => a.eval(value)? + b.eval(value)?,
            Expr::Sub(a, b) => a.eval(value)? - b.eval(value)?,
            Expr::Mul(a, b) => a.eval(value)? * b.eval(value)?,
            Expr::Div(a, b) => {
                let d = b.eval(value)?;
                if d == 0.0 {
                    return None;
                }
                a.eval(value)? / d
            }
        })
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Add(..) | Expr::Sub(..) => 1,
            Expr::Mul(..) | Expr::Div(..) => 2,
            Expr::Column(_) | Expr::Number(_) => 3,
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, op, b) = match self {
            Expr::Column(c) => return f.write_str(c),
            Expr::Number(x) => return write!(f, "{x}"),
            Expr::Add(a, b) => (a, "+", b),
            Expr::Sub(a, b) => (a, "-", b),
            Expr::Mul(a, b) => (a, "*", b),
            Expr::Div(a, b) => (a, "/", b),
        };
        let p = self.precedence();
        let side = |f: &mut fmt::Formatter<'_>, e: &Expr, tight: bool| {
            if e.precedence() < p || (tight && e.precedence() == p) {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        };
        side(f, a, false)?;
        write!(f, " {op} ")?;
        side(f, b, matches!(op, "-" | "/"))
    }
}

impl From<Expr> for String {
    fn from(e: Expr) -> String {
        e.to_string()
    }
}

impl TryFrom<String> for Expr {
    type Error = String;

    fn try_from(s: String) -> Result<Expr, String> {
        Expr::parse(&s)
    }
}

fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(c.to_string());
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            return Err(format!(
                "unexpected `{c}` in `{text}`; use column names, numbers, + - * / and ( )"
            ));
        }
    }
    if out.is_empty() {
        return Err("the expression is empty".to_owned());
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        while let Some(op @ ("+" | "-")) = self.peek() {
            let add = op == "+";
            self.at += 1;
            let right = self.product()?;
            left = if add {
                Expr::Add(Box::new(left), Box::new(right))
            } else {
                Expr::Sub(Box::new(left), Box::new(right))
            };
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.atom()?;
        while let Some(op @ ("*" | "/")) = self.peek() {
            let mul = op == "*";
            self.at += 1;
            let right = self.atom()?;
            left = if mul {
                Expr::Mul(Box::new(left), Box::new(right))
            } else {
                Expr::Div(Box::new(left), Box::new(right))
            };
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let Some(token) = self.tokens.get(self.at).cloned() else {
            return Err("the expression ends where a column or number was expected".to_owned());
        };
        self.at += 1;
        if token == "(" {
            let e = self.sum()?;
            if self.peek() != Some(")") {
                return Err("a `(` is not closed".to_owned());
            }
            self.at += 1;
            return Ok(e);
        }
        if let Ok(x) = token.parse::<f64>() {
            return Ok(Expr::Number(x));
        }
        if token
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && !token.contains('.')
        {
            return Ok(Expr::Column(token));
        }
        Err(format!("`{token}` is neither a column name nor a number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for text in [
            "quantity * unit_price",
            "subtotal - discount + tax",
            "price * (1 - rate / 100)",
            "a - (b - c)",
        ] {
            assert_eq!(Expr::parse(text).unwrap().to_string(), text);
        }
        let e = Expr::parse("quantity * unit_price - discount").unwrap();
        assert_eq!(e.columns(), ["quantity", "unit_price", "discount"]);
        let v = e.eval(&|c| match c {
            "quantity" => Some(3.0),
            "unit_price" => Some(2.5),
            _ => Some(1.0),
        });
        assert_eq!(v, Some(6.5));
    }

    #[test]
    fn bad_expressions_say_where() {
        assert!(Expr::parse("quantity *").unwrap_err().contains("ends"));
        assert!(Expr::parse("a $ b").unwrap_err().contains('$'));
        assert!(Expr::parse("(a + b").unwrap_err().contains("not closed"));
    }
}
