//! The transport under the loads clients put on it. Small answers are held for the end of the
//! worker's turn and sent together (`src/server/coalesced/`); they must still arrive whole, in
//! order and once, however the client reads. (A server socket on loopback takes megabytes
//! before a send waits, more than these tests send; the unit tests beside the module shrink the
//! server's buffers to cover a client that does not read.)

use std::net::SocketAddr;

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::kycaid::{person, TOKEN};
use crate::common::{spawn_app, tiny_png, TestApp};

/// A connection whose client takes little at a time (a 4 KiB receive buffer), so answers come
/// in many short reads and split anywhere.
async fn narrow_connection(app: &TestApp) -> TcpStream {
    let addr: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Reads HTTP/1.1 answers framed by `Content-Length` off one connection, a few bytes at a time.
struct Answers {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Answers {
    fn on(stream: TcpStream) -> Self {
        Answers {
            stream,
            buffer: Vec::new(),
        }
    }

    /// The next answer's body, which must be a `200`'s; `what` names it in a failure.
    async fn ok(&mut self, what: impl std::fmt::Display) -> Vec<u8> {
        let (status, body) = self.next().await;
        assert_eq!(status, 200, "{what}");
        body
    }

    async fn next(&mut self) -> (u16, Vec<u8>) {
        loop {
            if let Some(answer) = self.take_whole() {
                return answer;
            }
            let mut chunk = [0u8; 1024];
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the connection ended inside an answer");
            self.buffer.extend_from_slice(&chunk[..n]);
        }
    }

    fn take_whole(&mut self) -> Option<(u16, Vec<u8>)> {
        let head_end = self.buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = String::from_utf8_lossy(&self.buffer[..head_end]).to_lowercase();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0);
        if self.buffer.len() < head_end + length {
            return None;
        }
        let body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Some((status, body))
    }
}

#[tokio::test]
async fn pipelined_answers_arrive_whole_and_in_order_at_a_client_that_reads_late() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for name in ["Ada", "Grace", "Edsger", "Barbara", "Donald"] {
        ids.push(person(&app, json!({"first_name": name})).await);
    }
    let mut stream = narrow_connection(&app).await;
    // 200 requests sent one by one, none of the answers (about 200 KiB) read until all are
    // sent: each answer is held and sent on its own while the earlier ones wait unread.
    for n in 0..200 {
        let request = format!(
            "GET /kycaid/applicants/{} HTTP/1.1\r\nHost: x\r\nAuthorization: Token {TOKEN}\r\n\r\n",
            ids[n % ids.len()]
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let mut answers = Answers::on(stream);
    for n in 0..200 {
        let body: Value = serde_json::from_slice(&answers.ok(format!("answer {n}")).await).unwrap();
        assert_eq!(body["applicant_id"], ids[n % ids.len()], "answer {n}");
    }
    // Exactly 200: nothing more is on its way.
    let mut rest = [0u8; 16];
    let more = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        answers.stream.read(&mut rest),
    )
    .await;
    assert!(more.is_err(), "an answer beyond the 200 asked for");
}

#[tokio::test]
async fn a_large_download_arrives_whole_twice_in_a_row_through_a_narrow_window() {
    let app = spawn_app().await;
    // A valid PNG followed by 600 KiB that varies, so a lost or repeated chunk shows.
    let mut image = tiny_png();
    image.extend((0..600 * 1024u32).map(|n| (n % 251) as u8));
    let form = Form::new().part(
        "file",
        Part::bytes(image.clone()).file_name("large.png".to_owned()),
    );
    let reply = app
        .send(app.reb(Method::POST, "/files").multipart(form))
        .await;
    let file = reply.rebilly(201, "File");
    let id = file["id"].as_str().unwrap();

    let mut stream = narrow_connection(&app).await;
    // Two in a row: the second answer must follow the first's last byte exactly.
    let request = format!(
        "GET /rebilly/organizations/org-1/files/{id}/download HTTP/1.1\r\nHost: x\r\nREB-APIKEY: sk_sandbox_1\r\n\r\n"
    );
    stream
        .write_all(format!("{request}{request}").as_bytes())
        .await
        .unwrap();
    let mut answers = Answers::on(stream);
    for n in 0..2 {
        let body = answers.ok(format!("download {n}")).await;
        assert!(body == image, "download {n} differs from the upload");
    }
}

#[tokio::test]
async fn many_connections_at_once_each_get_their_own_answers() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for name in [
        "Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances", "Grace",
    ] {
        ids.push(person(&app, json!({"first_name": name})).await);
    }
    let addr = app.base.trim_start_matches("http://").to_owned();
    let clients = ids.iter().cloned().map(|id| {
        let addr = addr.clone();
        tokio::spawn(async move {
            let mut answers = Answers::on(TcpStream::connect(&addr).await.unwrap());
            for _ in 0..50 {
                let request = format!(
                    "GET /kycaid/applicants/{id} HTTP/1.1\r\nHost: x\r\nAuthorization: Token {TOKEN}\r\n\r\n"
                );
                answers.stream.write_all(request.as_bytes()).await.unwrap();
                let body: Value = serde_json::from_slice(&answers.ok(&id).await).unwrap();
                assert_eq!(body["applicant_id"], id.as_str());
            }
        })
    });
    for client in clients.collect::<Vec<_>>() {
        client.await.unwrap();
    }
}
