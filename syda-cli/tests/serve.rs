//! `syda serve` as a process: `--create-key` prints a key once and stores
//! only its hash; the server answers over TCP, stops cleanly on SIGTERM and
//! finds its data again after a restart.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn syda() -> Command {
    Command::new(env!("CARGO_BIN_EXE_syda"))
}

fn create_key(db: &Path, args: &[&str]) -> std::process::Output {
    syda()
        .args(["serve", "--sqlite"])
        .arg(db)
        .arg("--create-key")
        .args(args)
        .output()
        .unwrap()
}

/// Starts the server on a free port; returns it and the port it logged.
fn start(db: &Path) -> (Child, u16) {
    let mut child = syda()
        .args(["serve", "--bind", "127.0.0.1:0", "--sqlite"])
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some(at) = line.find("http://127.0.0.1:") {
            let digits: String = line[at + 17..].chars().take_while(char::is_ascii_digit).collect();
            break digits.parse().unwrap();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

fn request(port: u16, method: &str, path: &str, key: &str, body: &str) -> String {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        sock,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    answer
}

fn stop(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "a clean stop on SIGTERM: {exit:?}");
}

#[test]
fn create_key_prints_a_key_once_and_stores_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let out = create_key(&db, &["--project", "demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("syda_") && key.len() > 70, "{key}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("demo"));
    let stored = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("s.db-wal")).unwrap_or_default();
    for bytes in [&stored, &wal] {
        assert!(
            !String::from_utf8_lossy(bytes).contains(&key[10..]),
            "the key itself is not stored"
        );
    }

    let out = create_key(&db, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--project"));
}

#[test]
fn serves_stops_on_sigterm_and_keeps_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let out = create_key(&db, &["--project", "demo"]);
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let (child, port) = start(&db);
    let created = request(
        port,
        "POST",
        "/projects",
        &key,
        r#"{"name":"demo","description":"kept"}"#,
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let denied = request(port, "GET", "/projects", "syda_bad_key", "");
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    stop(child);

    let (child, port) = start(&db);
    let project = request(port, "GET", "/projects/demo", &key, "");
    assert!(
        project.starts_with("HTTP/1.1 200") && project.contains("\"kept\""),
        "{project}"
    );
    stop(child);
}
