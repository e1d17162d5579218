//! A raw TCP "HTTP server" for the answers axum will not send: hangs, resets, truncated and
//! oversized bodies, redirects. Each accepted connection gets the next scripted behaviour
//! (the last one repeats). Every request head it reads is recorded.
#![allow(dead_code)]
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
pub enum Behaviour {
    /// Write these bytes verbatim, then close.
    Raw(Vec<u8>),
    /// Read the request, then never answer (until the client gives up).
    Hang,
    /// Read the request, then reset the connection (SO_LINGER 0).
    Reset,
    /// Send a head announcing `Content-Length: announced` and only `body`, then close.
    Truncated { announced: usize, body: Vec<u8> },
    /// Send `size` bytes of body in chunks (chunked encoding, no length announced).
    Huge { size: usize },
}

pub struct RawServer {
    pub base_url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

pub fn response(status: &str, headers: &[(&str, &str)], body: &str) -> Behaviour {
    let mut s = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(body);
    Behaviour::Raw(s.into_bytes())
}

pub async fn start(script: Vec<Behaviour>) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let recorded = requests.clone();
    tokio::spawn(async move {
        let mut i = 0usize;
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let b = script[i.min(script.len() - 1)].clone();
            i += 1;
            let recorded = recorded.clone();
            tokio::spawn(async move { serve(sock, b, recorded).await });
        }
    });
    RawServer {
        base_url: format!("http://{addr}"),
        requests,
    }
}

async fn read_head(sock: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(5), sock.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

async fn serve(mut sock: TcpStream, b: Behaviour, recorded: Arc<Mutex<Vec<String>>>) {
    let head = read_head(&mut sock).await;
    recorded.lock().unwrap().push(head);
    match b {
        Behaviour::Raw(bytes) => {
            let _ = sock.write_all(&bytes).await;
            let _ = sock.shutdown().await;
        }
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Behaviour::Reset => {
            // Zero linger sends RST at once; it does not block.
            #[allow(deprecated)]
            let _ = sock.set_linger(Some(Duration::ZERO));
            drop(sock);
        }
        Behaviour::Truncated { announced, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&body).await;
            let _ = sock.flush().await;
            drop(sock);
        }
        Behaviour::Huge { size } => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < size {
                let n = block.len().min(size - sent);
                let frame = format!("{n:x}\r\n");
                if sock.write_all(frame.as_bytes()).await.is_err()
                    || sock.write_all(&block[..n]).await.is_err()
                    || sock.write_all(b"\r\n").await.is_err()
                {
                    return;
                }
                sent += n;
            }
            let _ = sock.write_all(b"0\r\n\r\n").await;
        }
    }
}
