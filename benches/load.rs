//! Load benchmark: starts the sandbox in-process on 127.0.0.1 and drives it over HTTP.
//!
//! `cargo bench --bench load [-- --applicants N --polls N --concurrency N]`
//!
//! Phase 1 onboards N Sumvin applicants (applicant + two uploads, which starts each review).
//! Phase 2 polls their status concurrently. Then one clock advance decides every review.
//! Reports throughput, latency percentiles (onboarding: per applicant, three requests each), the advance's duration and the resident memory.

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
        ..Config::default()
    };
    let running = kyc_sandbox::start(&config).expect("server starts");
    let base = format!("http://{}/sumvin", running.addr);
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
    let polls: Vec<Duration> = stream::iter(0..args.polls)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            let pat = format!("bench-{}", i % args.applicants.max(1));
            async move {
                let t = Instant::now();
                let reply = client
                    .get(format!("{base}/v0/kyc/status"))
                    .header("x-sumvin-pat", pat)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(reply.status(), 200);
                reply.bytes().await.unwrap();
                t.elapsed()
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    report("status", "requests", polls, started.elapsed());

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
        "advance    fired {} scheduled steps in {:.2?}",
        advanced["fired"],
        t.elapsed()
    );
    println!(
        "memory     RSS {} MiB after {} applicants (+{} MiB, client included)",
        rss_kib() / 1024,
        args.applicants,
        rss_kib().saturating_sub(rss_start) / 1024
    );
}
