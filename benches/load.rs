//! Load benchmark: starts the sandbox in-process on 127.0.0.1 and drives it over HTTP.
//!
//! `cargo bench --bench load [-- --applicants N --polls N --concurrency N]`
//!
//! Sumvin: phase 1 onboards N applicants (applicant + two uploads, which starts each review);
//! phase 2 polls their status concurrently; then one clock advance decides every review.
//! KYCAID: N applicants of one API token (applicant, file, document, verification: four requests
//! each), polls of `GET /verifications/{id}`, one advance that completes every verification, and
//! list pages (which must not slow down with N).
//! Reports throughput, latency percentiles, the advances' durations and the resident memory.

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use kyc_sandbox::config::Config;

struct Args {
    applicants: usize,
    polls: usize,
    concurrency: usize,
}

fn args() -> Args {
    let mut args = Args {
        applicants: 2000,
        polls: 20000,
        concurrency: 32,
    };
    let raw: Vec<String> = std::env::args().collect();
    for pair in raw.windows(2) {
        let value = pair[1].parse().unwrap_or(0);
        match pair[0].as_str() {
            "--applicants" => args.applicants = value,
            "--polls" => args.polls = value,
            "--concurrency" => args.concurrency = value.max(1),
            _ => {}
        }
    }
    args
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn report(name: &str, unit: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{name:<10} {:>7} {unit}  {:>9.0} {unit}/s  p50 {:>7.2?}  p99 {:>7.2?}  max {:>7.2?}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies[latencies.len() - 1],
    );
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x03\0\0\0\x02\x08\x02\0\0\0";

#[tokio::main]
async fn main() {
    let args = args();
    let config = Config {
        port: 0,
        seed: Some(1),
        clock: "frozen:2026-01-01T00:00:00Z".parse().unwrap(),
        journal_size: 1000,
        workers: Some(2),
        // The snapshot phase restores the whole state in one request body.
        max_body: 512 * 1024 * 1024,
        ..Config::default()
    };
    let running = kyc_sandbox::start(&config).expect("server starts");
    let base = format!("http://{}/sumvin", running.addr);
    let kycaid = format!("http://{}/kycaid", running.addr);
    let admin = format!("http://{}/__admin", running.addr);
    tokio::spawn(running.server);
    let client = reqwest::Client::new();
    let rss_start = rss_kib();

    let started = Instant::now();
    let onboard: Vec<Duration> = stream::iter(0..args.applicants)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let pat = format!("bench-{i}");
                let t = Instant::now();
                let ok = client
                    .post(format!("{base}/v0/kyc/applicant"))
                    .header("x-sumvin-pat", &pat)
                    .send()
                    .await;
                assert!(ok.unwrap().status().is_success());
                for kind in ["PASSPORT", "SELFIE"] {
                    let form = reqwest::multipart::Form::new()
                        .text("document_type", kind)
                        .text("country", "GBR")
                        .part(
                            "file",
                            reqwest::multipart::Part::bytes(PNG).file_name("doc.png"),
                        );
                    let reply = client
                        .post(format!("{base}/v0/kyc/documents"))
                        .header("x-sumvin-pat", &pat)
                        .multipart(form)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(reply.status(), 201);
                }
                t.elapsed()
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    report("onboard", "applicants", onboard, started.elapsed());

    let started = Instant::now();
    let polls = timed_gets(&client, args.polls, args.concurrency, |i| {
        let pat = format!("bench-{}", i % args.applicants.max(1));
        (format!("{base}/v0/kyc/status"), ("x-sumvin-pat", pat))
    })
    .await;
    report("status", "requests", polls, started.elapsed());

    advance(&client, &admin, "advance   ").await;
    kycaid_phases(&client, &kycaid, &admin, &args).await;
    snapshot_phase(&client, &admin).await;
    println!(
        "memory     RSS {} MiB after {} applicants per provider (+{} MiB, client included)",
        rss_kib() / 1024,
        args.applicants,
        rss_kib().saturating_sub(rss_start) / 1024
    );
}

const KYCAID_TOKEN: &str = "Token bench-kycaid-token";

async fn post_json(client: &reqwest::Client, url: String, body: serde_json::Value) -> String {
    let reply = client
        .post(url)
        .header("authorization", KYCAID_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = reply.status();
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body.as_object()
        .and_then(|o| o.values().next())
        .and_then(|v| v.as_str())
        .expect("an id")
        .to_owned()
}

async fn kycaid_phases(client: &reqwest::Client, base: &str, admin: &str, args: &Args) {
    let started = Instant::now();
    let onboarded: Vec<(Duration, String)> = stream::iter(0..args.applicants)
        .map(|i| async move {
            let t = Instant::now();
            let applicant = post_json(
                client,
                format!("{base}/applicants"),
                serde_json::json!({"type": "PERSON", "first_name": "Bench", "last_name": "Person", "external_applicant_id": format!("bench-{i}")}),
            )
            .await;
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(PNG).file_name("passport.png"),
            );
            let reply = client
                .post(format!("{base}/files"))
                .header("authorization", KYCAID_TOKEN)
                .multipart(form)
                .send()
                .await
                .unwrap();
            let file: serde_json::Value = reply.json().await.unwrap();
            post_json(
                client,
                format!("{base}/documents"),
                serde_json::json!({"applicant_id": applicant, "type": "PASSPORT",
                    "document_number": format!("P{i:08}"), "front_side_id": file["file_id"]}),
            )
            .await;
            let verification = post_json(
                client,
                format!("{base}/verifications"),
                serde_json::json!({"applicant_id": applicant}),
            )
            .await;
            (t.elapsed(), verification)
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let (latencies, verifications): (Vec<Duration>, Vec<String>) = onboarded.into_iter().unzip();
    report("kycaid-on", "applicants", latencies, elapsed);

    let started = Instant::now();
    let polls = timed_gets(client, args.polls, args.concurrency, |i| {
        let id = &verifications[i % verifications.len().max(1)];
        (
            format!("{base}/verifications/{id}"),
            ("authorization", KYCAID_TOKEN.to_owned()),
        )
    })
    .await;
    report("kycaid-get", "requests", polls, started.elapsed());

    advance(client, admin, "kycaid-adv").await;

    let started = Instant::now();
    let pages = timed_gets(client, 200, args.concurrency, |i| {
        let url = format!("{base}/verifications?per_page=20&page={}", 1 + i % 50);
        (url, ("authorization", KYCAID_TOKEN.to_owned()))
    })
    .await;
    report("kycaid-lst", "pages", pages, started.elapsed());
}

/// Downloads the whole state and restores it, reporting each one's time and the size.
async fn snapshot_phase(client: &reqwest::Client, admin: &str) {
    let t = Instant::now();
    let snapshot = client
        .get(format!("{admin}/snapshot"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let taken = t.elapsed();
    let t = Instant::now();
    let restored = client
        .post(format!("{admin}/snapshot/restore"))
        .header("content-type", "application/json")
        .body(snapshot.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), 200);
    let summary: serde_json::Value = restored.json().await.unwrap();
    println!(
        "snapshot   {} tenants, {} KiB: taken in {taken:.2?}, restored in {:.2?}",
        summary["tenants"],
        snapshot.len() / 1024,
        t.elapsed()
    );
}

/// `count` GETs, `concurrency` at a time, of the URL and header `request(i)` names; each must
/// answer 200. Returns each one's latency.
async fn timed_gets(
    client: &reqwest::Client,
    count: usize,
    concurrency: usize,
    request: impl Fn(usize) -> (String, (&'static str, String)),
) -> Vec<Duration> {
    stream::iter(0..count)
        .map(|i| {
            let (url, (name, value)) = request(i);
            async move {
                let t = Instant::now();
                let reply = client.get(url).header(name, value).send().await.unwrap();
                assert_eq!(reply.status(), 200);
                reply.bytes().await.unwrap();
                t.elapsed()
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await
}

/// Moves the sandbox clock 30 s, which decides every pending review, and reports how long it took.
async fn advance(client: &reqwest::Client, admin: &str, label: &str) {
    let t = Instant::now();
    let advanced: serde_json::Value = client
        .post(format!("{admin}/clock/advance"))
        .json(&serde_json::json!({"seconds": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!(
        "{label} fired {} scheduled steps in {:.2?}",
        advanced["fired"],
        t.elapsed()
    );
}
