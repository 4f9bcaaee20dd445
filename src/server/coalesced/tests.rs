//! The layer on real sockets with small buffers, so that sends stop after a few KiB unless the
//! client reads (loopback otherwise takes megabytes before a send waits), and under actix-http's
//! own HTTP/1 dispatcher as `server::listen` runs it.

use std::time::Duration;

use actix_http::{HttpService, Protocol, Request, Response};
use actix_service::{fn_service, Service, ServiceFactory};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

use super::*;

thread_local! {
    /// The cut-off for a dropped connection's bytes on this test's thread (each test runs on a
    /// thread of its own, with a sender of its own), instead of the minute a server waits.
    pub(super) static CUT_OFF: std::cell::Cell<Option<Duration>> = const { std::cell::Cell::new(None) };
}

/// A served connection (in `Coalesced`) and its client, both with small socket buffers.
async fn narrow_pair() -> (Coalesced, tokio::net::TcpStream) {
    let (served, client) = narrow_sockets().await;
    (Coalesced::new(served), client)
}

async fn narrow_sockets() -> (TcpStream, tokio::net::TcpStream) {
    let listener = TcpSocket::new_v4().unwrap();
    listener.set_send_buffer_size(4096).unwrap();
    listener.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = listener.listen(8).unwrap();
    let client = TcpSocket::new_v4().unwrap();
    client.set_recv_buffer_size(4096).unwrap();
    let (client, accepted) = tokio::join!(
        client.connect(listener.local_addr().unwrap()),
        listener.accept()
    );
    (accepted.unwrap().0, client.unwrap())
}

/// 1 MiB in 1 KiB writes, each chunk numbered so a lost, repeated or reordered one shows.
fn chunks() -> Vec<Vec<u8>> {
    (0..1024u32)
        .map(|n| (0..1024u32).map(|i| ((n * 7 + i) % 251) as u8).collect())
        .collect()
}

async fn read_all(mut client: tokio::net::TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    client.read_to_end(&mut received).await.unwrap();
    received
}

#[test]
fn small_writes_to_a_client_that_reads_late_arrive_whole_and_in_order() {
    actix_web::rt::System::new().block_on(async {
        let (mut served, client) = narrow_pair().await;
        let writer = actix_web::rt::spawn(async move {
            for chunk in chunks() {
                served.write_all(&chunk).await.unwrap();
            }
            served.shutdown().await.unwrap();
        });
        // The writer has filled both windows and waits on the sender before anything is read.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!writer.is_finished(), "1 MiB fit in the sockets' buffers");
        let received = read_all(client).await;
        writer.await.unwrap();
        assert_eq!(received, chunks().concat());
    });
}

#[test]
fn what_a_dropped_connection_held_is_still_sent_before_it_closes() {
    actix_web::rt::System::new().block_on(async {
        let (mut served, client) = narrow_pair().await;
        served.write_all(b"last answer").await.unwrap();
        drop(served);
        assert_eq!(read_all(client).await, b"last answer");
    });
}

#[test]
fn a_failed_send_is_reported_by_the_next_write() {
    actix_web::rt::System::new().block_on(async {
        let (mut served, client) = narrow_pair().await;
        drop(client);
        let mut outcome = Ok(());
        // The first sends may still be taken before the reset arrives.
        for _ in 0..100 {
            outcome = served.write_all(&[0u8; 1024]).await;
            if outcome.is_err() {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(outcome.is_err(), "writes to a closed peer kept succeeding");
    });
}

/// Writes `data` in 1 KiB pieces, held since the client reads nothing yet, and lets the
/// connection go, as actix does when it ends one.
async fn write_and_drop(mut served: Coalesced, data: &[u8]) {
    for chunk in data.chunks(1024) {
        served.write_all(chunk).await.unwrap();
    }
    drop(served);
}

#[test]
fn what_a_dropped_connection_held_is_sent_when_the_client_reads_late() {
    actix_web::rt::System::new().block_on(async {
        let (served, client) = narrow_pair().await;
        let data = chunks()[..40].concat();
        write_and_drop(served, &data).await;
        // The sender has sent what the sockets take and waits for the client.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(read_all(client).await, data);
    });
}

const CUT_OFF_IN_TEST: Duration = Duration::from_millis(100);

#[test]
fn a_dropped_connection_whose_client_reads_nothing_is_closed_after_the_cut_off() {
    actix_web::rt::System::new().block_on(async {
        CUT_OFF.set(Some(CUT_OFF_IN_TEST));
        let (served, client) = narrow_pair().await;
        // More than the narrow sockets take, less than a connection may hold.
        let data = chunks()[..60].concat();
        write_and_drop(served, &data).await;
        // The client reads only after the cut-off: the sender's timer, due first, has run.
        tokio::time::sleep(3 * CUT_OFF_IN_TEST).await;
        let received = tokio::time::timeout(Duration::from_secs(5), read_all(client))
            .await
            .expect("the socket was still open past the cut-off");
        assert!(
            received.len() < data.len(),
            "all {} bytes arrived: the sender went on past the cut-off",
            data.len()
        );
        assert_eq!(
            received,
            data[..received.len()],
            "what arrived is the start, in order"
        );
    });
}

#[test]
fn a_send_that_fails_wakes_the_connection_without_another_write() {
    actix_web::rt::System::new().block_on(async {
        let (mut served, client) = narrow_pair().await;
        // Closing with a zero linger resets the connection: the next send fails.
        #[allow(deprecated)]
        client.set_linger(Some(Duration::ZERO)).unwrap();
        drop(client);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut written = false;
        // Writes once, then waits without writing again: only the failure can wake it.
        let learned = std::future::poll_fn(|cx| {
            if !written {
                written = true;
                assert!(Pin::new(&mut served).poll_write(cx, b"x").is_ready());
                return Poll::Pending;
            }
            match Pin::new(&mut served).poll_flush(cx) {
                Poll::Ready(Err(_)) => Poll::Ready(()),
                _ => Poll::Pending,
            }
        });
        tokio::time::timeout(Duration::from_secs(5), learned)
            .await
            .expect("the failed send woke the connection");
    });
}

/// `GET /n` answers 1,000 bytes that name `n`.
fn answer_to(n: usize) -> Vec<u8> {
    format!("{n:07}|").repeat(125).into_bytes()
}

/// Serves `io` with actix-http's HTTP/1 dispatcher.
async fn serve(io: Coalesced) {
    let factory = HttpService::build().finish(fn_service(|req: Request| async move {
        let n = req.path()[1..].parse().unwrap_or(usize::MAX);
        Ok::<_, actix_http::Error>(Response::ok().set_body(answer_to(n)))
    }));
    let service = factory.new_service(()).await.unwrap();
    actix_web::rt::spawn(async move {
        let _ = service.call((io, Protocol::Http1, None)).await;
    });
}

/// The statuses and bodies of the whole answers in `bytes`.
fn answers(mut bytes: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut whole = Vec::new();
    while let Some(head_end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&bytes[..head_end]).to_lowercase();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        let Some(body) = bytes.get(head_end + 4..head_end + 4 + length) else {
            break;
        };
        whole.push((status, body.to_vec()));
        bytes = &bytes[head_end + 4 + length..];
    }
    whole
}

/// actix ends a connection on a malformed request once its own buffer is written out; the
/// answers held for the sender, and those actix still had when the socket filled, all arrive
/// before the 400.
#[test]
fn every_answer_before_a_malformed_request_arrives_at_a_client_that_reads_late() {
    actix_web::rt::System::new().block_on(async {
        let (served, mut client) = narrow_pair().await;
        serve(served).await;
        // One by one, so each answer is held on its own and the sockets fill.
        for n in 0..30 {
            let request = format!("GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n");
            client.write_all(request.as_bytes()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let mut requests = String::new();
        for n in 30..42 {
            requests += &format!("GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        requests += "GET /x HTTP/1.1\r\nnot a header\r\n\r\n";
        client.write_all(requests.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut received = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut received))
            .await
            .expect("the connection closed after the 400")
            .unwrap();
        let answers = answers(&received);
        assert_eq!(answers.len(), 43, "42 answers, then the 400");
        for (n, (status, body)) in answers[..42].iter().enumerate() {
            assert_eq!((*status, body), (200, &answer_to(n)), "answer {n}");
        }
        assert_eq!(answers[42].0, 400);
    });
}
