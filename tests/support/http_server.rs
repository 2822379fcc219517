//! A scripted HTTP/1.1 server on 127.0.0.1 (an ephemeral port), for `tests/http.rs` and
//! `examples/http_client.rs`: it answers each request by the next step of its script,
//! keeps the method and body of every request it read, and can hang up without an
//! answer — which is why it sits on bare tokio sockets rather than a framework, whose
//! handlers cannot do that.
#![allow(dead_code)] // each includer uses part of it

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    /// Answer with this status (body `reply #N`, N the request's number).
    Status(u16, Option<Hint>),
    /// Read the request, then close the connection without answering.
    HangUp,
    /// Answer 200, but only after this long.
    Stall(Duration),
}

/// A `Retry-After` header.
#[derive(Clone, Debug)]
pub enum Hint {
    /// Sent as written.
    Raw(&'static str),
    /// An HTTP date this many seconds from the moment of the answer.
    DateIn(i64),
}

pub fn status(code: u16) -> Step {
    Step::Status(code, None)
}

pub fn status_after(code: u16, value: &'static str) -> Step {
    Step::Status(code, Some(Hint::Raw(value)))
}

pub const OK: Step = Step::Status(200, None);

/// A request as the server read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub method: String,
    pub body: String,
}

pub struct Server {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Serves `script` in order, one step per request; the last step repeats.
    pub async fn start(script: Vec<Step>) -> Server {
        Server::serve(script, None).await
    }

    /// [`Server::start`], printing a line per request: `server NAME: #N GET: 503, ...`.
    pub async fn start_verbose(name: &'static str, script: Vec<Step>) -> Server {
        Server::serve(script, Some(name)).await
    }

    async fn serve(script: Vec<Step>, name: Option<&'static str>) -> Server {
        assert!(!script.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/resource", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (script, log) = (Arc::clone(&script), Arc::clone(&log));
                tokio::spawn(answer(stream, script, log, name));
            }
        });
        Server { url, seen }
    }

    /// How many requests arrived whole.
    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn answer(
    stream: TcpStream,
    script: Arc<Vec<Step>>,
    log: Arc<Mutex<Vec<Seen>>>,
    name: Option<&'static str>,
) {
    let mut stream = BufReader::new(stream);
    let Ok(seen) = read_request(&mut stream).await else {
        return;
    };
    let method = seen.method.clone();
    let n = {
        let mut log = log.lock().unwrap();
        log.push(seen);
        log.len()
    };
    let say = |what: String| {
        if let Some(name) = name {
            println!("    server {name}: request #{n} ({method}): {what}");
        }
    };
    let step = script.get(n - 1).unwrap_or(&script[script.len() - 1]);
    let (code, hint) = match step {
        Step::HangUp => {
            say("closing the connection without an answer".into());
            return drop(stream);
        }
        Step::Stall(delay) => {
            say(format!("200, but only in {delay:?}"));
            tokio::time::sleep(*delay).await;
            (200, None)
        }
        Step::Status(code, hint) => (*code, hint.clone()),
    };
    let hint = hint.map(|hint| match hint {
        Hint::Raw(value) => value.to_owned(),
        Hint::DateIn(secs) => {
            let offset = Duration::from_secs(secs.unsigned_abs());
            let now = SystemTime::now();
            httpdate::fmt_http_date(if secs >= 0 {
                now + offset
            } else {
                now - offset
            })
        }
    });
    if !matches!(step, Step::Stall(_)) {
        match &hint {
            Some(value) => say(format!("{code}, Retry-After: {value}")),
            None => say(code.to_string()),
        }
    }
    let body = format!("reply #{n}");
    let mut head = format!(
        "HTTP/1.1 {code} Scripted\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(value) = hint {
        head.push_str(&format!("retry-after: {value}\r\n"));
    }
    head.push_str("\r\n");
    // The client may have stopped waiting (a stalled answer): ignore write errors.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request, its body included (by `content-length` or chunked).
async fn read_request(stream: &mut BufReader<TcpStream>) -> std::io::Result<Seen> {
    let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let method = line
        .split_whitespace()
        .next()
        .ok_or_else(invalid)?
        .to_owned();
    let (mut length, mut chunked) = (0, false);
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 || line.len() > 64 * 1024 {
            return Err(invalid());
        }
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("content-length:") {
            length = value.trim().parse().map_err(|_| invalid())?;
        }
        if header.starts_with("transfer-encoding:") && header.ends_with("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim_end(), 16).map_err(|_| invalid())?;
            let mut chunk = vec![0; size + 2]; // the chunk and its CRLF
            stream.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        stream.read_exact(&mut body).await?;
    }
    Ok(Seen {
        method,
        body: String::from_utf8(body).map_err(|_| invalid())?,
    })
}

/// A URL on 127.0.0.1 where nothing listens: a socket bound to its port but never put
/// in the listening state. Connections to it are refused, and as long as the socket is
/// alive nothing else can take the port (as it could if it were merely released).
pub fn refusing_port() -> (tokio::net::TcpSocket, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, format!("http://127.0.0.1:{port}/resource"))
}
