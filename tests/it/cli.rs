//! The command line: `check`, `scenarios`, and `serve` as a real process.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kyc-sandbox");

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kyc-sandbox-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_passes_on_the_embedded_defaults() {
    let out = Command::new(BIN).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

#[test]
fn check_reports_every_bad_file_with_its_position() {
    let dir = temp_dir("check");
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::create_dir_all(dir.join("fixtures")).unwrap();
    std::fs::write(
        dir.join("scenarios/bad-status.yaml"),
        "name: bad\nprovider: sumvin\non: review.started\ntimeline:\n  - after: 10s\n    set: { status: approvedd }\n",
    )
    .unwrap();
    std::fs::write(dir.join("scenarios/bad-fact.json"), "{\"name\": \"f\", \"provider\": \"sumvin\",\n \"on\": \"review.started\",\n \"when\": {\"colour\": \"red\"},\n \"timeline\": []}").unwrap();
    std::fs::write(
        dir.join("fixtures/sumvin.yaml"),
        "levels: {}\ndefault_level: x\naccess_token_ttl: 1\nsession_ttl: 1\n",
    )
    .unwrap();
    let out = Command::new(BIN).arg("check").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        stdout.contains("bad-status.yaml:6:") && stdout.contains("unknown variant `approvedd`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bad-fact.json:3:11:") && stdout.contains("unknown fact `colour`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sumvin.yaml:2:1: level `x` must be defined"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scenarios_lists_the_ones_in_force() {
    let out = Command::new(BIN).arg("scenarios").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().count(),
        22 + 36 + 5 + 8 + 6,
        "rebilly, kycaid, hermes, qolo, sumvin: {stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("sumvin-reject-final") && l.contains("\"prefix\":\"reject\"")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("hermes-token-error") && l.contains("named only")),
        "{stdout}"
    );
}

#[test]
fn a_bad_scenario_directory_stops_the_server_at_start() {
    let dir = temp_dir("serve-bad");
    std::fs::write(
        dir.join("x.yaml"),
        "name: x\nprovider: nobody\non: a\ntimeline: []\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["--port", "0", "--scenarios"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("x.yaml:2:1: unknown provider `nobody`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn serve_prints_its_mounts_answers_and_stops_on_sigterm() {
    let log_path = temp_dir("serve").join("stderr.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--seed", "1"])
        .env("KYC_SANDBOX_CLOCK", "frozen:2026-01-01T00:00:00Z")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let rebilly = lines.next().unwrap().unwrap();
    let kycaid = lines.next().unwrap().unwrap();
    let hermes = lines.next().unwrap().unwrap();
    let qolo = lines.next().unwrap().unwrap();
    let sumvin = lines.next().unwrap().unwrap();
    let admin = lines.next().unwrap().unwrap();
    // Each provider at the root of its own port first (a free one with `--port 0`), then under
    // its prefix on the main port.
    for (line, name) in [
        (&rebilly, "rebilly"),
        (&kycaid, "kycaid"),
        (&hermes, "hermes"),
        (&qolo, "qolo"),
        (&sumvin, "sumvin"),
    ] {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{line}");
        assert_eq!(words[0], name, "{line}");
        assert!(words[1].starts_with("http://127.0.0.1:"), "{line}");
        assert_eq!(words[2], "(also", "{line}");
        assert!(words[3].ends_with(&format!("/{name})")), "{line}");
    }
    let kycaid_root = kycaid.split_whitespace().nth(1).unwrap().to_owned();
    assert!(
        admin.starts_with("admin   http://127.0.0.1:") && admin.ends_with("/__admin"),
        "{admin}"
    );
    let admin_url = admin.split_whitespace().nth(1).unwrap().to_owned();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{admin_url}/clock"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(
        clock["clock"]["now"], "2026-01-01T00:00:00Z",
        "flags read their environment variables"
    );
    let countries = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{kycaid_root}/countries"))
            .header("Authorization", "Token t")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(countries, 200, "KYCAID answers at the root of its own port");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
    // One access-log line per request, in actix's Logger layout plus the sandbox clock; the
    // batch still pending at the stop is written before the exit.
    let log = std::fs::read_to_string(&log_path).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("\"GET /countries HTTP/1.1\""))
        .unwrap_or_else(|| panic!("no access line for /countries in:\n{log}"));
    let (header, rest) = line.split_once("] ").unwrap();
    assert!(
        header.starts_with('[') && header.ends_with(" INFO  kyc_sandbox::access"),
        "{line}"
    );
    let words: Vec<&str> = rest.split(' ').collect();
    assert_eq!(words[0], "127.0.0.1", "{line}");
    assert_eq!(words[4], "200", "{line}");
    assert!(words[5].parse::<u64>().unwrap() > 0, "{line}");
    assert!(words[6].ends_with("ms"), "{line}");
    assert_eq!(words[7], "sandbox=2026-01-01T00:00:00+00:00", "{line}");
    assert!(
        log.contains("\"GET /__admin/clock HTTP/1.1\" 200 "),
        "{log}"
    );
}

#[test]
fn a_graceful_shutdown_writes_the_state_file() {
    let dir = temp_dir("state");
    let path = dir.join("state.json");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--port",
            "0",
            "--no-provider-ports",
            "--state-file",
        ])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let kycaid = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find(|l| l.starts_with("kycaid"))
        .unwrap();
    let base = kycaid.split_whitespace().nth(1).unwrap().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/applicants"))
            .header("Authorization", "Token shutdown-token")
            .json(&serde_json::json!({"type": "PERSON", "first_name": "Ann", "last_name": "Lee"}))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    assert!(!path.exists());
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state written")).unwrap();
    assert_eq!(saved["format_version"], 1);
    assert_eq!(
        saved["providers"]["kycaid"]["tenants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Review M6: with `--host 0.0.0.0` the printed URLs named `0.0.0.0`, which the admin API
/// refuses as a `Host`; they name loopback instead.
#[test]
fn listening_on_every_address_prints_loopback_urls() {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-provider-ports",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let admin = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find(|l| l.starts_with("admin"))
        .unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let url = admin.split_whitespace().nth(1).unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{admin}");
    assert!(url.ends_with("/__admin"), "{admin}");
    assert!(!admin.contains("0.0.0.0"), "{admin}");
}

/// Review M7: a `--state-file` in a directory that does not exist was accepted, and every write
/// of it failed later; the start is refused instead.
#[test]
fn a_state_file_in_a_missing_directory_stops_the_start() {
    let dir = temp_dir("state-missing-dir");
    let path = dir.join("no-such-dir").join("state.json");
    let out = Command::new(BIN)
        .args([
            "serve",
            "--port",
            "0",
            "--no-provider-ports",
            "--state-file",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("no-such-dir"), "{stderr}");
    let config = kyc_sandbox::config::Config {
        state_file: Some(path.clone()),
        ..kyc_sandbox::config::Config::default()
    };
    assert!(matches!(
        kyc_sandbox::build_sandbox(&config),
        Err(kyc_sandbox::StartupError::StateDir { .. })
    ));
    // A bare file name is in the working directory, which exists.
    let here = kyc_sandbox::config::Config {
        state_file: Some("kyc-sandbox-unwritten-state.json".into()),
        ..kyc_sandbox::config::Config::default()
    };
    assert!(kyc_sandbox::build_sandbox(&here).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}
