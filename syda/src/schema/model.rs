//! The descriptor types. Every field is public and every type can be built in
//! `const` context (borrowed `'static` data), which is what the derive emits;
//! loaders build the same types with owned data.

use std::borrow::Cow;
use std::fmt;

/// A string that is either `'static` (from the derive) or owned (from a loader).
pub type Text = Cow<'static, str>;

/// A list that is either a `'static` slice (from the derive) or owned.
pub type List<T> = Cow<'static, [T]>;

/// A set of tables, in declaration order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// Tables in the order they were declared.
    pub tables: Vec<Table>,
    /// Relations declared in the schema file (`after:`, `expr:`, `infer:
    /// false`); inferred ones are not listed here ([`crate::relation`]).
    pub relations: Vec<crate::relation::Declared>,
}

/// One table (or one Rust struct).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table name as it appears in files and databases.
    pub name: Text,
    /// What a row represents, in plain words. Fed to the LLM engine.
    pub doc: Option<Text>,
    /// Columns in declaration order.
    pub columns: List<Column>,
    /// Composite unique keys (two or more columns). Single-column uniques
    /// are [`Column::unique`].
    pub unique: List<List<Text>>,
    /// Composite foreign keys (two or more columns). Single-column foreign
    /// keys are [`Column::foreign_key`].
    pub foreign_keys: List<ForeignKey>,
}

/// One column (or one struct field).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: Text,
    /// What the column holds. Fed to the LLM engine and used to infer a kind.
    pub doc: Option<Text>,
    /// Storage type.
    pub ty: DataType,
    /// Semantic kind refining the type: `email`, `phone`, `icd10_code`, …
    /// See [`super::kinds`].
    pub kind: Option<Text>,
    /// Whether the column may hold NULL.
    pub nullable: bool,
    /// Whether every value must be distinct.
    pub unique: bool,
    /// Part of the primary key. Several columns flagged form a composite key.
    pub primary_key: bool,
    /// Single-column foreign key.
    pub foreign_key: Option<Reference>,
    /// Maximum length in characters, for text.
    pub max_length: Option<u32>,
    /// Inclusive lower and upper bound.
    pub range: Option<Range>,
    /// The only values allowed.
    pub one_of: Option<List<Literal>>,
    /// A regular expression every value matches (whole value).
    pub pattern: Option<Text>,
    /// Name of a registered custom generator that fills this column.
    pub generator: Option<Text>,
}

/// `table.column` a single-column foreign key points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Parent table.
    pub table: Text,
    /// Parent column.
    pub column: Text,
}

/// A foreign key over several columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignKey {
    /// Child columns, in the order matching `references`.
    pub columns: List<Text>,
    /// Parent table.
    pub table: Text,
    /// Parent columns.
    pub references: List<Text>,
}

/// Inclusive bounds. For dates, times and datetimes the bounds are ISO 8601 text.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// Smallest allowed value.
    pub min: Literal,
    /// Largest allowed value.
    pub max: Literal,
}

/// A constant in a schema: a `one_of` member or a range bound.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text, also dates/times in ISO 8601.
    Text(Text),
}

/// Storage type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// 64-bit signed integer.
    Integer,
    /// 64-bit float.
    Float,
    /// Exact decimal, written as text.
    Decimal,
    /// Boolean.
    Boolean,
    /// Text.
    Text,
    /// Calendar date, `YYYY-MM-DD`.
    Date,
    /// Date and time, RFC 3339.
    DateTime,
    /// Time of day, `HH:MM:SS`.
    Time,
    /// UUID, hyphenated.
    Uuid,
    /// Any JSON value.
    Json,
}

impl DataType {
    /// Every type, in a stable order.
    pub const ALL: [DataType; 10] = [
        DataType::Integer,
        DataType::Float,
        DataType::Decimal,
        DataType::Boolean,
        DataType::Text,
        DataType::Date,
        DataType::DateTime,
        DataType::Time,
        DataType::Uuid,
        DataType::Json,
    ];

    /// The canonical name used in schema files.
    pub const fn name(self) -> &'static str {
        match self {
            DataType::Integer => "integer",
            DataType::Float => "float",
            DataType::Decimal => "decimal",
            DataType::Boolean => "boolean",
            DataType::Text => "text",
            DataType::Date => "date",
            DataType::DateTime => "datetime",
            DataType::Time => "time",
            DataType::Uuid => "uuid",
            DataType::Json => "json",
        }
    }

    /// Parses a type name, accepting the aliases schema files use
    /// (`int`, `number`, `string`, `bool`, `timestamp`, …). Case-insensitive.
    pub fn from_name(name: &str) -> Option<DataType> {
        let ty = match name.to_ascii_lowercase().as_str() {
            "integer" | "int" | "number" | "bigint" | "smallint" | "serial" | "bigserial" => {
                DataType::Integer
            }
            "float" | "double" | "real" => DataType::Float,
            "decimal" | "numeric" | "money" => DataType::Decimal,
            "boolean" | "bool" => DataType::Boolean,
            "text" | "string" | "str" | "varchar" | "char" => DataType::Text,
            "date" => DataType::Date,
            "datetime" | "timestamp" | "timestamptz" => DataType::DateTime,
            "time" => DataType::Time,
            "uuid" => DataType::Uuid,
            "json" | "jsonb" => DataType::Json,
            _ => return None,
        };
        Some(ty)
    }

    /// Whether values are ordered numbers (ranges are numeric).
    pub const fn is_numeric(self) -> bool {
        matches!(self, DataType::Integer | DataType::Float | DataType::Decimal)
    }

    /// Whether values are dates or times (ranges are ISO 8601 text).
    pub const fn is_temporal(self) -> bool {
        matches!(self, DataType::Date | DataType::DateTime | DataType::Time)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x}"),
            Literal::Text(s) => f.write_str(s),
        }
    }
}

impl Literal {
    /// The value as a float, for numeric literals.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Literal::Int(i) => Some(i as f64),
            Literal::Float(x) => Some(x),
            _ => None,
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.table, self.column)
    }
}

impl Schema {
    /// A schema from tables.
    pub fn new(tables: impl IntoIterator<Item = Table>) -> Schema {
        Schema {
            tables: tables.into_iter().collect(),
            relations: Vec::new(),
        }
    }

    /// The table with this name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Position of the table with this name.
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }
}

impl Table {
    /// An empty table; add columns with [`Table::with_column`] or build the
    /// struct directly.
    pub fn new(name: impl Into<Text>) -> Table {
        Table {
            name: name.into(),
            doc: None,
            columns: Cow::Borrowed(&[]),
            unique: Cow::Borrowed(&[]),
            foreign_keys: Cow::Borrowed(&[]),
        }
    }

    /// Sets the table doc.
    pub fn with_doc(mut self, doc: impl Into<Text>) -> Table {
        self.doc = Some(doc.into());
        self
    }

    /// Appends a column.
    pub fn with_column(mut self, column: Column) -> Table {
        self.columns.to_mut().push(column);
        self
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Position of the column with this name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Primary key columns, in column order (empty when the table has none).
    pub fn primary_key(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.primary_key)
    }

    /// Whether a row may leave `fk` unset: every one of its columns is nullable.
    pub fn is_optional(&self, fk: &ForeignKey) -> bool {
        fk.columns
            .iter()
            .all(|c| self.column(c).is_some_and(|c| c.nullable))
    }

    /// Every foreign key of the table, single-column ones first (in column
    /// order), then composite ones.
    pub fn all_foreign_keys(&self) -> Vec<ForeignKey> {
        let single = self.columns.iter().filter_map(|c| {
            c.foreign_key.as_ref().map(|r| ForeignKey {
                columns: Cow::Owned(vec![c.name.clone()]),
                table: r.table.clone(),
                references: Cow::Owned(vec![r.column.clone()]),
            })
        });
        single.chain(self.foreign_keys.iter().cloned()).collect()
    }
}

impl Column {
    /// A non-nullable column with no constraints.
    pub fn new(name: impl Into<Text>, ty: DataType) -> Column {
        Column {
            name: name.into(),
            doc: None,
            ty,
            kind: None,
            nullable: false,
            unique: false,
            primary_key: false,
            foreign_key: None,
            max_length: None,
            range: None,
            one_of: None,
            pattern: None,
            generator: None,
        }
    }

    /// Sets the doc.
    pub fn with_doc(mut self, doc: impl Into<Text>) -> Column {
        self.doc = Some(doc.into());
        self
    }

    /// Sets the semantic kind.
    pub fn with_kind(mut self, kind: impl Into<Text>) -> Column {
        self.kind = Some(kind.into());
        self
    }

    /// Marks the column nullable.
    pub fn nullable(mut self) -> Column {
        self.nullable = true;
        self
    }

    /// Marks the column unique.
    pub fn unique(mut self) -> Column {
        self.unique = true;
        self
    }

    /// Marks the column as (part of) the primary key.
    pub fn primary_key(mut self) -> Column {
        self.primary_key = true;
        self
    }

    /// Points the column at `table.column`.
    pub fn references(mut self, table: impl Into<Text>, column: impl Into<Text>) -> Column {
        self.foreign_key = Some(Reference {
            table: table.into(),
            column: column.into(),
        });
        self
    }

    /// Whether the column must be unique: flagged unique, or the sole
    /// primary key column of `table`.
    pub fn is_unique_in(&self, table: &Table) -> bool {
        self.unique || (self.primary_key && table.primary_key().count() == 1)
    }
}
