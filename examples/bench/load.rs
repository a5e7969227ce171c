//! A small HTTP load generator: N connections, each sending one request after the
//! other for a fixed time, recording every latency.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a load run measured.
#[derive(Debug, Clone, Copy)]
pub struct LoadResult {
    pub requests: usize,
    pub errors: usize,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Percentile `q` (0..=1) of sorted latencies in microseconds, in milliseconds.
pub fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Who a request is from: a header (`Authorization: Bearer …` or a session's `Cookie`).
pub type Credential = (&'static str, String);

/// GETs `url` from `connections` clients for `duration`; request `i` of a client
/// sends `creds[(client + i * connections) % len]`, if any, and `headers`.
pub async fn run(
    url: &str,
    (creds, headers): (Arc<Vec<Credential>>, &'static [(&'static str, &'static str)]),
    connections: usize,
    duration: Duration,
) -> LoadResult {
    let deadline = Instant::now() + duration;
    let mut handles = Vec::new();
    for client_no in 0..connections {
        let (url, creds) = (url.to_string(), creds.clone());
        handles.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let (mut lat, mut errors, mut i) = (Vec::new(), 0usize, 0usize);
            while Instant::now() < deadline {
                let mut req = client.get(&url);
                for (name, value) in headers {
                    req = req.header(*name, *value);
                }
                if !creds.is_empty() {
                    let (name, value) = &creds[(client_no + i * connections) % creds.len()];
                    req = req.header(*name, value);
                }
                let t = Instant::now();
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_micros() as u64);
                    }
                    _ => errors += 1,
                }
                i += 1;
            }
            (lat, errors)
        }));
    }
    let started = Instant::now();
    let (mut all, mut errors) = (Vec::new(), 0);
    for h in handles {
        if let Ok((lat, e)) = h.await {
            all.extend(lat);
            errors += e;
        }
    }
    let secs = started.elapsed().as_secs_f64().max(duration.as_secs_f64());
    all.sort_unstable();
    LoadResult {
        requests: all.len(),
        errors,
        per_sec: all.len() as f64 / secs,
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
    }
}
