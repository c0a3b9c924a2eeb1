//! The REST API from the outside, one behaviour per test; every test runs
//! on SQLite and on the local PostgreSQL (`name::sqlite`, `name::postgres`),
//! each over a fresh database.

#[macro_use]
mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::Client;
use serde_json::{Value, json};
use syda_server::db::AuditFilter;

const TWO_TABLES: &str = "tables:\n  departments:\n    columns:\n      id: { type: integer, primary_key: true }\n      name: { type: text, unique: true, max_length: 60 }\n  employees:\n    columns:\n      id: { type: integer, primary_key: true }\n      department_id: { type: integer, foreign_key: departments.id }\n      email: email\n";

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

fn sheet(n: usize) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["sku".to_owned(), "price".to_owned(), "color".to_owned()]];
    rows.extend((0..n).map(|i| {
        vec![
            format!("SKU-{i:04}"),
            format!("{}.5", 10 + i),
            ["red", "blue"][i % 2].to_owned(),
        ]
    }));
    rows
}

/// A workbook of two sheets: `Products` (12 rows) and `Stock` (2 rows).
fn book() -> Vec<u8> {
    common::xlsx(&[
        ("Products", sheet(12)),
        (
            "Stock",
            vec![vec!["qty".into()], vec!["4".into()], vec!["9".into()]],
        ),
    ])
}

/// A generation request for project `p` of TWO_TABLES, with `patch` applied.
fn generate_body(patch: Value) -> Value {
    let mut b = json!({ "project": "p", "schema": TWO_TABLES, "rows": 2 });
    for (k, v) in patch.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

fn unscoped() -> AuditFilter {
    AuditFilter {
        unscoped: true,
        ..AuditFilter::default()
    }
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

/// Starts a job of 3000 rows in project `p` and returns its id.
async fn start_job(c: &Client, key: &str) -> String {
    let body = json!({ "project": "p", "schema": TWO_TABLES, "rows": 600, "sizes": { "employees": 2400 } });
    let r = c.post("/generate", Some(key), &body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.json()["job_id"].as_str().unwrap().to_owned()
}

/// Starts a job in project `p` that cannot succeed (2000 unique values from 10).
async fn start_failing_job(c: &Client, key: &str) -> String {
    let impossible = json!({ "project": "p", "rows": 2000, "schema": { "tables": { "t": { "columns": { "v": { "type": "integer", "unique": true, "range": { "min": 1, "max": 10 } } } } } } });
    let r = c.post("/generate", Some(key), &impossible).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.json()["job_id"].as_str().unwrap().to_owned()
}

backend_tests! {
    // ---- authentication and projects ----

    async fn a_request_without_a_key_is_401_and_audited_under_the_path_project(c: Client) {
        let r = c.get("/projects/alpha/transactions", None).await;
        assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthorized");
        let row = c.last_row("list_transactions").await;
        assert_eq!((row.project.as_deref(), row.http_status, row.caller), (Some("alpha"), 401, None));
        assert!(row.error.unwrap().contains("missing API key"));
    }

    async fn an_unknown_key_is_401(c: Client) {
        let r = c.get("/projects", Some("syda_000000000000_deadbeef")).await;
        assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthorized");
        assert_eq!(c.last_row("list_projects").await.http_status, 401);
    }

    async fn creating_a_project_answers_201_and_its_creator_may_use_it(c: Client) {
        let key = c.key(&[]).await;
        let r = c.post("/projects", Some(&key), &json!({ "name": "alpha", "description": "first" })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["description"], "first");
        assert_eq!(c.get("/projects/alpha", Some(&key)).await.status, StatusCode::OK);
    }

    async fn a_taken_project_name_is_409(c: Client) {
        let key = c.project_key("alpha").await;
        let r = c.post("/projects", Some(&key), &json!({ "name": "alpha" })).await;
        assert_eq!(r.error_code(StatusCode::CONFLICT), "project_exists");
    }

    async fn a_project_name_outside_the_pattern_is_422(c: Client) {
        let key = c.key(&[]).await;
        let r = c.post("/projects", Some(&key), &json!({ "name": "no spaces; please" })).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_name");
    }

    async fn malformed_json_is_400_and_readable_in_the_admin_audit(c: Client) {
        let key = c.key(&[]).await;
        let r = c.send(Method::POST, "/projects", Some(&key), Some("application/json"), b"{not json".to_vec()).await;
        assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "bad_request");
        let admin = c.admin_key().await;
        let page = c.get("/audit?http_status=400", Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let items = page.json()["items"].clone();
        assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
        assert_eq!(items[0]["operation"], "create_project");
        assert_eq!(items[0]["project"], Value::Null);
    }

    async fn a_body_that_is_not_json_is_415_and_audited(c: Client) {
        let key = c.key(&[]).await;
        let r = c.send(Method::POST, "/projects", Some(&key), Some("text/plain"), b"{}".to_vec()).await;
        assert_eq!(r.error_code(StatusCode::UNSUPPORTED_MEDIA_TYPE), "unsupported_media_type");
        let rows = c.audit_where(&unscoped()).await;
        assert!(rows.iter().any(|t| t.http_status == 415 && t.operation == "create_project"), "{rows:?}");
    }

    async fn each_key_lists_its_own_projects_and_an_admin_key_all(c: Client) {
        let alpha = c.project_key("alpha").await;
        let beta = c.project_key("beta").await;
        let admin = c.admin_key().await;
        let names = |r: common::Resp| -> Vec<String> {
            r.json().as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(names(c.get("/projects", Some(&alpha)).await), ["alpha"]);
        assert_eq!(names(c.get("/projects", Some(&beta)).await), ["beta"]);
        assert_eq!(names(c.get("/projects", Some(&admin)).await), ["alpha", "beta"]);
    }

    async fn another_projects_data_is_403(c: Client) {
        let alpha = c.project_key("alpha").await;
        c.project_key("beta").await;
        for uri in ["/projects/beta", "/projects/beta/transactions"] {
            assert_eq!(c.get(uri, Some(&alpha)).await.error_code(StatusCode::FORBIDDEN), "forbidden", "{uri}");
        }
        let r = c.post("/generate", Some(&alpha), &json!({ "project": "beta", "schema": { "id": "integer" }, "rows": 1 })).await;
        assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    }

    async fn a_missing_project_is_404(c: Client) {
        let admin = c.admin_key().await;
        assert_eq!(c.get("/projects/nope", Some(&admin)).await.error_code(StatusCode::NOT_FOUND), "not_found");
    }

    async fn only_admin_keys_create_keys(c: Client) {
        let alpha = c.project_key("alpha").await;
        let r = c.post("/admin/keys", Some(&alpha), &json!({ "projects": ["alpha"] })).await;
        assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    }

    async fn a_key_made_by_an_admin_works_for_its_projects_only(c: Client) {
        c.project_key("alpha").await;
        c.project_key("beta").await;
        let admin = c.admin_key().await;
        let r = c.post("/admin/keys", Some(&admin), &json!({ "projects": ["beta"] })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let made = r.json()["key"].as_str().unwrap().to_owned();
        assert_eq!(c.get("/projects/beta", Some(&made)).await.status, StatusCode::OK);
        assert_eq!(c.get("/projects/alpha", Some(&made)).await.status, StatusCode::FORBIDDEN);
        let row = c.last_row("create_key").await;
        assert!(!row.parameters.to_string().contains(&made), "the key is never stored");
    }

    async fn a_body_that_is_not_an_object_is_422(c: Client) {
        let admin = c.admin_key().await;
        let r = c.post("/admin/keys", Some(&admin), &json!([[]])).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_body");
    }

    async fn a_key_may_name_a_project_twice(c: Client) {
        c.project_key("beta").await;
        let admin = c.admin_key().await;
        let r = c.post("/admin/keys", Some(&admin), &json!({ "projects": ["beta", "beta"] })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.json()["projects"], json!(["beta"]));
    }

    // ---- the audit trail ----

    async fn a_projects_audit_pages_are_newest_first_and_sized_as_asked(c: Client) {
        let key = c.project_key("alpha").await;
        for _ in 0..3 {
            c.get("/projects/alpha", Some(&key)).await;
        }
        let r = c.get("/projects/alpha/transactions?limit=2&offset=1", Some(&key)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = r.json();
        let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids[0] > ids[1], "newest first: {ids:?}");
        assert_eq!((page["limit"].clone(), page["offset"].clone(), page["total"].clone()), (json!(2), json!(1), json!(4)), "{page}");
    }

    async fn a_page_out_of_range_is_422(c: Client) {
        let key = c.project_key("alpha").await;
        let r = c.get("/projects/alpha/transactions?limit=100000", Some(&key)).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "bad_page");
    }

    async fn an_unparsable_page_is_400(c: Client) {
        let key = c.project_key("alpha").await;
        let r = c.get("/projects/alpha/transactions?limit=many", Some(&key)).await;
        assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "bad_request");
    }

    async fn a_failed_request_row_names_its_caller_and_error_but_never_the_key(c: Client) {
        let key = c.project_key("alpha").await;
        c.post("/projects", Some(&key), &json!({ "name": "alpha" })).await;
        let row = c.audit("alpha").await.into_iter().find(|t| t.http_status == 409).expect("the 409 is audited");
        assert_eq!(row.status, "error");
        assert!(row.error.as_deref().unwrap().contains("already exists"));
        assert_eq!(row.caller.as_deref(), key.split('_').nth(1), "the caller is the key's id");
        assert!(!format!("{row:?}").contains(&key));
    }

    async fn the_admin_audit_shows_requests_without_a_project_filtered(c: Client) {
        let admin = c.admin_key().await;
        c.get("/projects", None).await;
        c.get("/projects/ghost", Some(&admin)).await;
        c.get("/nowhere", Some(&admin)).await;
        let r = c.get("/audit?unscoped=true&http_status=401", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = r.json();
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["operation"], "list_projects");
        let r = c.get("/audit?unscoped=true", Some(&admin)).await.json();
        let ops: HashSet<String> = r["items"].as_array().unwrap().iter().map(|t| t["operation"].as_str().unwrap().to_owned()).collect();
        assert!(ops.is_superset(&HashSet::from(["list_projects".into(), "get_project".into(), "unknown_endpoint".into()])), "{ops:?}");
        let ghost = c.get("/audit?project=ghost", Some(&admin)).await.json();
        assert_eq!(ghost["items"][0]["http_status"], 404, "{ghost}");
    }

    async fn the_admin_audit_needs_an_admin_key(c: Client) {
        let key = c.project_key("alpha").await;
        assert_eq!(c.get("/audit", Some(&key)).await.error_code(StatusCode::FORBIDDEN), "forbidden");
        assert_eq!(c.get("/audit", None).await.error_code(StatusCode::UNAUTHORIZED), "unauthorized");
    }

    async fn an_api_key_pasted_into_a_prompt_is_not_stored(c: Client) {
        let key = c.project_key("p").await;
        let secret = "sk-proj-Zx9QwErTyUiOp1234567890abcdEF";
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "prompt": format!("use my key {secret} for it") }))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let row = c.last_row("generate").await;
        assert_eq!(row.parameters["prompt"], "use my key [redacted] for it");
        assert!(!format!("{row:?}").contains(secret));
    }

    async fn an_unknown_endpoint_is_404_and_audited(c: Client) {
        assert_eq!(c.get("/nowhere", None).await.error_code(StatusCode::NOT_FOUND), "not_found");
        assert_eq!(c.last_row("unknown_endpoint").await.http_status, 404);
    }

    async fn a_method_a_route_lacks_is_405_and_audited(c: Client) {
        let r = c.send(Method::DELETE, "/projects", None, None, Vec::new()).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(c.last_row("unsupported_method").await.http_status, 405);
    }

    // ---- control characters: refused before anything is stored ----

    async fn a_nul_in_a_project_name_is_422_and_audited(c: Client) {
        let key = c.key(&[]).await;
        let r = c.post("/projects", Some(&key), &json!({ "name": "a\u{0}b" })).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "control_character");
        let row = c.last_row("create_project").await;
        assert_eq!(row.http_status, 422);
    }

    async fn a_nul_in_a_description_is_422(c: Client) {
        let key = c.key(&[]).await;
        let r = c.post("/projects", Some(&key), &json!({ "name": "ok", "description": "x\u{0}y" })).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "control_character");
        assert!(r.text.contains("`description`"), "{}", r.text);
        let admin = c.admin_key().await;
        assert_eq!(c.get("/projects/ok", Some(&admin)).await.status, StatusCode::NOT_FOUND, "nothing stored");
    }

    async fn a_nul_in_a_path_segment_is_422_and_audited(c: Client) {
        let key = c.key(&[]).await;
        let r = c.get("/projects/a%00b", Some(&key)).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_name");
        let row = c.last_row("get_project").await;
        assert_eq!((row.http_status, row.project.as_deref()), (422, Some("a\\u{0}b")));
    }

    async fn a_nul_in_a_job_id_is_422_and_audited(c: Client) {
        let key = c.key(&[]).await;
        let r = c.get("/jobs/x%00y/result", Some(&key)).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "control_character");
        assert_eq!(c.last_row("get_job_result").await.job_id.as_deref(), Some("x\\u{0}y"));
    }

    async fn a_nul_in_generate_fields_is_422(c: Client) {
        let key = c.project_key("p").await;
        for patch in [json!({ "project": "p\u{0}" }), json!({ "table": "t\u{0}" }), json!({ "sizes": { "e\u{0}": 1 } })] {
            let r = c.post("/generate", Some(&key), &generate_body(patch.clone())).await;
            assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "control_character", "{patch}");
        }
        assert_eq!(c.last_row("generate").await.http_status, 422);
    }

    async fn a_nul_in_a_query_parameter_is_422(c: Client) {
        let admin = c.admin_key().await;
        let r = c.get("/audit?operation=a%00", Some(&admin)).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "control_character");
    }

    async fn a_nul_in_an_upload_field_is_422(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[("project", "u"), ("seed", "1\u{0}")], ("p.csv", b"a\n1\n")).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "control_character");
    }

    // ---- generation ----

    async fn a_yaml_schema_gives_related_tables(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "rows": 5, "sizes": { "employees": 20 } }))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let body = r.json();
        assert_eq!(body["rows"], json!({ "departments": 5, "employees": 20 }));
        let dept_ids: HashSet<i64> = body["tables"]["departments"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
        assert_eq!(dept_ids.len(), 5);
        for e in body["tables"]["employees"].as_array().unwrap() {
            assert!(dept_ids.contains(&e["department_id"].as_i64().unwrap()), "{e}");
            assert!(e["email"].as_str().unwrap().contains('@'));
        }
    }

    async fn the_same_seed_gives_the_same_rows(c: Client) {
        let key = c.project_key("p").await;
        let a = c.post("/generate", Some(&key), &generate_body(json!({ "seed": 7 }))).await.text;
        let b = c.post("/generate", Some(&key), &generate_body(json!({ "seed": 7 }))).await.text;
        let other = c.post("/generate", Some(&key), &generate_body(json!({ "seed": 8 }))).await.text;
        assert_eq!(a, b);
        assert_ne!(a, other);
    }

    async fn a_flat_column_map_can_be_answered_as_csv(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &json!({ "project": "p", "schema": { "id": "integer", "email": "email" }, "rows": 3, "format": "csv" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.content_type.starts_with("text/csv"));
        let lines: Vec<&str> = r.text.lines().collect();
        assert_eq!((lines.len(), lines[0]), (4, "id,email"), "{}", r.text);
    }

    async fn csv_of_a_named_table_has_its_header(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "format": "csv", "table": "employees" }))).await;
        assert_eq!((r.status, r.text.lines().next()), (StatusCode::OK, Some("id,department_id,email")));
    }

    async fn csv_of_two_tables_without_table_is_422(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "format": "csv" }))).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "csv_needs_one_table");
    }

    async fn engine_llm_without_a_provider_is_422_naming_the_variables(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "engine": "llm" }))).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "engine_unavailable");
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("SYDA_PROVIDER") && message.contains("OPENAI_BASE_URL"), "{message}");
    }

    async fn an_unknown_engine_is_422_listing_the_engines(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "engine": "string" }))).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_body");
        assert!(r.text.contains("offline") && r.text.contains("stats"), "{}", r.text);
    }

    async fn an_invalid_schema_is_422_naming_the_problem(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "schema": "tables:\n  t:\n    columns:\n      a: { type: nosuchtype }\n" }))).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_schema");
        assert!(r.text.contains("nosuchtype"), "{}", r.text);
    }

    async fn a_missing_schema_is_422(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &json!({ "project": "p" })).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_body");
        let r = c.post("/generate", Some(&key), &json!({ "project": "p", "schema": null })).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_schema");
    }

    async fn more_rows_than_the_cap_is_422(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "rows": 60_000 }))).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "too_many_rows");
    }

    async fn sizes_of_an_unknown_table_is_422(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate", Some(&key), &generate_body(json!({ "sizes": { "ghost": 1 } }))).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "unknown_table");
    }

    async fn test_data_carries_a_clean_check_report(c: Client) {
        let key = c.project_key("p").await;
        let r = c.post("/generate/test-data", Some(&key), &json!({ "project": "p", "schema": TWO_TABLES })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let body = r.json();
        assert_eq!((body["check"]["clean"].clone(), body["rows"]["employees"].clone()), (json!(true), json!(10)), "{body}");
        assert_eq!(c.last_row("generate_test_data").await.rows_out, Some(20));
    }

    async fn a_generation_row_records_rows_tables_and_prompt(c: Client) {
        let key = c.project_key("p").await;
        c.post("/generate", Some(&key), &generate_body(json!({ "rows": 5, "sizes": { "employees": 20 }, "prompt": "a small firm" }))).await;
        let row = c.last_row("generate").await;
        assert_eq!((row.status.as_str(), row.rows_out, row.http_status), ("ok", Some(25), 200));
        assert_eq!(row.parameters["prompt"], "a small firm");
        assert_eq!(row.parameters["tables"], json!(["departments", "employees"]));
    }

    async fn a_float_range_as_wide_as_f64_gives_finite_values(c: Client) {
        let key = c.project_key("p").await;
        let schema = json!({ "tables": { "t": { "columns": { "x": { "type": "float", "range": [-1e308, 1e308] } } } } });
        let r = c.post("/generate", Some(&key), &json!({ "project": "p", "schema": schema, "rows": 50 })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let xs: Vec<f64> = r.json()["tables"]["t"].as_array().unwrap().iter().map(|row| row["x"].as_f64().unwrap()).collect();
        assert!(xs.iter().all(|x| x.is_finite() && x.abs() <= 1e308), "{xs:?}");
        assert!(xs.iter().any(|x| x.abs() > 1e300), "spread over the range: {xs:?}");
    }

    async fn an_unreadable_range_bound_is_an_invalid_schema_naming_the_column(c: Client) {
        let key = c.project_key("p").await;
        let schema = "tables:\n  t:\n    columns:\n      x: { type: float, range: [-.inf, 1] }\n";
        let r = c.post("/generate", Some(&key), &json!({ "project": "p", "schema": schema })).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "invalid_schema");
        assert!(r.text.contains("column `x`") && r.text.contains("`range`"), "{}", r.text);
    }

    async fn the_openapi_examples_succeed(c: Client) {
        let key = c.key(&[]).await;
        let spec = c.get("/openapi.json", None).await.json();
        let schemas = &spec["components"]["schemas"];
        let r = c.post("/projects", Some(&key), &schemas["CreateProject"]["example"]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        for path in ["/generate", "/generate/test-data"] {
            let r = c.post(path, Some(&key), &schemas["GenerateRequest"]["example"]).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        }
        let admin = c.admin_key().await;
        let r = c.post("/admin/keys", Some(&admin), &schemas["CreateKey"]["example"]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }

    // ---- uploads ----

    async fn a_csv_upload_gives_look_alike_rows(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[("project", "u"), ("seed", "3")], ("people.csv", people_csv(30).as_bytes())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let body = r.json();
        let rows = body["tables"]["people"].as_array().unwrap();
        assert_eq!(rows.len(), 30, "as many rows as the file by default");
        for row in rows {
            assert!(["free", "pro", "team"].contains(&row["plan"].as_str().unwrap()), "{row}");
            assert!((20..=59).contains(&row["age"].as_i64().unwrap()), "{row}");
        }
    }

    async fn a_csv_upload_takes_rows_and_format(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[("project", "u"), ("rows", "45"), ("format", "csv")], ("people.csv", people_csv(30).as_bytes())).await;
        assert_eq!((r.status, r.text.lines().count()), (StatusCode::OK, 46), "{}", r.text);
    }

    async fn a_malformed_csv_is_422(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[("project", "u")], ("bad.csv", b"a,b\n1,2\n3\n")).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "malformed_file");
    }

    async fn an_upload_over_the_size_limit_is_413_and_audited(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[("project", "u")], ("big.csv", &vec![b'x'; 300 * 1024])).await;
        assert_eq!(r.error_code(StatusCode::PAYLOAD_TOO_LARGE), "payload_too_large");
        assert_eq!(c.last_row("upload_generate").await.http_status, 413);
    }

    async fn an_upload_over_the_row_cap_is_422(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[("project", "u"), ("rows", "999999")], ("people.csv", people_csv(3).as_bytes())).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "too_many_rows");
    }

    async fn an_upload_without_a_project_is_422(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/generate", Some(&key), &[], ("people.csv", people_csv(3).as_bytes())).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "missing_field");
    }

    async fn an_upload_without_a_key_is_401(c: Client) {
        let r = c.upload("/upload/generate", None, &[("project", "u")], ("people.csv", people_csv(3).as_bytes())).await;
        assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthorized");
    }

    async fn an_upload_row_records_rows_and_the_file(c: Client) {
        let key = c.project_key("u").await;
        c.upload("/upload/generate", Some(&key), &[("project", "u")], ("people.csv", people_csv(30).as_bytes())).await;
        let row = c.last_row("upload_generate").await;
        assert_eq!((row.rows_in, row.rows_out), (Some(30), Some(30)));
        assert_eq!(row.parameters["file"], json!({ "name": "people.csv", "bytes": people_csv(30).len() }));
    }

    async fn an_unknown_form_field_is_422_naming_the_fields_read(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u"), ("rows", "3")], ("notes.txt", b"x")).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "unknown_field");
        assert!(r.text.contains("`rows`") && r.text.contains("project"), "{}", r.text);
    }

    async fn a_text_file_comes_back_as_text(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("notes.txt", b"plain notes\nline two")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v = r.json();
        assert_eq!((v["kind"].clone(), v["text"].clone(), v["schema"].clone()), (json!("text"), json!("plain notes\nline two"), Value::Null));
    }

    async fn a_csv_file_gives_a_table_and_a_schema(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("people.csv", people_csv(30).as_bytes())).await;
        let v = r.json();
        assert_eq!(v["tables"][0]["row_count"], 30, "{v}");
        assert_eq!(v["schema"]["tables"]["people"]["columns"]["id"]["type"], "integer", "{v}");
        assert_eq!(c.last_row("upload_unstructured").await.rows_in, Some(30));
    }

    async fn a_docx_gives_its_text_and_tables(c: Client) {
        let key = c.project_key("u").await;
        let docx = common::docx("Quarterly memo", &[&["city", "visits"], &["Oslo", "3"], &["Rome", "5"]]);
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("memo.docx", &docx)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v = r.json();
        assert!(v["text"].as_str().unwrap().contains("Quarterly memo"));
        assert_eq!(v["tables"][0]["headers"], json!(["city", "visits"]));
        assert_eq!(v["schema"]["tables"]["table_1"]["columns"]["visits"]["type"], "integer", "{v}");
    }

    async fn a_pdf_gives_its_text(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("report.pdf", &common::pdf("Hello from a PDF"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.json()["text"].as_str().unwrap().contains("Hello from a PDF"), "{}", r.text);
    }

    async fn a_workbook_gives_a_table_per_sheet(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("book.xlsx", &book())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v = r.json();
        assert_eq!((v["kind"].clone(), v["tables"].as_array().unwrap().len()), (json!("xlsx"), 2), "{v}");
        assert_eq!(v["schema"]["tables"]["products"]["columns"]["price"]["type"], "float", "{v}");
    }

    async fn an_image_gives_its_metadata(c: Client) {
        let key = c.project_key("u").await;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\x00\0\0\0\x80\x08\x02\0\0\0";
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("pic.png", png)).await;
        assert_eq!(r.json()["image"], json!({ "format": "Png", "width": 256, "height": 128 }), "{}", r.text);
    }

    async fn malformed_documents_are_422_and_unknown_binaries_415(c: Client) {
        let key = c.project_key("u").await;
        let mut broken_pdf = common::pdf("x");
        broken_pdf.truncate(40);
        let book = book();
        for (name, bytes, status) in [
            ("broken.pdf", broken_pdf, StatusCode::UNPROCESSABLE_ENTITY),
            ("fake.pdf", b"this is not a pdf".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
            ("broken.xlsx", b"PK\x03\x04garbage-garbage-garbage".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
            ("text.xlsx", b"id,name\n1,a\n".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
            ("broken.docx", book[..book.len() / 2].to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
            ("blob.bin", vec![0, 159, 146, 150, 255, 0, 1], StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ] {
            let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], (name, &bytes)).await;
            r.error_code(status);
        }
        assert_eq!(c.last_row("upload_unstructured").await.http_status, 415);
    }

    async fn far_away_cells_are_one_row_and_too_wide_sheets_refused(c: Client) {
        let key = c.project_key("u").await;
        let far = common::xlsx_raw(&[("Far", r#"<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row><row r="1048576"><c r="A1048576"><v>7</v></c></row>"#.to_owned())]);
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("far.xlsx", &far)).await;
        assert_eq!(r.json()["tables"][0]["rows"], json!([["7"]]), "{}", r.text);
        let wide = common::xlsx_raw(&[("Wide", r#"<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>"#.to_owned())]);
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("wide.xlsx", &wide)).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "too_many_columns");
    }

    async fn a_zip_bomb_is_refused_by_its_real_size(c: Client) {
        let key = c.project_key("u").await;
        let bomb = common::docx(&"A".repeat(6 * 1024 * 1024), &[]);
        assert!(bomb.len() < 200 * 1024);
        let r = c.upload("/upload/unstructured", Some(&key), &[("project", "u")], ("bomb.docx", &bomb)).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "file_too_large");
    }

    async fn a_workbook_gives_rows_per_sheet(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured/generate", Some(&key), &[("project", "u")], ("book.xlsx", &book())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v = r.json();
        assert_eq!(v["rows"], json!({ "products": 12, "stock": 2 }), "{v}");
        for p in v["tables"]["products"].as_array().unwrap() {
            assert!(["red", "blue"].contains(&p["color"].as_str().unwrap()), "{p}");
        }
    }

    async fn a_workbooks_rows_field_sets_every_sheets_rows(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured/generate", Some(&key), &[("project", "u"), ("rows", "7")], ("book.xlsx", &book())).await;
        assert_eq!(r.json()["rows"], json!({ "products": 7, "stock": 7 }), "{}", r.text);
    }

    async fn csv_of_a_workbook_returns_the_sheet_named_by_table(c: Client) {
        let key = c.project_key("u").await;
        for table in ["Stock", "stock"] {
            let r = c.upload("/upload/unstructured/generate", Some(&key), &[("project", "u"), ("format", "csv"), ("table", table)], ("book.xlsx", &book())).await;
            assert_eq!(r.status, StatusCode::OK, "{table}: {}", r.text);
            assert_eq!(r.text.lines().next(), Some("qty"), "{}", r.text);
            assert_eq!(r.text.lines().count(), 3, "{}", r.text);
        }
    }

    async fn csv_of_a_workbook_without_table_is_422_naming_the_field(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured/generate", Some(&key), &[("project", "u"), ("format", "csv")], ("book.xlsx", &book())).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "csv_needs_one_table");
        assert!(r.text.contains("`table`"), "{}", r.text);
        let r = c.upload("/upload/unstructured/generate", Some(&key), &[("project", "u"), ("format", "csv"), ("table", "ghost")], ("book.xlsx", &book())).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "unknown_table");
    }

    async fn generating_from_a_non_workbook_is_422(c: Client) {
        let key = c.project_key("u").await;
        let r = c.upload("/upload/unstructured/generate", Some(&key), &[("project", "u")], ("people.csv", people_csv(3).as_bytes())).await;
        assert_eq!(r.error_code(StatusCode::UNPROCESSABLE_ENTITY), "malformed_file");
    }

    // ---- jobs ----

    async fn a_large_request_runs_as_a_job_whose_result_downloads(c: Client) {
        let key = c.project_key("p").await;
        let id = start_job(&c, &key).await;
        let done = wait_for_job(&c, &key, &id).await;
        assert_eq!((done["status"].clone(), done["progress"].clone()), (json!("succeeded"), json!(3000)), "{done}");
        assert!(done["finished_at"].is_string());
        let r = c.get(&format!("/jobs/{id}/result"), Some(&key)).await;
        assert_eq!(r.status, StatusCode::OK);
        let body = r.json();
        assert_eq!(body["rows"], json!({ "departments": 600, "employees": 2400 }));
        assert_eq!(body["tables"]["employees"].as_array().unwrap().len(), 2400);
    }

    async fn another_projects_job_is_403(c: Client) {
        let key = c.project_key("p").await;
        let other = c.project_key("k").await;
        let id = start_job(&c, &key).await;
        for uri in [format!("/jobs/{id}"), format!("/jobs/{id}/result")] {
            assert_eq!(c.get(&uri, Some(&other)).await.error_code(StatusCode::FORBIDDEN), "forbidden", "{uri}");
        }
        wait_for_job(&c, &key, &id).await;
    }

    async fn an_unknown_job_is_404(c: Client) {
        let key = c.project_key("p").await;
        for id in ["00000000-0000-0000-0000-000000000000", "not-a-uuid"] {
            assert_eq!(c.get(&format!("/jobs/{id}"), Some(&key)).await.error_code(StatusCode::NOT_FOUND), "not_found");
        }
    }

    async fn a_failing_job_is_failed_and_its_result_409(c: Client) {
        let key = c.project_key("p").await;
        let id = start_failing_job(&c, &key).await;
        let done = wait_for_job(&c, &key, &id).await;
        assert_eq!(done["status"], "failed", "{done}");
        assert!(!done["error"].as_str().unwrap().is_empty());
        let r = c.get(&format!("/jobs/{id}/result"), Some(&key)).await;
        assert_eq!(r.error_code(StatusCode::CONFLICT), "job_failed");
    }

    async fn a_job_has_started_and_succeeded_rows(c: Client) {
        let key = c.project_key("p").await;
        let id = start_job(&c, &key).await;
        wait_for_job(&c, &key, &id).await;
        let rows: Vec<_> = c.audit("p").await.into_iter().filter(|t| t.job_id.as_deref() == Some(&id) && t.operation != "get_job").collect();
        // The job may end before the request's own row is written: compare as a set.
        let seen: HashSet<(&str, &str, i64)> = rows.iter().map(|t| (t.operation.as_str(), t.status.as_str(), t.http_status)).collect();
        let expected = HashSet::from([("generate_job", "started", 202), ("generate", "accepted", 202), ("generate_job", "succeeded", 200)]);
        assert_eq!((rows.len(), seen), (3, expected));
        let succeeded = rows.iter().find(|t| t.status == "succeeded").unwrap();
        assert_eq!(succeeded.rows_out, Some(3000));
        assert!(rows.iter().all(|t| t.caller.as_deref() == key.split('_').nth(1)));
    }

    async fn a_failed_job_has_a_failed_row_with_its_error(c: Client) {
        let key = c.project_key("p").await;
        let id = start_failing_job(&c, &key).await;
        wait_for_job(&c, &key, &id).await;
        let row = c.audit("p").await.into_iter().find(|t| t.job_id.as_deref() == Some(&id) && t.status == "failed").expect("a failed row");
        assert_eq!((row.operation.as_str(), row.http_status), ("generate_job", 422));
        assert!(row.error.is_some());
    }

    async fn a_job_cut_off_by_a_restart_is_failed_with_an_interrupted_row(c: Client) {
        let key = c.project_key("p").await;
        // A job an earlier process left running (as after SIGKILL).
        c.state.db.insert_job("left-running", "p", "generate", 10, "x").await.unwrap();
        let c = c.restart().await;
        let job = c.get("/jobs/left-running", Some(&key)).await;
        assert_eq!(job.status, StatusCode::NOT_FOUND, "job ids are UUIDs");
        let row = c.last_row("generate_job").await;
        assert_eq!((row.status.as_str(), row.job_id.as_deref(), row.project.as_deref()), ("interrupted", Some("left-running"), Some("p")));
        assert!(row.error.unwrap().contains("stopped"));
        let again = c.restart().await;
        assert_eq!(again.audit_where(&AuditFilter { operation: Some("generate_job".into()), ..Default::default() }).await.len(), 1, "written once");
    }

    async fn a_job_cut_off_by_a_restart_reads_as_failed(c: Client) {
        let key = c.project_key("p").await;
        let id = "0b5e3a52-7d3c-4f64-9d7e-7a1c2b3d4e5f";
        c.state.db.insert_job(id, "p", "generate", 10, "x").await.unwrap();
        let c = c.restart().await;
        let job = c.get(&format!("/jobs/{id}"), Some(&key)).await.json();
        assert_eq!(job["status"], "failed");
        assert!(job["error"].as_str().unwrap().contains("stopped"), "{job}");
    }

    async fn keys_projects_and_audit_rows_survive_a_restart(c: Client) {
        let key = c.project_key("r").await;
        c.post("/generate", Some(&key), &json!({ "project": "r", "schema": { "n": "integer" }, "rows": 2 })).await;
        let c = c.restart().await;
        let r = c.get("/projects", Some(&key)).await;
        assert_eq!((r.status, r.json()[0]["name"].clone()), (StatusCode::OK, json!("r")), "{}", r.text);
        let ops: Vec<String> = c.audit("r").await.iter().map(|t| t.operation.clone()).collect();
        assert_eq!(ops, ["generate", "create_project"]);
    }

    // ---- documentation and health ----

    async fn health_and_readiness_answer_without_a_key_and_unaudited(c: Client) {
        assert_eq!(c.get("/healthz", None).await.json()["status"], "ok");
        let r = c.get("/readyz", None).await;
        assert_eq!((r.status, r.json()["status"].clone()), (StatusCode::OK, json!("ready")));
        c.get("/openapi.json", None).await;
        assert_eq!(c.state.db.transaction_count().await.unwrap(), 0);
    }

    async fn the_docs_pages_and_their_assets_are_served_without_a_cdn(c: Client) {
        let page = c.get("/docs", None).await;
        assert!(page.content_type.starts_with("text/html") && page.text.contains("swagger-ui-bundle.js"));
        let js = c.get("/docs/swagger-ui-bundle.js", None).await;
        assert!(js.status == StatusCode::OK && js.text.contains("SwaggerUIBundle"));
        assert!(c.get("/docs/swagger-ui.css", None).await.content_type.starts_with("text/css"));
        assert!(c.get("/redoc", None).await.text.contains("redoc.standalone.js"));
        let redoc = c.get("/redoc/redoc.standalone.js", None).await.text;
        assert!(redoc.len() > 500_000);
        assert!(!redoc.contains("cdn.redoc.ly"), "ReDoc must not load its logo from a CDN");
    }
}

/// The OpenAPI document (the same on both backends: checked once).
mod openapi {
    use super::*;

    async fn spec() -> Value {
        let c = Client::start(common::sqlite().await).await;
        c.get("/openapi.json", None).await.json()
    }

    fn operations(spec: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
        out
    }

    #[tokio::test]
    async fn is_openapi_3_1_with_every_route_and_bearer_keys() {
        let spec = spec().await;
        assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
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
            "/audit",
            "/healthz",
            "/readyz",
        ] {
            assert!(spec["paths"][path].is_object(), "{path} missing");
        }
        assert_eq!(
            spec["components"]["securitySchemes"]["api_key"]["scheme"],
            "bearer"
        );
    }

    #[tokio::test]
    async fn page_parameters_are_optional_query_parameters() {
        let spec = spec().await;
        for path in ["/projects/{name}/transactions", "/audit"] {
            let params = spec["paths"][path]["get"]["parameters"].as_array().unwrap();
            for name in ["limit", "offset"] {
                let p = params
                    .iter()
                    .find(|p| p["name"] == name)
                    .unwrap_or_else(|| panic!("{path} {name}"));
                assert_eq!(
                    (p["in"].clone(), p["required"].clone()),
                    (json!("query"), json!(false)),
                    "{path}: {p}"
                );
            }
        }
    }

    #[tokio::test]
    async fn every_error_an_operation_gives_is_documented_with_the_error_body() {
        let spec = spec().await;
        for (method, path, op) in operations(&spec) {
            let responses = op["responses"].as_object().unwrap();
            let secured = op.get("security").is_some();
            let json_body = op["requestBody"]["content"].get("application/json").is_some();
            let mut expected: Vec<&str> = Vec::new();
            if secured {
                expected.extend(["401", "500"]);
            }
            if json_body {
                expected.extend(["400", "413", "415", "422"]);
            }
            if path.contains('{') {
                expected.extend(["404", "422"]);
            }
            for status in expected {
                let r = responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} lacks {status}"));
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }

    #[tokio::test]
    async fn request_fields_are_typed_as_they_are_read() {
        let spec = spec().await;
        let schemas = &spec["components"]["schemas"];
        let generate = &schemas["GenerateRequest"];
        let required: Vec<&str> = generate["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            required.contains(&"project") && required.contains(&"schema"),
            "{required:?}"
        );
        let schema_types = generate["properties"]["schema"]["oneOf"].to_string();
        assert!(
            schema_types.contains("\"string\"") && schema_types.contains("\"object\""),
            "{schema_types}"
        );
        assert!(
            generate["properties"]["fitted"]["oneOf"]
                .to_string()
                .contains("\"array\"")
        );
        assert_eq!(schemas["EngineName"]["enum"], json!(["offline", "llm", "stats"]));
        assert_eq!(schemas["FormatName"]["enum"], json!(["json", "csv"]));
        for pattern in [
            &schemas["CreateProject"]["properties"]["name"]["pattern"],
            &generate["properties"]["project"]["pattern"],
        ] {
            assert_eq!(pattern, syda_server::input::NAME_PATTERN);
        }
        let name = spec["paths"]["/projects/{name}"]["get"]["parameters"][0].clone();
        assert_eq!(
            name["schema"]["pattern"],
            syda_server::input::NAME_PATTERN,
            "{name}"
        );
    }

    #[tokio::test]
    async fn request_bodies_have_examples() {
        let spec = spec().await;
        for name in ["CreateProject", "GenerateRequest", "CreateKey"] {
            assert!(
                spec["components"]["schemas"][name]["example"].is_object(),
                "{name}"
            );
        }
    }
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
    let c = Client::start(common::sqlite().await).await;
    let key = c.project_key("f").await;
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
