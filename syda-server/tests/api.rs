//! The REST API end to end, on SQLite and on the local PostgreSQL: every
//! endpoint, auth and scoping, limits, malformed uploads, jobs, the audit
//! trail and data surviving a restart.

#[macro_use]
mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{Client, TestDb};
use serde_json::{Value, json};

both_backends!(
    projects_and_auth,
    generation,
    uploads,
    jobs,
    restart_keeps_data,
    docs_and_health
);

const TWO_TABLES: &str = "tables:\n  departments:\n    columns:\n      id: { type: integer, primary_key: true }\n      name: { type: text, unique: true, max_length: 60 }\n  employees:\n    columns:\n      id: { type: integer, primary_key: true }\n      department_id: { type: integer, foreign_key: departments.id }\n      email: email\n";

async fn projects_and_auth(db: TestDb) {
    let c = Client::open(&db).await;
    let admin = c.admin_key().await;
    let alpha = c.key(&["alpha"]).await;
    let beta = c.key(&["beta"]).await;

    // No key, a made-up key: 401 in the common error shape, and audited.
    let before = c.state.db.transaction_count().await.unwrap();
    let r = c.post("/projects", None, &json!({ "name": "alpha" })).await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthorized");
    let r = c.get("/projects", Some("syda_000000_deadbeef")).await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthorized");
    assert_eq!(
        c.state.db.transaction_count().await.unwrap(),
        before + 2,
        "failed auth is audited"
    );

    // Create, duplicate → 409, invalid name → 422.
    let r = c
        .post(
            "/projects",
            Some(&alpha),
            &json!({ "name": "alpha", "description": "first" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["description"], "first");
    let r = c
        .post("/projects", Some(&alpha), &json!({ "name": "alpha" }))
        .await;
    assert_eq!(r.error_code(StatusCode::CONFLICT), "project_exists");
    let r = c
        .post("/projects", Some(&alpha), &json!({ "name": "no spaces; please" }))
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_name");
    let r = c
        .send(
            axum::http::Method::POST,
            "/projects",
            Some(&alpha),
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "bad_request");
    c.create_project(&beta, "beta").await;

    // Each key sees its own projects; the admin sees all.
    let names = |r: &common::Resp| -> Vec<String> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&c.get("/projects", Some(&alpha)).await), ["alpha"]);
    assert_eq!(names(&c.get("/projects", Some(&beta)).await), ["beta"]);
    assert_eq!(names(&c.get("/projects", Some(&admin)).await), ["alpha", "beta"]);
    let r = c.get("/projects/alpha", Some(&alpha)).await;
    assert_eq!(
        (r.status, r.json()["name"].clone()),
        (StatusCode::OK, json!("alpha"))
    );

    // Another project's data: 403; a missing one: 404.
    assert_eq!(
        c.get("/projects/beta", Some(&alpha))
            .await
            .error_code(StatusCode::FORBIDDEN),
        "forbidden"
    );
    assert_eq!(
        c.get("/projects/beta/transactions", Some(&alpha))
            .await
            .error_code(StatusCode::FORBIDDEN),
        "forbidden"
    );
    let r = c
        .post(
            "/generate",
            Some(&alpha),
            &json!({ "project": "beta", "schema": { "id": "integer" }, "rows": 1 }),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    assert_eq!(
        c.get("/projects/nope", Some(&admin))
            .await
            .error_code(StatusCode::NOT_FOUND),
        "not_found"
    );

    // Admin endpoint: only admin keys make keys; a made key works for its project only.
    let r = c
        .post("/admin/keys", Some(&alpha), &json!({ "projects": ["alpha"] }))
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    let r = c
        .post("/admin/keys", Some(&admin), &json!({ "projects": ["beta"] }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let made = r.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(c.get("/projects/beta", Some(&made)).await.status, StatusCode::OK);
    assert_eq!(
        c.get("/projects/alpha", Some(&made)).await.status,
        StatusCode::FORBIDDEN
    );

    // Audit: the duplicate is recorded as an error with caller and message;
    // pages are newest first and sized as asked.
    let rows = c.audit("alpha").await;
    let dup = rows
        .iter()
        .find(|t| t.operation == "create_project" && t.http_status == 409)
        .expect("the 409 is audited");
    assert_eq!(dup.status, "error");
    assert!(dup.error.as_deref().unwrap().contains("already exists"));
    let alpha_id = alpha.split('_').nth(1).unwrap();
    assert_eq!(dup.caller.as_deref(), Some(alpha_id), "caller is the key id");
    assert!(
        !dup.parameters.to_string().contains(&alpha),
        "the key is never stored"
    );
    let r = c
        .get("/projects/alpha/transactions?limit=2&offset=1", Some(&alpha))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let page = r.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["limit"], 2);
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(ids[0] > ids[1], "newest first: {ids:?}");
    // create, duplicate, get (200), get by the beta-only key (403).
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(page["items"][1]["http_status"], 409, "{page}");
    let r = c
        .get("/projects/alpha/transactions?limit=100000", Some(&alpha))
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "bad_page");
}

async fn generation(db: TestDb) {
    let c = Client::open(&db).await;
    let key = c.key(&["p"]).await;
    c.create_project(&key, "p").await;
    let req = json!({ "project": "p", "schema": TWO_TABLES, "rows": 5, "sizes": { "employees": 20 }, "seed": 7, "prompt": "a small firm" });

    // YAML schema as text: related tables, FK values from the parent.
    let r = c.post("/generate", Some(&key), &req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["rows"], json!({ "departments": 5, "employees": 20 }));
    let dept_ids: HashSet<i64> = body["tables"]["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(dept_ids.len(), 5);
    for e in body["tables"]["employees"].as_array().unwrap() {
        assert!(dept_ids.contains(&e["department_id"].as_i64().unwrap()), "{e}");
        assert!(e["email"].as_str().unwrap().contains('@'));
    }
    // The same seed gives the same rows; another seed others.
    assert_eq!(c.post("/generate", Some(&key), &req).await.text, r.text);
    let mut other = req.clone();
    other["seed"] = json!(8);
    assert_ne!(
        c.post("/generate", Some(&key), &other).await.json()["tables"],
        body["tables"]
    );

    // The seed's flat map, as a JSON object; CSV output of one table.
    let r = c.post("/generate", Some(&key), &json!({ "project": "p", "schema": { "id": "integer", "email": "email" }, "rows": 3, "format": "csv" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.content_type.starts_with("text/csv"));
    let lines: Vec<&str> = r.text.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.text);
    assert_eq!(lines[0], "id,email");
    let r = c.post("/generate", Some(&key), &json!({ "project": "p", "schema": TWO_TABLES, "format": "csv", "table": "employees", "rows": 2 })).await;
    assert_eq!(
        (r.status, r.text.lines().next()),
        (StatusCode::OK, Some("id,department_id,email"))
    );

    // Refusals, each with a code and a message.
    let bad = |patch: Value| {
        let mut b = json!({ "project": "p", "schema": TWO_TABLES, "rows": 2 });
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let r = c
        .post("/generate", Some(&key), &bad(json!({ "format": "csv" })))
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNPROCESSABLE_ENTITY),
        "csv_needs_one_table"
    );
    let r = c
        .post("/generate", Some(&key), &bad(json!({ "engine": "llm" })))
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNPROCESSABLE_ENTITY),
        "engine_unavailable"
    );
    let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("not configured")
            && message.contains("SYDA_PROVIDER")
            && message.contains("OPENAI_BASE_URL"),
        "{message}"
    );
    let r = c
        .post("/generate", Some(&key), &bad(json!({ "engine": "magic" })))
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "unknown_engine");
    let r = c
        .post(
            "/generate",
            Some(&key),
            &bad(json!({ "schema": "tables:\n  t:\n    columns:\n      a: { type: nosuchtype }\n" })),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_schema");
    assert!(r.text.contains("nosuchtype"), "{}", r.text);
    let r = c
        .post("/generate", Some(&key), &bad(json!({ "rows": 60_000 })))
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "too_many_rows");
    let r = c
        .post("/generate", Some(&key), &bad(json!({ "sizes": { "ghost": 1 } })))
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "unknown_table");
    let r = c
        .post("/generate", Some(&key), &bad(json!({ "project": "nope" })))
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");

    // Test data: rows plus a clean check report.
    let r = c
        .post(
            "/generate/test-data",
            Some(&key),
            &json!({ "project": "p", "schema": TWO_TABLES }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["check"]["clean"], true, "{body}");
    assert_eq!(body["rows"]["employees"], 10);

    // Audit rows: successes with rows and parameters, failures with errors.
    let rows = c.audit("p").await;
    let first = rows.iter().rev().find(|t| t.operation == "generate").unwrap();
    assert_eq!(
        (first.status.as_str(), first.rows_out, first.http_status),
        ("ok", Some(25), 200)
    );
    assert_eq!(first.parameters["prompt"], "a small firm");
    assert_eq!(first.parameters["tables"], json!(["departments", "employees"]));
    let llm = rows.iter().find(|t| t.parameters["engine"] == "llm").unwrap();
    assert_eq!((llm.status.as_str(), llm.http_status), ("error", 422));
    assert!(llm.error.as_deref().unwrap().contains("not configured"));
    let test_data = rows.iter().find(|t| t.operation == "generate_test_data").unwrap();
    assert_eq!(test_data.rows_out, Some(20));
}

fn people_csv(n: usize) -> String {
    let mut csv = String::from("id,name,plan,age,signup\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{},Person {i},{},{},2024-02-{:02}\n",
            i + 1,
            ["free", "pro", "team"][i % 3],
            20 + i % 40,
            1 + i % 28
        ));
    }
    csv
}

async fn uploads(db: TestDb) {
    let c = Client::open(&db).await;
    let key = c.key(&["u"]).await;
    c.create_project(&key, "u").await;
    let csv = people_csv(30);

    // CSV → inferred schema → look-alike rows.
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "u"), ("seed", "3"), ("api_key", "hunter2")],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    let rows = body["tables"]["people"].as_array().unwrap();
    assert_eq!(rows.len(), 30, "as many rows as the file by default");
    let plans = body["schema"]["tables"]["people"]["columns"]["plan"].to_string();
    assert!(
        plans.contains("free") && plans.contains("team"),
        "categories inferred: {plans}"
    );
    for row in rows {
        assert!(
            ["free", "pro", "team"].contains(&row["plan"].as_str().unwrap()),
            "{row}"
        );
        let age = row["age"].as_i64().unwrap();
        assert!((20..=59).contains(&age), "{row}");
        assert!(row["signup"].as_str().unwrap().starts_with("2024-02-"), "{row}");
    }
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "u"), ("rows", "45"), ("format", "csv")],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(
        (r.status, r.text.lines().count()),
        (StatusCode::OK, 46),
        "{}",
        r.text
    );

    // Malformed, oversized, over the row cap.
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "u")],
            ("bad.csv", b"a,b\n1,2\n3\n"),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "malformed_file");
    let big = vec![b'x'; 300 * 1024];
    let before = c.state.db.transaction_count().await.unwrap();
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "u")],
            ("big.csv", &big),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::PAYLOAD_TOO_LARGE), "payload_too_large");
    // Audited, though possibly without its project: the limit can trip before the form's first field is read.
    assert_eq!(c.state.db.transaction_count().await.unwrap(), before + 1);
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[("project", "u"), ("rows", "999999")],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "too_many_rows");
    let r = c
        .upload(
            "/upload/generate",
            Some(&key),
            &[],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "missing_field");
    let r = c
        .upload(
            "/upload/generate",
            None,
            &[("project", "u")],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthorized");

    // Unstructured: each kind.
    let un = |name: &'static str, bytes: Vec<u8>| {
        let c = &c;
        let key = &key;
        async move {
            c.upload(
                "/upload/unstructured",
                Some(key),
                &[("project", "u")],
                (name, &bytes),
            )
            .await
        }
    };
    let r = un("notes.txt", b"plain notes\nline two".to_vec()).await;
    assert_eq!(
        (r.status, r.json()["kind"].clone(), r.json()["schema"].clone()),
        (StatusCode::OK, json!("text"), Value::Null)
    );
    assert_eq!(r.json()["text"], "plain notes\nline two");
    let r = un("people.csv", csv.clone().into_bytes()).await;
    assert_eq!(r.json()["tables"][0]["row_count"], 30, "{}", r.text);
    assert_eq!(
        r.json()["schema"]["tables"]["people"]["columns"]["id"]["type"],
        "integer",
        "{}",
        r.text
    );
    let r = un(
        "memo.docx",
        common::docx(
            "Quarterly memo",
            &[&["city", "visits"], &["Oslo", "3"], &["Rome", "5"]],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["kind"], "docx");
    assert!(v["text"].as_str().unwrap().contains("Quarterly memo"));
    assert_eq!(v["tables"][0]["headers"], json!(["city", "visits"]));
    assert_eq!(
        v["schema"]["tables"]["table_1"]["columns"]["visits"]["type"], "integer",
        "{v}"
    );
    let r = un("report.pdf", common::pdf("Hello from a PDF")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.json()["text"].as_str().unwrap().contains("Hello from a PDF"),
        "{}",
        r.text
    );
    let sheet = |n: usize| -> Vec<Vec<String>> {
        let mut rows = vec![vec!["sku".to_owned(), "price".to_owned(), "color".to_owned()]];
        rows.extend((0..n).map(|i| {
            vec![
                format!("SKU-{i:04}"),
                format!("{}.5", 10 + i),
                ["red", "blue"][i % 2].to_owned(),
            ]
        }));
        rows
    };
    let book = common::xlsx(&[
        ("Products", sheet(12)),
        (
            "Stock",
            vec![vec!["qty".into()], vec!["4".into()], vec!["9".into()]],
        ),
    ]);
    let r = un("book.xlsx", book.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["kind"], "xlsx");
    assert_eq!(v["tables"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(
        v["schema"]["tables"]["products"]["columns"]["price"]["type"], "float",
        "{v}"
    );
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\x00\0\0\0\x80\x08\x02\0\0\0".to_vec();
    let r = un("pic.png", png).await;
    assert_eq!(
        r.json()["image"],
        json!({ "format": "Png", "width": 256, "height": 128 }),
        "{}",
        r.text
    );

    // Malformed XLSX/DOCX/PDF, unknown binary: refused, never a crash.
    let mut broken_pdf = common::pdf("x");
    broken_pdf.truncate(40);
    for (name, bytes, status) in [
        ("broken.pdf", broken_pdf, StatusCode::UNPROCESSABLE_ENTITY),
        (
            "fake.pdf",
            b"this is not a pdf".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "broken.xlsx",
            b"PK\x03\x04garbage-garbage-garbage".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "text.xlsx",
            b"id,name\n1,a\n".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "broken.docx",
            book[..book.len() / 2].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "blob.bin",
            vec![0, 159, 146, 150, 255, 0, 1],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ] {
        let r = un(name, bytes).await;
        assert_eq!(r.status, status, "{name}: {}", r.text);
        r.error_code(status);
    }
    // Far-away cells: one cell at the last row is one row, not a million;
    // a cell past the column cap is refused.
    let far = common::xlsx_raw(&[(
        "Far",
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row><row r="1048576"><c r="A1048576"><v>7</v></c></row>"#.to_owned(),
    )]);
    let r = un("far.xlsx", far).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["tables"][0]["rows"], json!([["7"]]));
    let wide = common::xlsx_raw(&[(
        "Wide",
        r#"<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>"#.to_owned(),
    )]);
    assert_eq!(
        un("wide.xlsx", wide)
            .await
            .error_code(StatusCode::UNPROCESSABLE_ENTITY),
        "too_many_columns"
    );
    // A zip bomb: small upload, huge content.
    let bomb = common::docx(&"A".repeat(6 * 1024 * 1024), &[]);
    assert!(bomb.len() < 200 * 1024);
    let r = un("bomb.docx", bomb).await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "file_too_large");

    // XLSX → rows per sheet.
    let r = c
        .upload(
            "/upload/unstructured/generate",
            Some(&key),
            &[("project", "u")],
            ("book.xlsx", &book),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["rows"], json!({ "products": 12, "stock": 2 }), "{v}");
    for p in v["tables"]["products"].as_array().unwrap() {
        assert!(["red", "blue"].contains(&p["color"].as_str().unwrap()), "{p}");
    }
    let r = c
        .upload(
            "/upload/unstructured/generate",
            Some(&key),
            &[("project", "u"), ("rows", "7")],
            ("book.xlsx", &book),
        )
        .await;
    assert_eq!(r.json()["rows"], json!({ "products": 7, "stock": 7 }));
    let r = c
        .upload(
            "/upload/unstructured/generate",
            Some(&key),
            &[("project", "u")],
            ("people.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "malformed_file");

    // Audit: uploads record rows in/out, redact secret-looking fields, and
    // record failures.
    let rows = c.audit("u").await;
    let ok = rows
        .iter()
        .rev()
        .find(|t| t.operation == "upload_generate")
        .unwrap();
    assert_eq!((ok.rows_in, ok.rows_out), (Some(30), Some(30)));
    assert_eq!(ok.parameters["api_key"], "[redacted]");
    assert!(!ok.parameters.to_string().contains("hunter2"));
    assert_eq!(ok.parameters["file"]["name"], "people.csv");
    let statuses: HashSet<i64> = rows
        .iter()
        .filter(|t| t.status == "error")
        .map(|t| t.http_status)
        .collect();
    assert!(statuses.is_superset(&HashSet::from([415, 422])), "{statuses:?}");
    assert!(
        rows.iter()
            .any(|t| t.operation == "upload_unstructured" && t.status == "ok" && t.rows_in == Some(14))
    );
}

async fn wait_for_job(c: &Client, key: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = c.get(&format!("/jobs/{id}"), Some(key)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v = r.json();
        assert!(v["progress"].as_i64().unwrap() <= v["total"].as_i64().unwrap());
        if v["status"] != "running" {
            return v;
        }
        assert!(Instant::now() < deadline, "job {id} did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn jobs(db: TestDb) {
    let c = Client::open(&db).await;
    let key = c.key(&["j"]).await;
    let other = c.key(&["k"]).await;
    c.create_project(&key, "j").await;
    c.create_project(&other, "k").await;

    // Over the threshold (1000 in tests): 202, then poll, then download.
    let r = c
        .post(
            "/generate",
            Some(&key),
            &json!({ "project": "j", "schema": TWO_TABLES, "rows": 600, "sizes": { "employees": 2400 } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let accepted = r.json();
    let id = accepted["job_id"].as_str().unwrap().to_owned();
    assert_eq!(accepted["total"], 3000);
    assert_eq!(accepted["status_url"], format!("/jobs/{id}"));
    assert_eq!(
        c.get(&format!("/jobs/{id}"), Some(&other))
            .await
            .error_code(StatusCode::FORBIDDEN),
        "forbidden"
    );
    assert_eq!(
        c.get("/jobs/00000000-0000-0000-0000-000000000000", Some(&key))
            .await
            .error_code(StatusCode::NOT_FOUND),
        "not_found"
    );
    let done = wait_for_job(&c, &key, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["progress"], 3000);
    assert!(done["finished_at"].is_string());
    let r = c.get(&format!("/jobs/{id}/result"), Some(&key)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    assert_eq!(body["rows"], json!({ "departments": 600, "employees": 2400 }));
    assert_eq!(body["tables"]["employees"].as_array().unwrap().len(), 2400);
    assert_eq!(
        c.get(&format!("/jobs/{id}/result"), Some(&other)).await.status,
        StatusCode::FORBIDDEN
    );

    // A job that fails: status failed, result 409 with the reason.
    let impossible = json!({ "project": "j", "rows": 2000, "schema": { "tables": { "t": { "columns": { "v": { "type": "integer", "unique": true, "range": { "min": 1, "max": 10 } } } } } } });
    let r = c.post("/generate", Some(&key), &impossible).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let failed_id = r.json()["job_id"].as_str().unwrap().to_owned();
    let done = wait_for_job(&c, &key, &failed_id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(!done["error"].as_str().unwrap().is_empty());
    let r = c.get(&format!("/jobs/{failed_id}/result"), Some(&key)).await;
    assert_eq!(r.error_code(StatusCode::CONFLICT), "job_failed");

    // Audit: the 202, the job's own row with rows, the failure.
    let rows = c.audit("j").await;
    let accepted_row = rows
        .iter()
        .find(|t| t.operation == "generate" && t.job_id.as_deref() == Some(&id))
        .unwrap();
    assert_eq!(
        (accepted_row.status.as_str(), accepted_row.http_status),
        ("accepted", 202)
    );
    let job_row = rows
        .iter()
        .find(|t| t.operation == "generate_job" && t.job_id.as_deref() == Some(&id))
        .unwrap();
    assert_eq!((job_row.status.as_str(), job_row.rows_out), ("ok", Some(3000)));
    let failed_row = rows
        .iter()
        .find(|t| t.operation == "generate_job" && t.job_id.as_deref() == Some(&failed_id))
        .unwrap();
    assert_eq!(failed_row.status, "error");
    assert!(failed_row.error.is_some());
}

async fn restart_keeps_data(db: TestDb) {
    let (key, job_id) = {
        let c = Client::open(&db).await;
        let key = c.key(&["r"]).await;
        c.create_project(&key, "r").await;
        let r = c
            .post(
                "/generate",
                Some(&key),
                &json!({ "project": "r", "schema": { "n": "integer" }, "rows": 2 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        // A job some earlier process left running.
        c.state
            .db
            .insert_job("left-running", "r", "generate", 10, "x")
            .await
            .unwrap();
        c.state.db.close().await;
        (key, "left-running")
    };
    let c = Client::open(&db).await;
    let r = c.get("/projects", Some(&key)).await;
    assert_eq!(r.status, StatusCode::OK, "the key survives: {}", r.text);
    assert_eq!(r.json()[0]["name"], "r");
    let ops: Vec<String> = c.audit("r").await.iter().map(|t| t.operation.clone()).collect();
    assert_eq!(
        ops,
        ["generate", "create_project"],
        "audit rows survive (the listing adds one after)"
    );
    let job = c.get(&format!("/jobs/{job_id}"), Some(&key)).await.json();
    assert_eq!(job["status"], "failed");
    assert!(job["error"].as_str().unwrap().contains("stopped"), "{job}");
}

async fn docs_and_health(db: TestDb) {
    let c = Client::open(&db).await;
    assert_eq!(c.get("/healthz", None).await.json()["status"], "ok");
    let r = c.get("/readyz", None).await;
    assert_eq!(
        (r.status, r.json()["status"].clone()),
        (StatusCode::OK, json!("ready"))
    );
    let spec = c.get("/openapi.json", None).await.json();
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    for path in [
        "/projects",
        "/projects/{name}",
        "/projects/{name}/transactions",
        "/generate",
        "/generate/test-data",
        "/upload/generate",
        "/upload/unstructured",
        "/upload/unstructured/generate",
        "/jobs/{id}",
        "/jobs/{id}/result",
        "/admin/keys",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert_eq!(
        spec["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    let page = c.get("/docs", None).await;
    assert!(page.content_type.starts_with("text/html") && page.text.contains("swagger-ui-bundle.js"));
    let js = c.get("/docs/swagger-ui-bundle.js", None).await;
    assert!(js.status == StatusCode::OK && js.text.len() > 500_000 && js.text.contains("SwaggerUIBundle"));
    assert!(
        c.get("/docs/swagger-ui.css", None)
            .await
            .content_type
            .starts_with("text/css")
    );
    assert!(c.get("/redoc", None).await.text.contains("redoc.standalone.js"));
    assert!(c.get("/redoc/redoc.standalone.js", None).await.text.len() > 500_000);
    assert_eq!(
        c.get("/nowhere", None).await.error_code(StatusCode::NOT_FOUND),
        "not_found"
    );
}

/// Over a real socket: requests are answered, and shutdown is graceful
/// (the serve future returns once the signal fires).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_over_tcp_and_shuts_down_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = common::sqlite().await;
    let state = syda_server::AppState::open(db.config.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(syda_server::serve(state, listener, async {
        let _ = stopped.await;
    }));
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#"{"status":"ok"}"#));
    stop.send(()).unwrap();
    let res = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("stops promptly");
    res.unwrap().unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}

/// Damaged files (random bytes overwritten, truncations) of every kind are
/// answered 200, 415 or 422 — never a 500 or a dead server — even where a
/// parser might panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_uploads_never_break_the_server() {
    let db = common::sqlite().await;
    let c = Client::open(&db).await;
    let key = c.key(&["f"]).await;
    c.create_project(&key, "f").await;
    let originals: Vec<(&str, Vec<u8>)> = vec![
        ("d.pdf", common::pdf("Some text on a page")),
        (
            "b.xlsx",
            common::xlsx(&[(
                "S",
                vec![vec!["a".into(), "b".into()], vec!["1".into(), "x".into()]],
            )]),
        ),
        ("m.docx", common::docx("memo", &[&["k", "v"], &["a", "1"]])),
        ("t.csv", people_csv(5).into_bytes()),
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (name, original) in &originals {
        for round in 0..60 {
            let mut bytes = original.clone();
            if round % 4 == 0 {
                bytes.truncate((next() as usize) % bytes.len());
            } else {
                for _ in 0..1 + round % 8 {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
            }
            let r = c
                .upload(
                    "/upload/unstructured",
                    Some(&key),
                    &[("project", "f")],
                    (name, &bytes),
                )
                .await;
            assert!(
                [
                    StatusCode::OK,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                ]
                .contains(&r.status),
                "{name} round {round}: {} {}",
                r.status,
                r.text
            );
        }
    }
    assert_eq!(c.get("/readyz", None).await.status, StatusCode::OK);
}
