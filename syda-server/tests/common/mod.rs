//! Test harness: a database per test (SQLite in a temp dir, or a fresh
//! PostgreSQL database dropped afterwards), an in-process client, and file
//! fixtures built on the fly.

#![allow(dead_code)]

use std::io::{Cursor, Write};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use syda_server::{AppState, Config};
use tower::ServiceExt;

/// A database for one test; a PostgreSQL one is dropped when this is.
pub(crate) struct TestDb {
    pub config: Config,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

fn base_config(dir: &tempfile::TempDir) -> Config {
    Config {
        sqlite_path: dir.path().join("server.db"),
        max_body_bytes: 256 * 1024,
        max_rows: 50_000,
        job_threshold_rows: 1_000,
        max_decompressed_bytes: 4 * 1024 * 1024,
        // No LLM provider, whatever the environment of the test run holds.
        llm: syda_server::LlmSetup::Variables(syda_server::Variables::default()),
        ..Config::default()
    }
}

pub(crate) async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    TestDb {
        config: base_config(&dir),
        _dir: dir,
        pg: None,
    }
}

/// A fresh PostgreSQL database `syda_server_<uuid>`, or `None` (with the
/// reason printed) when the server is unreachable — unless CI=true, where
/// that fails the test.
pub(crate) async fn postgres() -> Option<TestDb> {
    let admin_url = std::env::var("SYDA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut conn = match sqlx::postgres::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but PostgreSQL at {admin_url} is unreachable: {e}");
            }
            eprintln!("skipping PostgreSQL test: {admin_url} unreachable ({e}); set SYDA_TEST_POSTGRES_URL");
            return None;
        }
    };
    let name = format!("syda_server_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("SYDA_TEST_POSTGRES_URL needs a database path: {admin_url}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = base_config(&dir);
    config.database_url = Some(url);
    Some(TestDb {
        config,
        _dir: dir,
        pg: Some((admin_url, name)),
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            // Drop runs inside the test's runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::postgres::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Declares tests that each take a fresh [`Client`] and runs every one on
/// SQLite and on PostgreSQL: `backend_tests! { async fn name(c: Client) { … } … }`
/// gives `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! backend_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($c:ident: Client) $body:block )*) => {$(
        $(#[$meta])*
        async fn $name($c: Client) $body
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = super::common::sqlite().await;
                super::$name(super::common::Client::start(db).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = super::common::postgres().await {
                    super::$name(super::common::Client::start(db).await).await;
                }
            }
        }
    )*};
}

/// An answer: status, media type, body text.
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
    pub headers: axum::http::HeaderMap,
}

impl Resp {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the status and the common error shape; returns the code.
    pub(crate) fn error_code(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.text);
        let v = self.json();
        assert!(
            v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{v}"
        );
        v["error"]["code"].as_str().unwrap().to_owned()
    }
}

/// The server in-process, over its own database.
pub(crate) struct Client {
    pub state: AppState,
    pub router: Router,
    pub db: TestDb,
}

impl Client {
    pub(crate) async fn start(db: TestDb) -> Client {
        let state = AppState::open(db.config.clone()).await.unwrap();
        Client {
            router: syda_server::router(state.clone()),
            state,
            db,
        }
    }

    /// Stops this server (closing its pool) and starts a new one on the same database.
    pub(crate) async fn restart(self) -> Client {
        self.state.db.close().await;
        Client::start(self.db).await
    }

    /// A key for `project`, which is created.
    pub(crate) async fn project_key(&self, project: &str) -> String {
        let key = self.key(&[project]).await;
        self.create_project(&key, project).await;
        key
    }

    pub(crate) async fn key(&self, projects: &[&str]) -> String {
        let projects: Vec<String> = projects.iter().map(|p| (*p).to_owned()).collect();
        self.state.create_key(&projects, false).await.unwrap().token
    }

    pub(crate) async fn admin_key(&self) -> String {
        self.state.create_key(&[], true).await.unwrap().token
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        uri: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        Resp {
            status,
            headers,
            content_type,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub(crate) async fn get(&self, uri: &str, key: Option<&str>) -> Resp {
        self.send(Method::GET, uri, key, None, Vec::new()).await
    }

    pub(crate) async fn post(&self, uri: &str, key: Option<&str>, body: &Value) -> Resp {
        self.send(
            Method::POST,
            uri,
            key,
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await
    }

    pub(crate) async fn upload(
        &self,
        uri: &str,
        key: Option<&str>,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Resp {
        let (ct, body) = multipart(fields, file);
        self.send(Method::POST, uri, key, Some(&ct), body).await
    }

    pub(crate) async fn create_project(&self, key: &str, name: &str) {
        let r = self
            .post("/projects", Some(key), &serde_json::json!({ "name": name }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }

    /// The project's audit rows, newest first.
    pub(crate) async fn audit(&self, project: &str) -> Vec<syda_server::db::Transaction> {
        let filter = syda_server::db::AuditFilter {
            project: Some(project.to_owned()),
            ..Default::default()
        };
        self.audit_where(&filter).await
    }

    /// Audit rows matching `filter`, newest first.
    pub(crate) async fn audit_where(
        &self,
        filter: &syda_server::db::AuditFilter,
    ) -> Vec<syda_server::db::Transaction> {
        self.state.db.transactions(filter, 1000, 0).await.unwrap().0
    }

    /// The newest audit row of `operation` (any project).
    pub(crate) async fn last_row(&self, operation: &str) -> syda_server::db::Transaction {
        let filter = syda_server::db::AuditFilter {
            operation: Some(operation.to_owned()),
            ..Default::default()
        };
        self.audit_where(&filter)
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no audit row of {operation}"))
    }
}

pub(crate) fn multipart(fields: &[(&str, &str)], (file_name, data): (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----syda-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(data);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn cell_ref(col: usize, row: usize) -> String {
    format!("{}{}", (b'A' + col as u8) as char, row + 1)
}

/// A minimal XLSX workbook (inline strings) with the given sheets of rows.
pub(crate) fn xlsx(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let sheets: Vec<(&str, String)> = sheets
        .iter()
        .map(|(name, rows)| {
            let mut data = String::new();
            for (r, row) in rows.iter().enumerate() {
                data.push_str(&format!(r#"<row r="{}">"#, r + 1));
                for (c, v) in row.iter().enumerate() {
                    let at = cell_ref(c, r);
                    if r > 0 && v.parse::<f64>().is_ok() {
                        data.push_str(&format!(r#"<c r="{at}"><v>{v}</v></c>"#));
                    } else {
                        data.push_str(&format!(r#"<c r="{at}" t="inlineStr"><is><t>{v}</t></is></c>"#));
                    }
                }
                data.push_str("</row>");
            }
            (*name, data)
        })
        .collect();
    xlsx_raw(&sheets)
}

/// A minimal XLSX workbook whose sheets hold the given `<sheetData>` XML.
pub(crate) fn xlsx_raw(sheets: &[(&str, String)]) -> Vec<u8> {
    let mut files = vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_owned(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
        ),
    ];
    let mut sheet_xml = String::new();
    let mut rels = String::new();
    let mut sheet_files = Vec::new();
    for (i, (name, data)) in sheets.iter().enumerate() {
        let n = i + 1;
        sheet_xml.push_str(&format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        sheet_files.push((
            format!("xl/worksheets/sheet{n}.xml"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            ),
        ));
    }
    files.push((
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_xml}</sheets></workbook>"#
        ),
    ));
    files.push((
        "xl/_rels/workbook.xml.rels",
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#),
    ));
    let mut all: Vec<(&str, String)> = files;
    for (name, data) in &sheet_files {
        all.push((name.as_str(), data.clone()));
    }
    zip_of(&all)
}

/// A minimal DOCX with one paragraph and one table.
pub(crate) fn docx(paragraph: &str, table: &[&[&str]]) -> Vec<u8> {
    let mut rows = String::new();
    for row in table {
        rows.push_str("<w:tr>");
        for cell in *row {
            rows.push_str(&format!("<w:tc><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>"));
        }
        rows.push_str("</w:tr>");
    }
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p><w:tbl>{rows}</w:tbl></w:body></w:document>"#
    );
    zip_of(&[("word/document.xml", doc)])
}

/// A one-page PDF showing `text`.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id =
        doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier" });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 24.into()]),
            Operation::new("Td", vec![100.into(), 600.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id =
        doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
    let pages = dictionary! {
        "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
