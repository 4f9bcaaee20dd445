//! A webhook receiver on a free local port: records every request it gets and answers with a
//! status and body the test can change at any time.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use parking_lot::Mutex;
use tokio::sync::mpsc;

/// How long a test waits for something asynchronous before failing.
pub const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Lowercase names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub arrived: std::time::Instant,
}

impl Received {
    #[track_caller]
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no `{name}` header in {:?}", self.headers))
    }
}

struct Shared {
    answer: Mutex<(u16, String)>,
    /// How long the next requests wait before they are answered, one entry each.
    stalls: Mutex<std::collections::VecDeque<Duration>>,
    seen: mpsc::UnboundedSender<Received>,
}

pub struct Receiver {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    shared: Arc<Shared>,
    seen: mpsc::UnboundedReceiver<Received>,
}

impl Receiver {
    /// A receiver answering `200 ok` until told otherwise.
    pub async fn start() -> Receiver {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            answer: Mutex::new((200, "ok".into())),
            stalls: Mutex::new(Default::default()),
            seen: tx,
        });
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(record))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("receiver binds");
        let addr = server.addrs()[0];
        tokio::spawn(server.run());
        Receiver {
            base: format!("http://{addr}"),
            shared,
            seen: rx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the following requests get.
    pub fn answer(&self, status: u16, body: &str) {
        *self.shared.answer.lock() = (status, body.to_owned());
    }

    /// The next request received is answered only `after` this long.
    pub fn stall_next(&self, after: Duration) {
        self.shared.stalls.lock().push_back(after);
    }

    /// The next request received, waiting at most `WAIT`.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("the receiver got a request in time")
            .expect("the receiver is running")
    }

    /// A request received already, if any (does not wait).
    pub fn try_next(&mut self) -> Option<Received> {
        self.seen.try_recv().ok()
    }
}

async fn record(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let received = Received {
        method: req.method().to_string(),
        target: req
            .uri()
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        headers: req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        arrived: std::time::Instant::now(),
    };
    let _ = shared.seen.send(received);
    let stall = shared.stalls.lock().pop_front();
    if let Some(stall) = stall {
        tokio::time::sleep(stall).await;
    }
    let (status, body) = shared.answer.lock().clone();
    let status = actix_web::http::StatusCode::from_u16(status).unwrap_or_default();
    HttpResponse::build(status).body(body)
}

/// A local port nothing listens on: connections to it are refused.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}/hook")
}
