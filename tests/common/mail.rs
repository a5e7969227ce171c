//! Real receivers in the test process: an SMTP server (mailin-embedded) that keeps
//! every message it accepts, and an HTTP server that keeps every webhook body.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use mailin_embedded::response::{Response, INTERNAL_ERROR, OK};
use mailin_embedded::{Handler, Server, SslConfig};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};

/// A message the SMTP server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    /// The parsed message.
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.raw).expect("a parseable message")
    }

    /// A header, decoded (RFC 2047 words included).
    pub fn header(&self, name: &str) -> String {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name).unwrap_or_default()
    }

    /// The body of the part with this content type.
    pub fn part(&self, mime: &str) -> String {
        let p = self.parsed();
        let part = p.subparts.iter().find(|s| s.ctype.mimetype == mime).expect("the part");
        part.get_body().expect("a decodable body")
    }
}

/// What the handler does with RCPT: accept, or answer with a code.
#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    reject_rcpt: Option<(u16, &'static str)>,
    /// How long it takes to accept a message once it has all of it.
    delay: std::time::Duration,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        if let Some((code, text)) = self.reject_rcpt {
            return Response::custom(code, text.to_string());
        }
        self.to.push(to.to_string());
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        std::thread::sleep(self.delay);
        let Ok(mut inbox) = self.inbox.lock() else { return INTERNAL_ERROR };
        inbox.push(Received { to: std::mem::take(&mut self.to), raw: std::mem::take(&mut self.data) });
        OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        OK
    }
}

/// A running SMTP server on loopback.
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    /// Starts a server that accepts everything, on a free port.
    pub fn start() -> SmtpServer {
        Self::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), None)
    }

    /// Starts a server that takes `delay` to accept each message.
    pub fn slow(delay: std::time::Duration) -> SmtpServer {
        Self::start_with(TcpListener::bind("127.0.0.1:0").unwrap(), None, delay)
    }

    /// Starts a server that answers every RCPT with `code text`.
    pub fn rejecting(code: u16, text: &'static str) -> SmtpServer {
        Self::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), Some((code, text)))
    }

    /// Starts a server on a port chosen earlier (the "server comes back" case).
    pub fn start_at(port: u16) -> SmtpServer {
        Self::start_on(TcpListener::bind(("127.0.0.1", port)).unwrap(), None)
    }

    fn start_on(listener: TcpListener, reject_rcpt: Option<(u16, &'static str)>) -> SmtpServer {
        Self::start_with(listener, reject_rcpt, std::time::Duration::ZERO)
    }

    fn start_with(
        listener: TcpListener,
        reject_rcpt: Option<(u16, &'static str)>,
        delay: std::time::Duration,
    ) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let handler = Collector { inbox: inbox.clone(), reject_rcpt, delay, to: vec![], data: vec![] };
        let mut server = Server::new(handler);
        server
            .with_name("test.local")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(8)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, inbox }
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A webhook request the HTTP receiver got.
#[derive(Debug, Clone)]
pub struct Hook {
    pub path: String,
    pub body: serde_json::Value,
}

/// A tiny HTTP server that answers every POST with a fixed status and body, per path.
pub struct HookServer {
    pub port: u16,
    got: Arc<Mutex<Vec<Hook>>>,
}

impl HookServer {
    /// Answers `answer(path)` = (status, body), with `{PATH}` in the body replaced by
    /// the request's path and query.
    pub fn start(answer: fn(&str) -> (u16, &'static str)) -> HookServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let keep = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut len = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            len = v.trim().parse().unwrap();
                        }
                    }
                }
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                keep.lock().unwrap().push(Hook { path: path.clone(), body });
                let (status, text) = answer(&path);
                // A gateway that echoes the request: `{PATH}` is the path it was sent to.
                let text = text.replace("{PATH}", &path);
                let mut s = stream;
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        HookServer { port, got }
    }

    pub fn got(&self) -> Vec<Hook> {
        self.got.lock().unwrap().clone()
    }
}
