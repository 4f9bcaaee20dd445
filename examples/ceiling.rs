//! The benchmark's ceiling: the barest actix-web server, answering every request with a fixed JSON
//! body of about the size of a stored KYC resource. `scripts/bench.sh` runs it beside the sandbox,
//! under the same load, so the sandbox's figures read as a share of what HTTP itself costs here.
//!
//! `cargo run --release --example ceiling -- [PORT] [--read-body] [--spin-us N]` (port 0, the
//! default, picks a free port and prints it). With `--read-body` every request's body is read whole
//! before the same answer: what HTTP itself costs a create. A separate mode rather than a route, so
//! that the GET ceiling stays the bare handler. `--spin-us N` busy-waits N µs before each answer: a
//! bare server at a create's pace, to see what the kernel's share of a request does when answers
//! come slower (README, *Performance and capacity*, the latest round).

use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};

const BODY: &str = concat!(
    r#"{"applicant_id":"3f0c9e1d2b4a4f6e8d7c1b2a3e4f5a6b7c8d","type":"PERSON","status":"valid","#,
    r#""verification_status":"completed","first_name":"Ada","middle_name":null,"last_name":"Lovelace","#,
    r#""residence_country":"GB","dob":"1990-12-10","gender":"F","email":"ada@example.com","#,
    r#""phone":"+441234567890","nationality":"GB","profile_status":"valid","#,
    r#""created_at":"2026-01-01 00:00:00","updated_at":"2026-01-01 00:00:05","#,
    r#""external_applicant_id":"bench-0001","wallet_address":null,"telegram_username":null,"#,
    r#""pep":false,"sanctions":false,"politically_exposed_person":"not_pep","#,
    r#""addresses":[],"documents":[{"document_id":"9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f","#,
    r#""type":"PASSPORT","status":"valid","document_number":"AB1234567","issue_date":"2020-01-01","#,
    r#""expiry_date":"2030-01-01","income_sources":null,"annual_income":null,"#,
    r#""front_side_id":"0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f","back_side_id":null,"#,
    r#""decline_reasons":[]}],"affiliated_persons":[],"decline_reasons":[],"#,
    r#""verifications":{"document":{"verified":true,"comment":"","decline_reasons":[]}}}"#
);

async fn fixed_after_body(_body: web::Bytes) -> HttpResponse {
    fixed().await
}

async fn fixed_after_spin(spin: web::Data<Duration>) -> HttpResponse {
    let started = Instant::now();
    while started.elapsed() < **spin {
        std::hint::spin_loop();
    }
    fixed().await
}

async fn fixed() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(BODY)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let (mut port, mut read_body, mut spin) = (0u16, false, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--read-body" => read_body = true,
            "--spin-us" => {
                let micros = args.next().and_then(|us| us.parse().ok());
                spin = micros.map(Duration::from_micros);
            }
            other => port = other.parse().unwrap_or(0),
        }
    }
    let server = HttpServer::new(move || {
        let answer = match (read_body, spin) {
            (true, _) => web::to(fixed_after_body),
            (false, Some(_)) => web::to(fixed_after_spin),
            (false, None) => web::to(fixed),
        };
        // The plain ceiling keeps no app data: it stays the barest handler.
        let app = match spin {
            Some(spin) => App::new().app_data(web::Data::new(spin)),
            None => App::new(),
        };
        app.default_service(answer)
    })
    .bind(("127.0.0.1", port))?;
    println!("ceiling listening on http://{}", server.addrs()[0]);
    server.run().await
}
